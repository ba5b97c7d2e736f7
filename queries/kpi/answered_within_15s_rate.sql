-- 15秒接通率 answered_within_15s_rate
--   numerator:   answered calls in the period (not ivr_only) with answered_at − call_at ≤ 15 s
--   denominator: answered calls in the period (not ivr_only)
with final as (
  select
    count(*) filter (
      where not ivr_only and answered_at is not null and answered_at <= call_at + interval 15 second
    ) as answered_within_15s_rate_numerator,
    count(*) filter (where not ivr_only and answered_at is not null) as answered_within_15s_rate_denominator,
  from offered_calls
)

select * from final
