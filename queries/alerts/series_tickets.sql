-- The tickets of one early-warning series on one day: the evidence an alert e-mail shows.
-- $level says which of $l1, $l2, $district, $place apply.
with series as (
  select ticket_id, received_at, content, address, township,
    coalesce(regexp_extract(address, '^(.*?(小区|花园|苑|家园|公寓|号院|村))', 1), address) as place
  from tickets
  where status <> '已撤销'
    and received_at >= $from and received_at < $to
    and ($level not in ('l1', 'l1_district') or category_l1 = $l1)
    and ($level not in ('l2', 'l2_district') or coalesce(category_l2, category_l1) = $l2)
    and ($level not in ('district', 'l1_district', 'l2_district') or coalesce(district, '未知区县') = $district)
),
final as (
  select * from series where $level <> 'incident' or place = $place
)
select * from final order by received_at desc
