-- 接通率 connection_rate
--   numerator:   calls with call_at in the period, not ivr_only, with answered_at (= calls_answered)
--   denominator: calls with call_at in the period, not ivr_only (= calls_offered)
--   input answered_at: a call taken by an agent (agent_id) should carry one
with final as (
  select
    count(*) filter (where not ivr_only and answered_at is not null) as connection_rate_numerator,
    count(*) filter (where not ivr_only) as connection_rate_denominator,
    count(*) filter (where not ivr_only and answered_at is not null) as connection_rate_with_answered_at,
    count(*) filter (where not ivr_only and answered_at is null and agent_id is not null) as connection_rate_without_answered_at,
  from offered_calls
)

select * from final
