-- Every district named by the counted tickets (stg_tickets: withdrawn ones left out, an empty
-- district is '未知区县'), with its count: what `hotline map check` compares with the map's boundaries.
with counted as (
  select district
  from stg_tickets
),

final as (
  select
    district,
    count(*) as tickets,
  from counted
  group by district
  order by tickets desc, district
)

select * from final
