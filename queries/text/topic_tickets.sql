-- Requests of a period, as hot-issue mining reads them: text, place, caller (hashed), readers'
-- reactions, and the category (the operator's, else the text model's suggestion; see stg_tickets).
-- $consultations false leaves out the requests filed as 咨询 (routine questions: hot issues of
-- problems only), $praise false those filed as 表扬 (thanks after a fix are no surge to alarm on);
-- a request without an appeal type stays.
with period as (
  select
    ticket_id,
    strftime(received_at, '%Y-%m-%d %H:%M:%S') as received_at,
    content,
    nullif(district, '未知区县') as district,
    nullif(township, '未知乡镇街道') as township,
    -- the address itself (hot-issue mining drops its numbers); stg_tickets.place is only a compound
    address as place,
    phone_hash,
    likes,
    dislikes,
    category_l1 as category,
    category_l2,
    -- the compound: what an address burst counts, so the alert job can tell a surge's share of one
    place as compound,
  from stg_tickets
  where received_at >= $from::date
    and received_at < $to::date + interval 1 day
    and length(trim(coalesce(content, ''))) > 0
    and ($consultations or coalesce(appeal_type, '') <> '咨询')
    and ($praise or coalesce(appeal_type, '') <> '表扬')
),

final as (
  select * from period
)

select * from final order by received_at, ticket_id
