-- Where dispatched tickets went, by category and place: the history the unit router learns from.
-- The held-out tenth of tickets (hash of the ticket number, as in training_texts.sql) is left out.
with dispatched as (
  select
    t.category_l1,
    nullif(trim(t.category_l2), '') as category_l2,
    nullif(trim(t.district), '') as district,
    nullif(trim(t.township), '') as township,
    p.place,
    t.unit,
  from tickets t
  join ticket_places p using (ticket_id)
  where trim(coalesce(t.unit, '')) <> ''
    and trim(coalesce(t.category_l1, '')) not in ('', '未分类')
    and hash(t.ticket_id) % 10 <> 0
),

final as (
  select category_l1, category_l2, district, township, place, unit, count(*) as tickets,
  from dispatched
  group by all
)

select * from final
