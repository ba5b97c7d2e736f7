-- The tickets of an incident's series in [$from, $to): the evidence its e-mail and page show.
-- A null filter ($l1, $l2, $district, $place) lets every value through; a topic surge lists its
-- tickets instead ($ids, null for a series). Tickets at the incident's
-- place ($near_place) and of its topic ($near_l2) come first: the mail about an outage at one
-- compound shows that compound's tickets, not the neighbours'.
with series as (
  select
    ticket_id,
    received_at,
    content,
    address,
    nullif(township, '未知乡镇街道') as township,
    place,
    category_l2_or_l1 as category_l2,
  from stg_tickets
  where received_at >= $from::timestamp and received_at < $to::timestamp
    and ($l1 is null or category_l1 = $l1)
    and ($l2 is null or category_l2_or_l1 = $l2)
    and ($district is null or district = $district)
    and ($ids::varchar[] is null or list_contains($ids::varchar[], ticket_id))
),

final as (
  select
    *,
    coalesce(place = $near_place, false) as at_place,
    coalesce(category_l2 = $near_l2, false) as on_topic,
  from series
  where $place is null or place = $place
)

select * from final order by at_place desc, on_topic desc, received_at desc
