-- 按期签收率 ontime_sign_rate
--   numerator:   dispatched in the period with signed_at ≤ dispatched_at + $sign_limit_hours
--                (setting kpi.signLimitHours, default 2; never signed: not on time)
--   denominator: dispatched in the period
--   input signed_at: a dispatched ticket should carry one once it is being handled or done
--                (status 办理中 / 已办结 / 待回访, or a completion time)
--   input dispatched_at: every dispatched ticket should carry one
with final as (
  select
    count(*) filter (
      where handling = '转办'
        and signed_at <= dispatched_at + to_milliseconds(cast(round($sign_limit_hours * 3600000) as bigint))
    ) as ontime_sign_rate_numerator,
    count(*) filter (where handling = '转办') as ontime_sign_rate_denominator,
    count(*) filter (where handling = '转办' and signed_at is not null) as ontime_sign_rate_with_signed_at,
    count(*) filter (
      where handling = '转办' and signed_at is null
        and (status in ('办理中', '已办结', '待回访') or completed_at is not null)
    ) as ontime_sign_rate_without_signed_at,
    count(*) filter (where handling = '转办' and dispatched_at is not null) as ontime_sign_rate_with_dispatched_at,
    count(*) filter (where handling = '转办' and dispatched_at is null) as ontime_sign_rate_without_dispatched_at,
  from received_tickets
)

select * from final
