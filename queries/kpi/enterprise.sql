-- 涉企诉求量 enterprise: tickets received in the period with is_enterprise = 是.
--   input is_enterprise: every received ticket should carry 是 or 否; carried by none, the export
--                has no such column and the count is null, not 0
with final as (
  select
    count(*) filter (where is_enterprise) as enterprise,
    count(*) filter (where is_enterprise is not null) as enterprise_with_is_enterprise,
    count(*) filter (where is_enterprise is null) as enterprise_without_is_enterprise,
  from received_tickets
)

select * from final
