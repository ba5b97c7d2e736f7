-- The tickets of one early-warning series on one day: the evidence an alert e-mail shows.
-- $level says which of $l1, $l2, $district, $place apply (the series of daily_series_counts.sql).
with series as (
  select ticket_id, received_at, content, address, township, place
  from stg_tickets
  where received_at >= $from and received_at < $to
    and ($level not in ('l1', 'l1_district') or category_l1 = $l1)
    and ($level not in ('l2', 'l2_district') or category_l2_or_l1 = $l2)
    and ($level not in ('district', 'l1_district', 'l2_district') or district = $district)
),
final as (
  select * from series where $level <> 'incident' or place = $place
)
select * from final order by received_at desc
