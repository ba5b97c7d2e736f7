-- 转办量 dispatched: tickets received in the period with handling 转办 ("dispatched in M").
with final as (
  select
    count(*) filter (where handling = '转办') as dispatched,
  from received_tickets
)

select * from final
