-- 直接答复率 direct_answer_rate
--   numerator:   tickets received in the period with handling 直接答复
--   denominator: tickets received in the period
--   input handling: an export without 办理方式 gets 转办 for every ticket from its profile's
--                constant (handling_given false); when none of the period's tickets carries the
--                export's own handling the rate is null with a note, not 0 % (US 311 and
--                message-board exports printed 直接答复率 0.00 %)
with final as (
  select
    count(*) filter (where handling = '直接答复') as direct_answer_rate_numerator,
    count(*) as direct_answer_rate_denominator,
    count(*) filter (where handling_given is distinct from false) as direct_answer_rate_with_handling,
    count(*) filter (where handling_given = false) as direct_answer_rate_without_handling,
  from received_tickets
)

select * from final
