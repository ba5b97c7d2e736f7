-- Held-out dispatched tickets (the tenth that routing_counts.sql leaves out), newest first, to
-- measure the unit router against "the unit most often used for that category".
with held_out as (
  select
    ticket_id,
    content,
    category_l1,
    category_l2,
    nullif(district, '未知区县') as district,
    nullif(township, '未知乡镇街道') as township,
    place,
    unit,
    received_at,
  from stg_tickets
  where category_source = 'operator'
    and trim(coalesce(unit, '')) <> ''
    and hash(ticket_id) % 10 = 0
),

final as (
  select ticket_id, content, category_l1, category_l2, district, township, place, unit,
  from held_out
  order by received_at desc, ticket_id
  limit $limit
)

select * from final
