-- 专席队列 per ticket: the queue of the first call linked to the ticket (calls.ticket_id); on equal
-- call times the smaller call_id wins, so the answer never depends on row order. A ticket without a
-- linked call has no queue (it came in by WeChat, the website, …).
with linked_calls as (
  select
    ticket_id,
    queue,
    call_at,
    call_id,
  from calls
  where coalesce(ticket_id, '') <> ''
),

final as (
  select
    ticket_id,
    arg_min(queue, (call_at, call_id)) as queue,
  from linked_calls
  group by ticket_id
)

select * from final
