-- Reads `topic_tickets`, the topic's tickets in [$from, $to) (topic_tickets.sql), which
-- reports/special.ts puts in front of this file as the first CTE.
final as (
  select
    unit,
    count(*)::integer as dispatched,
    count(*) filter (where completed_at is not null)::integer as completed,
    count(*) filter (where completed_at <= deadline_at)::integer as ontime_completed,
    count(*) filter (where coalesce(returned_count, 0) > 0)::integer as returned,
    count(*) filter (where satisfaction in ('满意', '基本满意', '不满意'))::integer as rated,
    count(*) filter (where satisfaction = '满意' or (satisfaction = '基本满意' and $basically_satisfied_counts))::integer as satisfied,
    count(*) filter (where resolved = '已解决')::integer as resolved,
  from topic_tickets
  where handling = '转办' and coalesce(unit, '') <> ''
  group by unit
)

select * from final order by dispatched desc, unit
