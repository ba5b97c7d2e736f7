-- 平均办理时长 avg_handling_hours: the mean of (completed_at − dispatched_at) in hours
--   numerator:   the sum of those durations in hours, each taken to the micro-hour (3.6 ms) as an
--                exact decimal, so that the sums of days add up to the sum of the month exactly
--   denominator: dispatched in the period that are complete (completed_at set); a ticket without
--                dispatched_at has no duration and is left out of both
with final as (
  select
    sum(
      cast(date_diff('millisecond', dispatched_at, completed_at) / 3600000 as decimal(18, 6))
    ) filter (
      where handling = '转办' and completed_at is not null and dispatched_at is not null
    ) as avg_handling_hours_numerator,
    count(*) filter (
      where handling = '转办' and completed_at is not null and dispatched_at is not null
    ) as avg_handling_hours_denominator,
  from received_tickets
)

select * from final
