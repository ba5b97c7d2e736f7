-- The version of the rollups (kpi_daily, kpi_monthly, kpi_monthly_values, kpi_unit_tickets,
-- kpi_rollup_state): rebuilt together, stamped with the time and the definitions they were built with.
select
  refreshed_at,
  definition,
  rows,
from kpi_rollup_state
