-- The newest counted tickets received in [$from, $to), narrowed by a district path ($district,
-- $township) and a category path ($l1, $l2, $l3) — each null when not chosen.
with final as (
  select * exclude (deadline_at, completed_at, returned_count, satisfaction, resolved, received_ts, deadline_ts, completed_ts, callback_ts)
  from stg_tickets_shown
  where received_ts >= $from::timestamp
    and received_ts < $to::timestamp
    and ($district is null or district = $district)
    and ($township is null or township = $township)
    and ($l1 is null or category_l1 = $l1)
    and ($l2 is null or category_l2 = $l2)
    and ($l3 is null or category_l3 = $l3)
  order by received_ts desc, ticket_id
  limit $limit
)

select * from final
