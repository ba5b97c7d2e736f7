-- Reads `topic_received`, the topic's tickets received in [$from, $to) (topic_received.sql), which
-- reports/special.ts puts in front of this file as the first CTE.
final as (
  select
    isodow(received_at)::integer as weekday,
    hour(received_at)::integer as hour,
    count(*)::integer as received,
  from topic_received
  group by all
)

select * from final order by weekday, hour
