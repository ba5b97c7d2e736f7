-- 按时办结率 ontime_completion_rate
--   numerator:   dispatched in the period (转办, received in the period) with completed_at ≤ deadline_at
--                (no completion or no deadline: not on time)
--   denominator: dispatched in the period
--   input deadline_at: every dispatched ticket should carry one
--   input completed_at: a dispatched ticket should carry one once its status (已办结 / 待回访) or a
--                callback says it is complete
with final as (
  select
    count(*) filter (
      where handling = '转办' and completed_at <= deadline_at
    ) as ontime_completion_rate_numerator,
    count(*) filter (where handling = '转办') as ontime_completion_rate_denominator,
    count(*) filter (where handling = '转办' and deadline_at is not null) as ontime_completion_rate_with_deadline_at,
    count(*) filter (where handling = '转办' and deadline_at is null) as ontime_completion_rate_without_deadline_at,
    count(*) filter (where handling = '转办' and completed_at is not null) as ontime_completion_rate_with_completed_at,
    count(*) filter (
      where handling = '转办' and completed_at is null
        and (status in ('已办结', '待回访') or callback_at is not null)
    ) as ontime_completion_rate_without_completed_at,
  from received_tickets
)

select * from final
