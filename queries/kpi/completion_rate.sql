-- 办结率 completion_rate
--   numerator:   tickets received in the period that are complete: completed_at is set, or the
--                ticket was answered directly (a 直接答复 ticket is complete at completed_at, or at
--                received_at when completed_at is empty). This numerator is also `completed` (办结量).
--   denominator: tickets received in the period
with final as (
  select
    count(*) filter (
      where completed_at is not null or handling = '直接答复'
    ) as completion_rate_numerator,
    count(*) as completion_rate_denominator,
  from received_tickets
)

select * from final
