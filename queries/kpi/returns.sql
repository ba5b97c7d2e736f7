-- 退单次数 returns: the sum of returned_count over tickets dispatched in the period (one ticket can
-- be returned several times; return_rate counts the tickets, this counts the returns).
with final as (
  select
    coalesce(sum(returned_count) filter (where handling = '转办'), 0) as returns,
  from received_tickets
)

select * from final
