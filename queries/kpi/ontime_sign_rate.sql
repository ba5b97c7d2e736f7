-- 按期签收率 ontime_sign_rate
--   numerator:   dispatched in the period with signed_at ≤ dispatched_at + $sign_limit_hours
--                (setting kpi.signLimitHours, default 2; never signed: not on time)
--   denominator: dispatched in the period
with final as (
  select
    count(*) filter (
      where handling = '转办'
        and signed_at <= dispatched_at + to_milliseconds(cast(round($sign_limit_hours * 3600000) as bigint))
    ) as ontime_sign_rate_numerator,
    count(*) filter (where handling = '转办') as ontime_sign_rate_denominator,
  from received_tickets
)

select * from final
