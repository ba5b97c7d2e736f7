-- Returned (退单) tickets of a period with the unit they went to and the unit the routing history
-- suggests for their category and place (ticket_suggestions.unit), newest first.
with returned as (
  select
    t.ticket_id,
    strftime(t.received_at, '%Y-%m-%d %H:%M') as received_at,
    t.category_l1,
    t.category_l2,
    t.district,
    t.township,
    t.unit,
    t.returned_count,
    t.status,
    t.content,
    s.unit as suggested_unit,
    s.unit_confidence,
    s.unit_basis,
  from stg_tickets t
  left join ticket_suggestions s using (ticket_id)
  where coalesce(t.returned_count, 0) > 0
    and t.received_at >= $from::date
    and t.received_at < $to::date + interval 1 day
),

final as (
  select * from returned
  order by received_at desc, ticket_id
  limit $limit
)

select * from final
