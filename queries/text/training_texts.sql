-- Labelled request texts for the category classifier, from the operators' own categories (never
-- from suggestions). Training: a class-balanced sample, the newest $per_class tickets of each
-- 一级/二级 pair (balance helps small categories; recency follows how categories are used now).
-- Held out: one ticket in ten by a hash of its number, never trained on, at most $held_out of them
-- in their natural mix (so accuracy means what users will see).
with labelled as (
  select
    ticket_id,
    content,
    category_l1,
    category_l2,
    received_at,
    hash(ticket_id) % 10 = 0 as held_out,
  from stg_tickets
  where category_source = 'operator'
    and length(trim(coalesce(content, ''))) >= 4
),

training as (
  select *
  from labelled
  where not held_out
  qualify row_number() over (partition by category_l1, category_l2 order by received_at desc, ticket_id) <= $per_class
),

held_out as (
  select *
  from labelled
  where held_out
  order by hash(ticket_id || '#sample')
  limit $held_out
),

final as (
  select ticket_id, content, category_l1, category_l2, held_out from training
  union all
  select ticket_id, content, category_l1, category_l2, held_out from held_out
)

select * from final
