-- Daily ticket counts of every early-warning series in [$from, $to) (the counted tickets of
-- stg_tickets), one row per series: the days that had tickets (as offsets from $from) and their
-- counts; the job fills the zero days. A ticket without a category ('未分类') counts only in its
-- district's series, one without a district ('未知区县') only in the prefecture-wide ones: neither
-- is a topic or a place to alarm about, and as a series '未知区县' would repeat the prefecture's
-- own tickets when an export has no districts at all.
with counted as (
  select
    datediff('day', $from::date, received_at::date)::integer as day,
    nullif(category_l1, '未分类') as category_l1,
    nullif(category_l2_or_l1, '未分类') as category_l2,
    nullif(district, '未知区县') as district,
  from stg_tickets
  where received_at >= $from::timestamp and received_at < $to::timestamp
),

daily as (
  select day, category_l1, category_l2, district, count(*) as n,
  from counted
  group by all
),

by_series as (
  select 'l1' as level, category_l1, null::varchar as category_l2, null::varchar as district, day, sum(n) as n,
  from daily where category_l1 is not null group by all
  union all
  select 'l2', any_value(category_l1), category_l2, null, day, sum(n)
  from daily where category_l2 is not null group by category_l2, day
  union all
  select 'district', null, null, district, day, sum(n)
  from daily where district is not null group by all
  union all
  select 'l1_district', category_l1, null, district, day, sum(n)
  from daily where category_l1 is not null and district is not null group by all
  union all
  select 'l2_district', any_value(category_l1), category_l2, district, day, sum(n)
  from daily where category_l2 is not null and district is not null group by category_l2, district, day
),

keyed as (
  select *,
    case level
      when 'l1' then 'l1=' || category_l1
      when 'l2' then 'l2=' || category_l2
      when 'district' then 'district=' || district
      when 'l1_district' then 'l1=' || category_l1 || '|district=' || district
      else 'l2=' || category_l2 || '|district=' || district
    end as series_key,
  from by_series
),

final as (
  select
    level,
    series_key,
    any_value(category_l1) as category_l1,
    any_value(category_l2) as category_l2,
    any_value(district) as district,
    list(day order by day) as days,
    list(n::integer order by day) as counts,
    sum(n)::integer as total,
  from keyed
  group by level, series_key
)

select * from final order by series_key
