-- Tickets the current text model has not judged yet: every ticket without an operator's category,
-- and the last $days days of the rest (for the 疑似分类不符 and 退单 lists), unless a suggestion of
-- this model version already stands for the ticket as it is now.
with newest as (
  select max(received_at) as received_at from stg_tickets
),

in_scope as (
  select stg_tickets.*
  from stg_tickets, newest
  where stg_tickets.category_source is distinct from 'operator'
    or stg_tickets.received_at >= newest.received_at - to_days($days::integer)
),

final as (
  select
    s.ticket_id,
    s.last_run_id,
    coalesce(s.content, '') as content,
    case when s.category_source = 'operator' then s.category_l1 end as category_l1,
    case when s.category_source = 'operator' then s.category_l2 end as category_l2,
    nullif(s.district, '未知区县') as district,
    nullif(s.township, '未知乡镇街道') as township,
    s.place,
    s.appeal_type,
  from in_scope s
  left join ticket_suggestions g using (ticket_id)
  where g.ticket_id is null
    or g.model_version <> $model_version
    or g.ticket_run_id < s.last_run_id
)

select * from final
