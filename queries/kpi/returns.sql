-- 退单次数 returns: the sum of returned_count over tickets dispatched in the period (one ticket can
-- be returned several times; return_rate counts the tickets, this counts the returns).
--   input returned_count: every dispatched ticket should carry one
with final as (
  select
    coalesce(sum(returned_count) filter (where handling = '转办'), 0) as returns,
    count(*) filter (where handling = '转办' and returned_count is not null) as returns_with_returned_count,
    count(*) filter (where handling = '转办' and returned_count is null) as returns_without_returned_count,
  from received_tickets
)

select * from final
