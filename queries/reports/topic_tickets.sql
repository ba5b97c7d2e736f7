-- The topic's tickets in [$from, $to): counted tickets (stg_tickets) whose category_l1 or category_l2 among
-- $categories, or the text containing one of $keywords (both '|'-separated lists, either may be empty).
-- The anchor of every topic_*.sql file: one definition of which tickets a special report counts.
select
  *,
from stg_tickets
where received_at >= $from::timestamp
  and received_at < $to::timestamp
  and (
    list_contains(string_split($categories, '|'), category_l1)
    or list_contains(string_split($categories, '|'), category_l2)
    or len(list_filter(string_split($keywords, '|'), k -> k <> '' and contains(coalesce(content, ''), k))) > 0
  )
