-- The busiest week of one category in the year before $to (weeks start on Monday).
with weekly as (
  select date_trunc('week', received_at)::date as week, count(*) as n
  from tickets
  where status <> '已撤销' and received_at >= $to::timestamp - interval 365 day and received_at < $to::timestamp
    and (($level = 'l1' and category_l1 = $category) or ($level = 'l2' and coalesce(category_l2, category_l1) = $category))
  group by all
),
final as (
  select week, n from weekly order by n desc, week limit 1
)
select * from final
