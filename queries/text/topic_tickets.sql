-- Requests of a period, as hot-issue mining reads them: text, place, caller (hashed), readers'
-- reactions, and the category — the operator's, else the text model's suggestion.
with period as (
  select
    t.ticket_id,
    strftime(t.received_at, '%Y-%m-%d %H:%M:%S') as received_at,
    t.content,
    nullif(trim(t.district), '') as district,
    nullif(trim(t.township), '') as township,
    p.place,
    t.phone_hash,
    t.likes,
    t.dislikes,
    case
      when trim(coalesce(t.category_l1, '')) not in ('', '未分类') then t.category_l1
      else s.category_l1
    end as category,
  from tickets t
  join ticket_places p using (ticket_id)
  left join ticket_suggestions s using (ticket_id)
  where t.received_at >= $from::date
    and t.received_at < $to::date + interval 1 day
    and t.status <> '已撤销'
    and length(trim(coalesce(t.content, ''))) > 0
),

final as (
  select * from period
)

select * from final order by received_at, ticket_id
