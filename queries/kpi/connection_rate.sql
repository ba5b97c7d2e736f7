-- 接通率 connection_rate
--   numerator:   calls with call_at in the period, not ivr_only, with answered_at (= calls_answered)
--   denominator: calls with call_at in the period, not ivr_only (= calls_offered)
with final as (
  select
    count(*) filter (where not ivr_only and answered_at is not null) as connection_rate_numerator,
    count(*) filter (where not ivr_only) as connection_rate_denominator,
  from offered_calls
)

select * from final
