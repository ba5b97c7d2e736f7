-- Reads `topic_received`, the topic's tickets received in [$from, $to) (topic_received.sql), which
-- reports/special.ts puts in front of this file as the first CTE.
final as (
  select 'district' as level, district, null::varchar as township, null::varchar as address, count(*)::integer as received
  from topic_received group by all
  union all
  select 'township', district, township, null, count(*)::integer
  from topic_received group by all
  union all
  select 'address', district, township, address, count(*)::integer
  from topic_received where coalesce(address, '') <> '' group by all
)

select * from final order by level, received desc, district, township, address
