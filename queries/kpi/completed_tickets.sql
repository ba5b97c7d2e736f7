-- Tickets counted in a period by their completion: non-withdrawn, completed_at in [$from, $to),
-- whatever month they were received in. 回访率 is an aggregate over these rows. (The 直接答复 rule
-- does not apply here: only a recorded completed_at places a ticket in a month.)
with final as (
  select
    *,
    completed_at as counted_at,
  from kpi_tickets
  where completed_at >= $from::timestamp
    and completed_at < $to::timestamp
)

select * from final
