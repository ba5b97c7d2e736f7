-- 回访率 callback_rate
--   numerator:   dispatched tickets (转办, any receipt month) with completed_at in the period that
--                have a callback_at (at any time)
--   denominator: dispatched tickets with completed_at in the period
--   input callback_at: every completed dispatched ticket is to be called back, so when none of the
--                period's has a callback time the export has no such column: the rate is null
--                with a note, not 0 % (a US 311 export, without callbacks, printed 回访率 0.00 %)
with final as (
  select
    count(*) filter (where handling = '转办' and callback_at is not null) as callback_rate_numerator,
    count(*) filter (where handling = '转办') as callback_rate_denominator,
    count(*) filter (where handling = '转办' and callback_at is not null) as callback_rate_with_callback_at,
    count(*) filter (where handling = '转办' and callback_at is null) as callback_rate_without_callback_at,
  from completed_tickets
)

select * from final
