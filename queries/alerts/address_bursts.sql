-- Bursts at one address or residential compound within hours (a water outage, a heating failure):
-- tickets received in [$from, $to) grouped by the compound part of the address (up to 小区/花园/
-- 苑/家园/公寓/村/号院 when present), with how many the same place had in the previous 30 days.
with recent as (
  select
    coalesce(regexp_extract(address, '^(.*?(小区|花园|苑|家园|公寓|号院|村))', 1), address) as place,
    district, township, category_l1, coalesce(category_l2, category_l1) as category_l2, received_at
  from tickets
  where status <> '已撤销' and address is not null
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
    coalesce(regexp_extract(address, '^(.*?(小区|花园|苑|家园|公寓|号院|村))', 1), address) as place,
    count(*) as n
  from tickets
  where status <> '已撤销' and address is not null
    and received_at >= $from::timestamp - interval 30 day and received_at < $from::timestamp
  group by place
),
final as (
  select b.*, coalesce(h.n, 0) as previous_30_days
  from bursts as b left join history as h using (place)
)
select * from final order by n desc
