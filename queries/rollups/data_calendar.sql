-- The months the warehouse holds tickets for, and its last day with tickets: what the pages offer
-- in the month filter (a state of the data, so every ticket counts, withdrawn or not).
with final as (
  select
    strftime(min(received_at), '%Y-%m') as first,
    strftime(max(received_at), '%Y-%m') as last,
    strftime(max(received_at), '%Y-%m-%d') as "lastDay",
  from tickets
)

select * from final
