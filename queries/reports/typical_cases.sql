-- Typical cases of a period: for each of the most frequent sub-categories, its most recent completed
-- ticket with a text, preferring ones with a callback. Text is masked at ingest; the report masks
-- digit runs again and escapes it.
with counted as (
  select
    *,
    category_l2_or_l1 as case_category,
  from stg_tickets
  where received_at >= $from::timestamp
    and received_at < $to::timestamp
),

top_categories as (
  select
    case_category,
    count(*) as n,
  from counted
  group by case_category
  order by n desc, case_category
  limit $limit
),

candidates as (
  select
    counted.ticket_id,
    strftime(counted.received_at, '%Y-%m-%d %H:%M') as received_at,
    counted.category_l1,
    counted.case_category as category,
    counted.district,
    counted.township,
    counted.content,
    counted.unit,
    counted.handling,
    counted.status,
    counted.satisfaction,
    counted.resolved,
    top_categories.n,
    row_number() over (
      partition by counted.case_category
      order by (counted.callback_at is not null) desc, counted.received_at desc, counted.ticket_id
    ) as pick,
  from counted
  join top_categories using (case_category)
  where coalesce(counted.content, '') <> ''
),

final as (
  select * exclude (pick) from candidates where pick = 1
)

select * from final order by n desc, category
