-- How many requests a period has, and how many of them carry a text that hot-issue mining can
-- read: why 热点话题 is empty (no requests, an export without texts, or no two about one matter).
-- $consultations false leaves out the requests filed as 咨询, as topic_tickets.sql does.
select
  count(*)::integer as total,
  count(*) filter (where length(trim(coalesce(content, ''))) > 0)::integer as with_text,
from stg_tickets
where received_at >= $from::date
  and received_at < $to::date + interval 1 day
  and ($consultations or coalesce(appeal_type, '') <> '咨询')
