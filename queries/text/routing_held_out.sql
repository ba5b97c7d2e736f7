-- Held-out dispatched tickets (the tenth that routing_counts.sql leaves out), newest first, to
-- measure the unit router against "the unit most often used for that category".
with held_out as (
  select
    t.ticket_id,
    t.content,
    t.category_l1,
    nullif(trim(t.category_l2), '') as category_l2,
    nullif(trim(t.district), '') as district,
    nullif(trim(t.township), '') as township,
    p.place,
    t.unit,
    t.received_at,
  from tickets t
  join ticket_places p using (ticket_id)
  where trim(coalesce(t.unit, '')) <> ''
    and trim(coalesce(t.category_l1, '')) not in ('', '未分类')
    and hash(t.ticket_id) % 10 = 0
),

final as (
  select ticket_id, content, category_l1, category_l2, district, township, place, unit,
  from held_out
  order by received_at desc, ticket_id
  limit $limit
)

select * from final
