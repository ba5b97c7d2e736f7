-- Reads `topic_tickets`, the topic's tickets in [$from, $to) (topic_tickets.sql), which
-- reports/special.ts puts in front of this file as the first CTE.
callers as (
  select
    phone_hash,
    count(*) as tickets,
  from topic_tickets
  where coalesce(phone_hash, '') <> ''
  group by phone_hash
),

final as (
  select
    (select count(*) from topic_tickets)::integer as received,
    (select count(*) from topic_tickets where handling = '转办')::integer as dispatched,
    (select count(*) from topic_tickets where completed_at is not null or handling = '直接答复')::integer as completed,
    (select count(*) from topic_tickets where handling = '转办' and completed_at <= deadline_at)::integer as ontime_completed,
    (select count(*) from topic_tickets where satisfaction in ('满意', '基本满意', '不满意'))::integer as rated,
    (select count(*) from topic_tickets where satisfaction = '满意' or (satisfaction = '基本满意' and $basically_satisfied_counts))::integer as satisfied,
    (select count(*) from topic_tickets where resolved in ('已解决', '未解决'))::integer as resolution_known,
    (select count(*) from topic_tickets where resolved = '已解决')::integer as resolved,
    (select count(*) from callers where tickets >= 2)::integer as repeat_callers,
    (select coalesce(sum(tickets), 0) from callers where tickets >= 2)::integer as repeat_caller_tickets,
    (select count(*) from callers)::integer as callers,
)

select * from final
