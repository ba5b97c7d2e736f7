-- Bursts at one place (stg_tickets.place: a residential compound, village or street address) within
-- $hours hours (6 for a burst, 168 for a streak of a week): for every hour ending in ($from, $to],
-- the tickets of each place in the $hours hours before it, against what the same place had in the
-- 30 days before that window. Hours in a row that reach $min_count tickets (and five times the
-- place's usual rate) are one burst, told by its busiest window. With $split_days (a streak), one
-- per calendar day of the stretch, and only on a day that raises the stretch's count above every
-- window before it (seen a window's length back): a week that stays as high alarmed when it got
-- there, and the days after a one-day outage, whose weeks still hold it, are not new.
-- $places: how many places had tickets (the tests made, for Bonferroni).
with located as (
  select
    nullif(district, '未知区县') as district,
    nullif(township, '未知乡镇街道') as township,
    place,
    nullif(category_l1, '未分类') as category_l1,
    nullif(category_l2_or_l1, '未分类') as category_l2,
    received_at,
    date_trunc('hour', received_at) as hour,
  from stg_tickets
  where place is not null
    and received_at >= $from::timestamp - interval 30 day - to_hours($hours::bigint * case when $split_days then 2 else 1 end)
    and received_at < $to::timestamp
),

hourly as (
  select district, place, hour, count(*) as n,
  from located
  where place is not null
  group by all
),

windows as (
  select
    district, place,
    hour + interval 1 hour as window_end,
    sum(n) over (partition by district, place order by hour
      range between to_hours($hours::bigint - 1) preceding and current row) as n,
    coalesce(sum(n) over (partition by district, place order by hour
      range between to_hours(720 + $hours::bigint - 1) preceding and to_hours($hours::bigint) preceding), 0) as previous_30_days,
  from hourly
),

qualifying as (
  select *,
    -- a new burst starts where the last qualifying window of the place ended more than $hours ago
    case when window_end - lag(window_end) over (partition by district, place order by window_end) <= to_hours($hours::bigint) then 0 else 1 end as starts,
  from windows
  where window_end > $from::timestamp - to_hours(case when $split_days then $hours::bigint else 0 end)
    and window_end <= $to::timestamp + interval 1 hour
    and n >= $min_count
    and n * 720 >= 5 * greatest(previous_30_days, 1) * $hours::bigint
),

numbered as (
  select *, sum(starts) over (partition by district, place order by window_end rows unbounded preceding) as stretch,
  from qualifying
),

stretches as (
  select * from (
    select *,
      n > coalesce(max(n) over (partition by district, place, stretch order by window_end rows between unbounded preceding and 1 preceding), 0) as record,
    from numbered
  )
  where window_end > $from::timestamp and (record or not $split_days)
),

peaks as (
  select district, place,
    arg_max(window_end, n) as window_end,
    max(n) as n,
    arg_max(previous_30_days, n) as previous_30_days,
  from stretches
  group by district, place, stretch, case when $split_days then (window_end - interval 1 hour)::date end
),

tested as (
  select count(distinct (district, place)) as places from hourly
  where hour >= $from::timestamp - to_hours($hours::bigint)
),

final as (
  select
    peaks.district,
    mode(located.township) as township,
    peaks.place,
    mode(located.category_l1) as category_l1,
    mode(located.category_l2) as category_l2,
    peaks.n::integer as n,
    strftime(min(located.received_at), '%Y-%m-%d %H:%M:%S') as first_at,
    strftime(max(located.received_at), '%Y-%m-%d %H:%M:%S') as last_at,
    strftime(peaks.window_end, '%Y-%m-%d %H:%M:%S') as window_end,
    peaks.previous_30_days::integer as previous_30_days,
    any_value(tested.places)::integer as places,
  from peaks
  join located
    on located.place = peaks.place
    and located.district is not distinct from peaks.district
    and located.received_at >= peaks.window_end - to_hours($hours::bigint)
    and located.received_at < peaks.window_end
  cross join tested
  group by all
)

select * from final order by window_end, n desc
