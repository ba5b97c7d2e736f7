-- The version of `ticket_suggestions` (stg_tickets' category fallback): rewritten per load with
-- the time of the suggestion.
select
  count(*) as rows,
  max(suggested_at) as newest,
from ticket_suggestions
