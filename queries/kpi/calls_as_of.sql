-- The calls as they stood at $as_of: later calls are absent, and an answer after $as_of had not
-- come yet (the counterpart of tickets_as_of.sql).
with final as (
  select
    * replace (
      case when answered_at <= $as_of::timestamp then answered_at end as answered_at,
    ),
  from calls
  where call_at < $as_of::timestamp
)

select * from final
