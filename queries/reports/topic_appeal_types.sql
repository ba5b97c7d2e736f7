-- Reads `topic_tickets`, the topic's tickets in [$from, $to) (topic_tickets.sql), which
-- reports/special.ts puts in front of this file as the first CTE.
final as (
  select
    appeal_type,
    count(*)::integer as received,
  from topic_tickets
  group by all
)

select * from final order by received desc, appeal_type
