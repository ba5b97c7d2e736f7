-- Tickets counted in a period by their callback (回访): non-withdrawn, callback_at in [$from, $to),
-- whatever month they were received in. 满意率 and 解决率 are aggregates over these rows.
with final as (
  select
    *,
    callback_at as counted_at,
  from kpi_tickets
  where callback_at >= $from::timestamp
    and callback_at < $to::timestamp
)

select * from final
