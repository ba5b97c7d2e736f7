-- 疑似分类不符: tickets of a period whose text strongly disagrees with the operator's category
-- (ticket_suggestions.mismatch, see pipelines/text/suggest.ts), most confident first.
with judged as (
  select
    t.ticket_id,
    strftime(t.received_at, '%Y-%m-%d %H:%M') as received_at,
    t.category_l1 as operator_l1,
    t.category_l2 as operator_l2,
    s.category_l1 as suggested_l1,
    s.category_l2 as suggested_l2,
    s.mismatch,
    -- the confidence of the level that disagrees
    case when s.mismatch = 'l1' then s.l1_confidence else s.confidence / nullif(s.l1_confidence, 0) end as confidence,
    s.operator_confidence,
    t.district,
    t.township,
    t.content,
  from stg_tickets t
  join ticket_suggestions s using (ticket_id)
  where s.mismatch is not null
    and t.category_source = 'operator'
    -- (a thank-you is never judged so; a suggestion stored before that rule is not listed either)
    and t.appeal_type is distinct from '表扬'
    and t.received_at >= $from::date
    and t.received_at < $to::date + interval 1 day
),

final as (
  select *, count(*) over () as total,
  from judged
  order by confidence desc, received_at desc, ticket_id
  limit $limit
)

select * from final
