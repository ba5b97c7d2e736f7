-- Calls counted in a period: call_at in [$from, $to). 接通率 and 15秒接通率 are aggregates over these
-- rows. Calls have no status; a call stays counted even if the ticket it opened was withdrawn.
with final as (
  select
    *,
    call_at as counted_at,
  from calls
  where call_at >= $from::timestamp
    and call_at < $to::timestamp
)

select * from final
