-- The latest deadline among the tickets dispatched in the period: until the data's as-of time
-- passes it, some of the period's tickets are still due, so the figures that count completions,
-- signatures, returns or callbacks are still moving (未满期). Combined across days by max, not sum.
with final as (
  select
    max(deadline_at) filter (where handling = '转办') as latest_deadline_at,
  from received_tickets
)

select * from final
