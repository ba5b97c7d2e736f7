-- Daily ticket counts per early-warning series (the counted tickets of stg_tickets), from $from
-- (inclusive) to $to (exclusive). One row per series and day that had tickets; the job fills the
-- zero days. A ticket without a second-level category counts in its first level's l2 series, and
-- one without a district in the '未知区县' series (both fallbacks are stg_tickets').
with counted as (
  select
    received_at::date as day,
    category_l1,
    category_l2_or_l1 as category_l2,
    district
  from stg_tickets
  where received_at >= $from and received_at < $to
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
