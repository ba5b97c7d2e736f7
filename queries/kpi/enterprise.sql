-- 涉企诉求量 enterprise: tickets received in the period with is_enterprise = 是.
with final as (
  select
    count(*) filter (where is_enterprise) as enterprise,
  from received_tickets
)

select * from final
