-- A special-report topic's tickets, any time: counted tickets (stg_tickets) whose category_l1 or
-- category_l2 is among $categories, or whose text contains one of $keywords (both '|'-separated
-- lists, either may be empty). One definition of which tickets a topic is: the KPIs of a special
-- report read it as their ticket filter (the same metric files as every KPI), and topic_received.sql
-- narrows it to the report's period for the descriptive figures. A hot issue (热点话题) lists its
-- tickets ($ticket_ids, '|'-separated): then the topic is exactly those, whatever its words.
select
  *,
from stg_tickets
where case
  when $ticket_ids <> '' then list_contains(string_split($ticket_ids, '|'), ticket_id)
  else list_contains(string_split($categories, '|'), category_l1)
    or list_contains(string_split($categories, '|'), category_l2)
    or len(list_filter(string_split($keywords, '|'), k -> k <> '' and contains(coalesce(content, ''), k))) > 0
end
