-- The first and the last day with counted tickets (stg_tickets): where the warehouse's history
-- starts, so that days before it are not taken for days without complaints, and where it ends.
with final as (
  select
    strftime(min(received_at), '%Y-%m-%d') as first_day,
    strftime(max(received_at), '%Y-%m-%d') as last_day,
  from stg_tickets
)

select * from final
