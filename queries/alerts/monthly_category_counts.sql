-- Monthly ticket counts per first- and second-level category (the counted tickets of stg_tickets),
-- for the seasonal profile and the next month's outlook.
with counted as (
  select date_trunc('month', received_at)::date as month, category_l1, category_l2_or_l1 as category_l2
  from stg_tickets
  where received_at < $to
),
final as (
  select 'l1' as level, category_l1 as category, month, count(*)::integer as n from counted group by all
  union all
  select 'l2', category_l2, month, count(*)::integer from counted group by all
)
select * from final order by level, category, month
