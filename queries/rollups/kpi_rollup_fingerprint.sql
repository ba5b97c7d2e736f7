-- What the warehouse holds right now, cheaply: a rollup built from other data is stale. Every load
-- adds rows or stamps the rows it changes with a new, higher run id; the text model's suggestions
-- (which stg_tickets reads as the category fallback) are rewritten with a new time.
with final as (
  select
    (select count(*) from tickets) as tickets,
    (select coalesce(max(last_run_id), 0) from tickets) as tickets_last_run,
    (select count(*) from calls) as calls,
    (select coalesce(max(last_run_id), 0) from calls) as calls_last_run,
    (select count(*) from ticket_suggestions) as suggestions,
    (select coalesce(max(suggested_at)::varchar, '') from ticket_suggestions) as suggestions_at,
)

select * from final
