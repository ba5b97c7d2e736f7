-- The busiest week of one category in the year before $to (weeks start on Monday).
with weekly as (
  select date_trunc('week', received_at)::date as week, count(*) as n
  from stg_tickets
  where received_at >= $to::timestamp - interval 365 day and received_at < $to::timestamp
    and (($level = 'l1' and category_l1 = $category) or ($level = 'l2' and category_l2_or_l1 = $category))
  group by all
),
final as (
  select week, n from weekly order by n desc, week limit 1
)
select * from final
