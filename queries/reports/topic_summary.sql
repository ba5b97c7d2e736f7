-- Reads `topic_received`, the topic's tickets received in [$from, $to) (topic_received.sql), which
-- reports/special.ts puts in front of this file as the first CTE. The callers who came back about
-- the topic within the period (counts only, never the hashes). The topic's KPIs are not here: they
-- are the metric files' own, with the topic as the ticket filter.
callers as (
  select
    phone_hash,
    count(*) as tickets,
  from topic_received
  where coalesce(phone_hash, '') <> ''
  group by phone_hash
),

final as (
  select
    (select count(*) from callers where tickets >= 2)::integer as repeat_callers,
    (select coalesce(sum(tickets), 0) from callers where tickets >= 2)::integer as repeat_caller_tickets,
    (select count(*) from callers)::integer as callers,
)

select * from final
