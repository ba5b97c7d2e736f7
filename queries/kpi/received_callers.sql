-- Tickets counted in a period by their receipt, received_at in [$from, $to), with what their
-- callers did before: the rows 重复诉求率 (repeat_rate.sql) counts. The same tickets as
-- received_tickets.sql; a separate anchor because the history costs, and nothing else needs it.
--
-- is_repeat (重复诉求, used by repeat_rate.sql) needs history an aggregate cannot see: the ticket has
-- a phone, and the same phone hash has another non-withdrawn ticket of the same category_l2
-- (category_l1 where category_l2 is empty: stg_tickets.category_l2_or_l1) received in the 30 days
-- before it — from exactly 30 days earlier up to, but not including, its own received_at. Only
-- tickets with a phone are rows here: no other can be a repeat or count in the rate. So the 30 days before the period are read
-- too, and only to look back; this is what lets a month boundary fall inside the look-back.
-- (not materialized: the look-back is read twice, narrowly for the callers and in full for the
-- counted rows; materializing every column of every ticket first would cost far more)
with look_back as not materialized (
  select
    *,
    category_l2_or_l1 as repeat_category,
  from kpi_tickets
  where received_at >= $from::timestamp - interval 30 day
    and received_at < $to::timestamp
),

-- one row per caller, category and moment (narrow, so the window sorts little): two tickets of the
-- same second are not "before" each other, so duplicates change nothing
caller_contacts as (
  select distinct
    phone_hash,
    repeat_category,
    received_at,
  from look_back
  where coalesce(phone_hash, '') <> ''
),

repeat_contacts as (
  select
    phone_hash,
    repeat_category,
    received_at,
    count(*) over (
      partition by phone_hash, repeat_category
      order by received_at
      range between interval 30 day preceding and interval 1 microsecond preceding
    ) > 0 as is_repeat,
  from caller_contacts
),

final as (
  select
    look_back.* exclude (repeat_category),
    look_back.received_at as counted_at,
    coalesce(look_back.phone_hash, '') <> '' as has_phone,
    coalesce(repeat_contacts.is_repeat, false) as is_repeat,
  from look_back
  left join repeat_contacts
    on repeat_contacts.phone_hash = look_back.phone_hash
    and repeat_contacts.repeat_category = look_back.repeat_category
    and repeat_contacts.received_at = look_back.received_at
  where look_back.received_at >= $from::timestamp
    and coalesce(look_back.phone_hash, '') <> ''
)

select * from final
