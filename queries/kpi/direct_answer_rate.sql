-- 直接答复率 direct_answer_rate
--   numerator:   tickets received in the period with handling 直接答复
--   denominator: tickets received in the period
with final as (
  select
    count(*) filter (where handling = '直接答复') as direct_answer_rate_numerator,
    count(*) as direct_answer_rate_denominator,
  from received_tickets
)

select * from final
