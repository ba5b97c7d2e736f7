-- The version of `tickets`: every load adds rows or stamps the rows it changes with a new, higher
-- run id, and moves the newest activity; three aggregates the table's statistics answer cheaply.
select
  count(*) as rows,
  max(last_run_id) as last_run,
  max(activity_at) as newest,
from tickets
