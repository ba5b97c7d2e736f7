-- The data's own "now": the newest activity in the warehouse (used by overdue.sql).
with final as (
  select
    max(activity_at) as as_of,
  from tickets
)

select * from final
