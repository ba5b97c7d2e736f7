-- Reads `topic_received`, the topic's tickets received in [$from, $to) (topic_received.sql), which
-- reports/special.ts puts in front of this file as the first CTE. Addresses are counted by their
-- place (stg_tickets: the compound, village or street address), not building by building.
final as (
  select 'district' as level, district, null::varchar as township, null::varchar as address, count(*)::integer as received
  from topic_received group by all
  union all
  select 'township', district, township, null, count(*)::integer
  from topic_received group by all
  union all
  select 'address', district, mode(township), place, count(*)::integer
  from topic_received where place is not null group by district, place
)

select * from final order by level, received desc, district, township, address
