-- Daily ticket counts per early-warning series, withdrawn tickets excluded, from $from (inclusive)
-- to $to (exclusive). One row per series and day that had tickets; the job fills the zero days.
with counted as (
  select
    received_at::date as day,
    category_l1,
    coalesce(category_l2, category_l1) as category_l2,
    coalesce(district, '未知区县') as district
  from tickets
  where status <> '已撤销'
    and received_at >= $from and received_at < $to
),
by_series as (
  select 'l1' as level, 'l1=' || category_l1 as series_key, category_l1, null as category_l2, null as district, day, count(*) as n
  from counted group by all
  union all
  select 'l2', 'l2=' || category_l2, category_l1, category_l2, null, day, count(*)
  from counted group by all
  union all
  select 'district', 'district=' || district, null, null, district, day, count(*)
  from counted group by all
  union all
  select 'l1_district', 'l1=' || category_l1 || '|district=' || district, category_l1, null, district, day, count(*)
  from counted group by all
  union all
  select 'l2_district', 'l2=' || category_l2 || '|district=' || district, category_l1, category_l2, district, day, count(*)
  from counted group by all
),
final as (
  select level, series_key, category_l1, category_l2, district, day, n::integer as n from by_series
)
select * from final order by series_key, day
