-- The counted tickets as they stood at $as_of: the ones received later are absent, and whatever
-- happened to the others after $as_of (dispatch, signature, completion, callback and its answers)
-- had not happened yet. Reads scoped_tickets (stg_tickets, or a topic's share of them). This is
-- how a young month is compared like with like: last month's figures as they stood the same
-- number of days after its end. returned_count carries no time, so 退单率 cannot be rewound.
with final as (
  select
    * replace (
      case when dispatched_at <= $as_of::timestamp then dispatched_at end as dispatched_at,
      case when signed_at <= $as_of::timestamp then signed_at end as signed_at,
      case when completed_at <= $as_of::timestamp then completed_at end as completed_at,
      case when callback_at <= $as_of::timestamp then callback_at end as callback_at,
      case when callback_at <= $as_of::timestamp then satisfaction end as satisfaction,
      case when callback_at <= $as_of::timestamp then resolved end as resolved,
    ),
  from scoped_tickets
  where received_at < $as_of::timestamp
)

select * from final
