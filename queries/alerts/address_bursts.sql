-- Bursts at one address or residential compound within hours (a water outage, a heating failure):
-- tickets received in [$from, $to) grouped by their place (stg_tickets: the compound part of the
-- address when there is one), with how many the same place had in the previous 30 days.
with recent as (
  select
    place,
    district, township, category_l1, category_l2_or_l1 as category_l2, received_at
  from stg_tickets
  where address is not null
    and received_at >= $from::timestamp and received_at < $to::timestamp
),
bursts as (
  select place, any_value(district) as district, any_value(township) as township,
    mode(category_l1) as category_l1, mode(category_l2) as category_l2,
    count(*) as n, min(received_at) as first_at, max(received_at) as last_at
  from recent
  group by place
  having count(*) >= $min_count
),
history as (
  select
    place,
    count(*) as n
  from stg_tickets
  where address is not null
    and received_at >= $from::timestamp - interval 30 day and received_at < $from::timestamp
  group by place
),
final as (
  select b.*, coalesce(h.n, 0) as previous_30_days
  from bursts as b left join history as h using (place)
)
select * from final order by n desc
