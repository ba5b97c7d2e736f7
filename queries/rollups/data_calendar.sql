-- The months the warehouse holds tickets for, and its last day with tickets: what the pages offer
-- in the month filter (a state of the data, so every ticket counts, withdrawn or not); and whether
-- the month before the last holds tickets at all (a gap: the data of two periods, or an export
-- of a single day), which decides the month a page opens on (freshness.ts, dataCalendar).
with bounds as (
  select min(received_at) as first_at, max(received_at) as last_at
  from tickets
),

final as (
  select
    strftime(first_at, '%Y-%m') as first,
    strftime(last_at, '%Y-%m') as last,
    strftime(last_at, '%Y-%m-%d') as "lastDay",
    exists (
      select 1 from tickets
      where received_at >= date_trunc('month', bounds.last_at) - interval 1 month
        and received_at < date_trunc('month', bounds.last_at)
    ) as "previousHasData",
  from bounds
)

select * from final
