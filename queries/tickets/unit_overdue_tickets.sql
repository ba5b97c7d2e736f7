-- A unit's overdue tickets: dispatched to it in [$from, $to) with a deadline missed — completed
-- after it, or not completed while it lies before $as_of (the rows queries/kpi/overdue.sql counts).
with final as (
  select * exclude (received_ts, deadline_ts, completed_ts, callback_ts)
  from stg_tickets_shown
  where unit = $unit
    and handling = '转办'
    and received_ts >= $from::timestamp
    and received_ts < $to::timestamp
    and deadline_ts is not null
    and (completed_ts > deadline_ts or (completed_ts is null and deadline_ts < $as_of::timestamp))
  order by received_ts desc, ticket_id
  limit $limit
)

select * from final
