-- 受理量 received: tickets received in the period.
with final as (
  select
    count(*) as received,
  from received_tickets
)

select * from final
