-- Listed tickets in [$from, $to): a topic surge's, which counts tickets by their text rather than
-- by a filter. The same columns as series_tickets.sql, for the same e-mail and page.
with listed as (
  select
    ticket_id,
    received_at,
    content,
    address,
    nullif(township, '未知乡镇街道') as township,
    place,
    category_l2_or_l1 as category_l2,
  from stg_tickets
  where received_at >= $from::timestamp and received_at < $to::timestamp
    and list_contains($ids::varchar[], ticket_id)
),

final as (
  select * from listed
)

select * from final order by received_at desc
