-- Returned (退单) tickets of a period with the unit they went to and the unit the routing history
-- suggests for their category and place (ticket_suggestions.unit): those whose suggestion is another
-- unit first (the ones to act on), each part newest first; every row carries the period's counts.
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
    s.unit is not null and s.unit is distinct from t.unit as suggests_other,
  from stg_tickets t
  left join ticket_suggestions s using (ticket_id)
  where coalesce(t.returned_count, 0) > 0
    and t.received_at >= $from::date
    and t.received_at < $to::date + interval 1 day
),

final as (
  select *,
    count(*) over () as total,
    count(*) filter (where suggests_other) over () as total_other,
  from returned
  order by suggests_other desc, received_at desc, ticket_id
  limit $limit
)

select * from final
