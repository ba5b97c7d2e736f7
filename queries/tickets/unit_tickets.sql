-- The tickets behind a unit's ranking figures, by kind and month:
--   overdue       dispatched with a deadline missed — completed after it, or not completed while it
--                 lies before $as_of (the rows queries/kpi/overdue.sql counts), in the month received;
--   returned      dispatched and returned at least once (return_rate.sql's numerator), in the month received;
--   dissatisfied  called back with 不满意 (satisfaction_rate.sql's 不满意), in the month of the callback,
--                 whatever month they were received in.
-- final: one unit's tickets of one kind for a drill-down ($unit, $kind, a month in [$from, $to)),
-- the newest $limit. unit_tickets with $unit and $kind null: every unit's, every kind, every month,
-- what the rollup stores (rollups.ts: kpi_unit_tickets, in the tickets' own order — by time, so a
-- month is a few neighbouring row groups — and read by stored_unit_tickets.sql).
-- (shown is not materialized: each kind reads only its own tickets' columns, filtered first)
with shown as not materialized (
  select *
  from stg_tickets_shown
  where ($unit is null or unit = $unit)
),

overdue as (
  select 'overdue' as kind, date_trunc('month', received_ts)::date as month, *
  from shown
  where handling = '转办'
    and received_ts >= $from::timestamp
    and received_ts < $to::timestamp
    and deadline_ts is not null
    and (completed_ts > deadline_ts or (completed_ts is null and deadline_ts < $as_of::timestamp))
),

returned as (
  select 'returned' as kind, date_trunc('month', received_ts)::date as month, *
  from shown
  where handling = '转办'
    and received_ts >= $from::timestamp
    and received_ts < $to::timestamp
    and returned_count > 0
),

dissatisfied as (
  select 'dissatisfied' as kind, date_trunc('month', callback_ts)::date as month, *
  from shown
  where callback_ts >= $from::timestamp
    and callback_ts < $to::timestamp
    and satisfaction = '不满意'
),

unit_tickets as (
  select * exclude (deadline_ts, completed_ts, callback_ts)
  from (
    select * from overdue
    union all
    select * from returned
    union all
    select * from dissatisfied
  ) as kinds
  where ($kind is null or kind = $kind)
    and unit is not null
),

final as (
  select * exclude (kind, month, received_ts)
  from unit_tickets
  order by received_ts desc, ticket_id
  limit $limit
)

select * from final
