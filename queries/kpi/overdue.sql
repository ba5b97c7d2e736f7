-- 超期件数 overdue: dispatched in the period with a deadline_at that was missed — completed after
-- it, or still not completed while the deadline lies before $as_of, the newest activity_at in the
-- warehouse (the data's own "now", so the same data always gives the same number).
--   input deadline_at: every dispatched ticket should carry one
with final as (
  select
    count(*) filter (
      where handling = '转办'
        and deadline_at is not null
        and (completed_at > deadline_at or (completed_at is null and deadline_at < $as_of::timestamp))
    ) as overdue,
    count(*) filter (where handling = '转办' and deadline_at is not null) as overdue_with_deadline_at,
    count(*) filter (where handling = '转办' and deadline_at is null) as overdue_without_deadline_at,
  from received_tickets
)

select * from final
