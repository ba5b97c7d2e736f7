-- 办结率 completion_rate
--   numerator:   tickets received in the period that are complete: completed_at is set, or the
--                ticket was answered directly (a 直接答复 ticket is complete at completed_at, or at
--                received_at when completed_at is empty). This numerator is also `completed` (办结量).
--   denominator: tickets received in the period
--   input completed_at: carried by the rows that have it; missing on a dispatched ticket that its
--                status (已办结 / 待回访) or a callback says is complete. Missing everywhere and carried
--                nowhere: the export has no completion times, and the rate is null, not 0.
with final as (
  select
    count(*) filter (
      where completed_at is not null or handling = '直接答复'
    ) as completion_rate_numerator,
    count(*) as completion_rate_denominator,
    count(*) filter (where completed_at is not null) as completion_rate_with_completed_at,
    count(*) filter (
      where handling = '转办' and completed_at is null
        and (status in ('已办结', '待回访') or callback_at is not null)
    ) as completion_rate_without_completed_at,
  from received_tickets
)

select * from final
