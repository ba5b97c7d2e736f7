-- Calls counted in a period: call_at in [$from, $to). 接通率 and 15秒接通率 are aggregates over these
-- rows. Calls have no status; a call stays counted even if the ticket it opened was withdrawn.
-- Reads kpi_calls: the calls, or the calls as they stood at an earlier moment (calls_as_of.sql).
with final as (
  select
    *,
    call_at as counted_at,
  from kpi_calls
  where call_at >= $from::timestamp
    and call_at < $to::timestamp
)

select * from final
