-- 按时办结率 ontime_completion_rate
--   numerator:   dispatched in the period (转办, received in the period) with completed_at ≤ deadline_at
--                (no completion or no deadline: not on time)
--   denominator: dispatched in the period
with final as (
  select
    count(*) filter (
      where handling = '转办' and completed_at <= deadline_at
    ) as ontime_completion_rate_numerator,
    count(*) filter (where handling = '转办') as ontime_completion_rate_denominator,
  from received_tickets
)

select * from final
