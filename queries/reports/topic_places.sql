-- Reads `topic_tickets`, the topic's tickets in [$from, $to) (topic_tickets.sql), which
-- reports/special.ts puts in front of this file as the first CTE.
final as (
  select 'district' as level, coalesce(district, '未填') as district, null::varchar as township, null::varchar as address, count(*)::integer as received
  from topic_tickets group by all
  union all
  select 'township', coalesce(district, '未填'), coalesce(township, '未填'), null, count(*)::integer
  from topic_tickets group by all
  union all
  select 'address', coalesce(district, '未填'), coalesce(township, '未填'), address, count(*)::integer
  from topic_tickets where coalesce(address, '') <> '' group by all
)

select * from final order by level, received desc, district, township, address
