-- 回访率 callback_rate
--   numerator:   dispatched tickets (转办, any receipt month) with completed_at in the period that
--                have a callback_at (at any time)
--   denominator: dispatched tickets with completed_at in the period
--   input callback_at: a ticket with a callback answer (satisfaction or resolved) should carry one
with final as (
  select
    count(*) filter (where handling = '转办' and callback_at is not null) as callback_rate_numerator,
    count(*) filter (where handling = '转办') as callback_rate_denominator,
    count(*) filter (where handling = '转办' and callback_at is not null) as callback_rate_with_callback_at,
    count(*) filter (
      where handling = '转办' and callback_at is null
        and (satisfaction is not null or resolved is not null)
    ) as callback_rate_without_callback_at,
  from completed_tickets
)

select * from final
