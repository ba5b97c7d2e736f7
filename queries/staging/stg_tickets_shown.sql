-- stg_tickets_shown: a counted ticket (stg_tickets) as a page may show it — no phone hash, no
-- address, the text as masked at ingest, times as text 'YYYY-MM-DD HH:mm' — and, under names ending
-- in _ts, the times a page filters and sorts by (never shown). The sample and drill-down ticket
-- lists (queries/tickets/) read this model only, so no page can select more of a ticket.
with final as (
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
    received_at as received_ts,
    deadline_at as deadline_ts,
    completed_at as completed_ts,
    callback_at as callback_ts,
  from stg_tickets
)

select * from final
