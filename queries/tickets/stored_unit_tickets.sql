-- A unit's overdue, returned or dissatisfied tickets of one month as the rollup stored them
-- (kpi_unit_tickets: queries/tickets/unit_tickets.sql for every unit, kind and month, built with
-- the rollup's as-of time), newest first.
with final as (
  select * exclude (kind, month, received_ts)
  from kpi_unit_tickets
  where month = $month::date
    and unit = $unit
    and kind = $kind
  order by received_ts desc, ticket_id
  limit $limit
)

select * from final
