-- 解决率 resolution_rate
--   numerator:   tickets with callback_at in the period and resolved = 已解决
--   denominator: tickets with callback_at in the period and resolved non-empty
with final as (
  select
    count(*) filter (where resolved = '已解决') as resolution_rate_numerator,
    count(*) filter (where coalesce(resolved, '') <> '') as resolution_rate_denominator,
  from called_back_tickets
)

select * from final
