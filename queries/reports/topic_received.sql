-- The topic's tickets received in [$from, $to): what every descriptive topic_*.sql file reads.
-- Reads topic_tickets (topic_tickets.sql), put in front of it by reports/special.ts.
select
  *,
from topic_tickets
where received_at >= $from::timestamp
  and received_at < $to::timestamp
