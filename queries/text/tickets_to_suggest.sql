-- Tickets the current text model has not judged yet: every ticket without an operator's category,
-- and the last $days days of the rest (for the 疑似分类不符 and 退单 lists), unless a suggestion of
-- this model version already stands for the ticket as it is now.
with newest as (
  select max(received_at) as received_at from tickets
),

in_scope as (
  select t.*
  from tickets t, newest
  where t.status <> '已撤销'
    and (trim(coalesce(t.category_l1, '')) in ('', '未分类') or t.received_at >= newest.received_at - to_days($days::integer))
),

final as (
  select
    s.ticket_id,
    s.last_run_id,
    coalesce(s.content, '') as content,
    nullif(nullif(trim(s.category_l1), ''), '未分类') as category_l1,
    nullif(trim(s.category_l2), '') as category_l2,
    nullif(trim(s.district), '') as district,
    nullif(trim(s.township), '') as township,
    p.place,
  from in_scope s
  join ticket_places p using (ticket_id)
  left join ticket_suggestions g using (ticket_id)
  where g.ticket_id is null
    or g.model_version <> $model_version
    or g.ticket_run_id < s.last_run_id
)

select * from final
