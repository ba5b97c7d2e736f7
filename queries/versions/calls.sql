-- The version of `calls`, as for tickets (versions/tickets.sql).
select
  count(*) as rows,
  max(last_run_id) as last_run,
  max(activity_at) as newest,
from calls
