-- A unit's dissatisfied tickets: called back in [$from, $to) with 不满意, whatever month they were
-- received in (the rows queries/kpi/satisfaction_rate.sql counts against its numerator).
with final as (
  select * exclude (received_ts, deadline_ts, completed_ts, callback_ts)
  from stg_tickets_shown
  where unit = $unit
    and callback_ts >= $from::timestamp
    and callback_ts < $to::timestamp
    and satisfaction = '不满意'
  order by received_ts desc, ticket_id
  limit $limit
)

select * from final
