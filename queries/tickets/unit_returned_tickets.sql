-- A unit's returned tickets: dispatched to it in [$from, $to) and returned at least once (the rows
-- queries/kpi/return_rate.sql counts in its numerator).
with final as (
  select * exclude (received_ts, deadline_ts, completed_ts, callback_ts)
  from stg_tickets_shown
  where unit = $unit
    and handling = '转办'
    and received_ts >= $from::timestamp
    and received_ts < $to::timestamp
    and returned_count > 0
  order by received_ts desc, ticket_id
  limit $limit
)

select * from final
