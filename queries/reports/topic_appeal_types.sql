-- Reads `topic_received`, the topic's tickets received in [$from, $to) (topic_received.sql), which
-- reports/special.ts puts in front of this file as the first CTE.
final as (
  select
    appeal_type,
    count(*)::integer as received,
  from topic_received
  group by all
)

select * from final order by received desc, appeal_type
