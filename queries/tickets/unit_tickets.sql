-- A unit's tickets behind its ranking figures, by $kind — the rows the metric files count:
--   overdue       dispatched to it in [$from, $to) and overdue at $as_of (queries/kpi/overdue.sql)
--   returned      dispatched to it in the period and returned at least once (return_rate.sql)
--   dissatisfied  called back in the period with 不满意 (satisfaction_rate.sql)
-- What a page may show of a ticket: no phone hash, no address, the text as masked at ingest.
with received as (
  select *
  from stg_tickets
  where unit = $unit
    and handling = '转办'
    and received_at >= $from::timestamp
    and received_at < $to::timestamp
),

chosen as (
  select * from received
  where $kind = 'overdue'
    and deadline_at is not null
    and (completed_at > deadline_at or (completed_at is null and deadline_at < $as_of::timestamp))
  union all
  select * from received
  where $kind = 'returned' and returned_count > 0
  union all
  select * from stg_tickets
  where $kind = 'dissatisfied'
    and unit = $unit
    and callback_at >= $from::timestamp
    and callback_at < $to::timestamp
    and satisfaction = '不满意'
),

final as (
  select
    ticket_id,
    strftime(received_at, '%Y-%m-%d %H:%M') as received_at,
    channel,
    appeal_type,
    category_l1,
    category_l2,
    category_l3,
    content,
    district,
    township,
    handling,
    unit,
    status,
    strftime(deadline_at, '%Y-%m-%d %H:%M') as deadline_at,
    strftime(completed_at, '%Y-%m-%d %H:%M') as completed_at,
    returned_count,
    satisfaction,
    resolved,
  from chosen
  order by chosen.received_at desc, ticket_id
  limit $limit
)

select * from final
