-- Every district named by the tickets (withdrawn ones excluded, as in every KPI), with its count:
-- what `hotline map check` compares with the map's boundaries.
with received as (
  select district
  from tickets
  where status <> '已撤销'
),

final as (
  select
    district,
    count(*) as tickets,
  from received
  group by district
  order by tickets desc, district
)

select * from final
