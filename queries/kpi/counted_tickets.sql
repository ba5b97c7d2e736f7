-- The tickets every KPI counts: all of them except the withdrawn (已撤销), which are excluded
-- from every figure (kpi-definitions.md, conventions).
with final as (
  select *
  from tickets
  where status is distinct from '已撤销'
)
select * from final
