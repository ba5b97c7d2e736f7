-- What the category names themselves say: every 一级/二级 pair with its 三级 names, from the
-- reference taxonomy (the categories table, e.g. a published category list) and from the
-- categories operators used. The classifier reads each pair as one extra labelled text.
with used as (
  select category_l1, category_l2, category_l3,
  from stg_tickets
  where category_source = 'operator'
  group by all
),

reference as (
  select category_l1, nullif(trim(category_l2), '') as category_l2, nullif(trim(category_l3), '') as category_l3,
  from categories
  where trim(coalesce(category_l1, '')) not in ('', '未分类')
  group by all
),

pairs as (
  select category_l1, category_l2, category_l3 from used
  union
  select category_l1, category_l2, category_l3 from reference
),

final as (
  select
    category_l1,
    category_l2,
    string_agg(distinct category_l3, ' ' order by category_l3) as category_l3_names,
  from pairs
  group by category_l1, category_l2
)

select * from final order by category_l1, category_l2 nulls first
