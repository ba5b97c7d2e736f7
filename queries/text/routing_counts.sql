-- Where dispatched tickets went, by the operator's category and the place: the history the unit
-- router learns from. The held-out tenth of tickets (hash of the ticket number, as in
-- training_texts.sql) is left out. Unknown districts and townships stay unknown (null).
with dispatched as (
  select
    category_l1,
    category_l2,
    nullif(district, '未知区县') as district,
    nullif(township, '未知乡镇街道') as township,
    place,
    unit,
  from stg_tickets
  where category_source = 'operator'
    and trim(coalesce(unit, '')) <> ''
    and hash(ticket_id) % 10 <> 0
),

final as (
  select category_l1, category_l2, district, township, place, unit, count(*) as tickets,
  from dispatched
  group by all
)

select * from final
