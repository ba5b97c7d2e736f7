-- The rollup's rows for one dimension over a whole-day period [$from_day, $to_day): the same
-- additive sums the direct query computes from the tickets, already summed per day.
with final as (
  select * exclude (day, anchor)
  from kpi_daily
  where dimension = $dimension
    and day >= $from_day::date
    and day < $to_day::date
)

select * from final
