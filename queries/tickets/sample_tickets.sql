-- The newest counted tickets received in [$from, $to), narrowed by a district path ($district,
-- $township) and a category path ($l1, $l2, $l3) — each null when not chosen. What a page may show
-- of a ticket: no phone hash, no address, the text as masked at ingest.
with final as (
  select
    ticket_id,
    strftime(received_at, '%Y-%m-%d %H:%M') as received_at,
    channel,
    appeal_type,
    category_l1,
    category_l2,
    category_l3,
    content,
    district,
    township,
    handling,
    unit,
    status,
  from stg_tickets
  where received_at >= $from::timestamp
    and received_at < $to::timestamp
    and ($district is null or district = $district)
    and ($township is null or township = $township)
    and ($l1 is null or category_l1 = $l1)
    and ($l2 is null or category_l2 = $l2)
    and ($l3 is null or category_l3 = $l3)
  order by stg_tickets.received_at desc, ticket_id
  limit $limit
)

select * from final
