-- 退单率 return_rate
--   numerator:   dispatched in the period with returned_count > 0 (also the unit ranking's 退单件数)
--   denominator: dispatched in the period
with final as (
  select
    count(*) filter (where handling = '转办' and returned_count > 0) as return_rate_numerator,
    count(*) filter (where handling = '转办') as return_rate_denominator,
  from received_tickets
)

select * from final
