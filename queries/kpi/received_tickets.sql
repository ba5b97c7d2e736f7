-- Tickets counted in a period by their receipt: received_at in [$from, $to). Every "received in
-- M" and "dispatched in M" figure is an aggregate over these rows (重复诉求率 over the same tickets
-- with their callers' history: received_callers.sql).
with final as (
  select
    *,
    received_at as counted_at,
  from kpi_tickets
  where received_at >= $from::timestamp
    and received_at < $to::timestamp
)

select * from final
