-- Tickets received per day in [$from, $to) (the counted tickets of stg_tickets): the monthly trend.
-- The days add up to the period's `received` KPI; days without tickets are absent (the report fills 0).
with counted as (
  select
    received_at::date as day,
  from stg_tickets
  where received_at >= $from::timestamp
    and received_at < $to::timestamp
),

final as (
  select
    strftime(day, '%Y-%m-%d') as day,
    count(*)::integer as received,
  from counted
  group by day
)

select * from final order by day
