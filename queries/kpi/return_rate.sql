-- 退单率 return_rate
--   numerator:   dispatched in the period with returned_count > 0 (also the unit ranking's 退单件数)
--   denominator: dispatched in the period
--   input returned_count: every dispatched ticket should carry one (0 when never returned)
with final as (
  select
    count(*) filter (where handling = '转办' and returned_count > 0) as return_rate_numerator,
    count(*) filter (where handling = '转办') as return_rate_denominator,
    count(*) filter (where handling = '转办' and returned_count is not null) as return_rate_with_returned_count,
    count(*) filter (where handling = '转办' and returned_count is null) as return_rate_without_returned_count,
  from received_tickets
)

select * from final
