-- 满意率 satisfaction_rate
--   numerator:   tickets with callback_at in the period and satisfaction 满意, or 基本满意 when
--                $basically_satisfied_counts (setting kpi.basicallySatisfiedCounts, default true)
--   denominator: tickets with callback_at in the period and satisfaction 满意 / 基本满意 / 不满意
--                (未评价 and empty are left out)
with final as (
  select
    count(*) filter (
      where satisfaction = '满意' or (satisfaction = '基本满意' and $basically_satisfied_counts)
    ) as satisfaction_rate_numerator,
    count(*) filter (
      where satisfaction in ('满意', '基本满意', '不满意')
    ) as satisfaction_rate_denominator,
  from called_back_tickets
)

select * from final
