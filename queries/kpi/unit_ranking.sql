-- 承办单位“三率”考评: each lead unit's 响应率, 解决率, 满意率 and weighted composite score, ranked
-- within its unit_kind. Reads unit_kpis (one row per lead unit: that unit's KPIs for the period,
-- computed by the same metric files as every other figure) and the units directory.
--   响应率 = ontime_sign_rate
--   解决率 = resolution_rate, or ontime_completion_rate when no callback says whether the problem
--            was solved (resolution_basis names which one was used)
--   满意率 = satisfaction_rate
--   composite = $weight_response × 响应率 + $weight_resolution × 解决率 + $weight_satisfaction × 满意率
-- A unit is ranked when at least $min_tickets tickets were dispatched to it in the period and all
-- three rates exist; ties on the score break on volume (more tickets first), and units equal on
-- both share the rank and are listed by name. Every other unit is listed with rank null and the
-- reason. A unit missing from the directory is of kind 其他. Figures the export cannot give (no
-- deadlines: 超期; no return counts: 退单) stay null, as their metrics are.
with directory as (
  select
    unit,
    arg_max(unit_kind, last_run_id) as unit_kind,
  from units
  group by unit
),

unit_rates as (
  select
    k.unit,
    coalesce(nullif(d.unit_kind, ''), '其他') as unit_kind,
    k.dispatched as volume,
    k.ontime_sign_rate as response_rate,
    coalesce(k.resolution_rate, k.ontime_completion_rate) as resolution_score,
    case
      when k.resolution_rate is not null then 'resolution_rate'
      when k.ontime_completion_rate is not null then 'ontime_completion_rate'
    end as resolution_basis,
    k.satisfaction_rate,
    k.overdue,
    case when k.return_rate is not null then k.return_rate_numerator end as returned_tickets,
    k.returns,
    k.ontime_completion_rate,
    k.resolution_rate,
  from unit_kpis as k
  left join directory as d on d.unit = k.unit
  where k.unit is not null
),

scored as (
  select
    *,
    -- rounded to 12 places so that 0.3 × 1 + 0.35 × 1 + 0.35 × 1 shows as 1, not 0.9999999999999999
    round(
      $weight_response * response_rate
        + $weight_resolution * resolution_score
        + $weight_satisfaction * satisfaction_rate,
      12
    ) as composite_score,
    case
      when volume < $min_tickets then 'volume_below_minimum'
      when response_rate is null then 'no_response_rate'
      when resolution_score is null then 'no_resolution_rate'
      when satisfaction_rate is null then 'no_satisfaction_rate'
    end as unranked_reason,
  from unit_rates
),

ranked as (
  select
    *,
    case
      when unranked_reason is null then rank() over (
        partition by unit_kind, unranked_reason is null
        order by composite_score desc, volume desc
      )
    end as rank,
  from scored
),

final as (
  select
    unit_kind,
    rank,
    unit,
    volume,
    response_rate,
    resolution_score,
    resolution_basis,
    satisfaction_rate,
    composite_score,
    overdue,
    returned_tickets,
    returns,
    ontime_completion_rate,
    resolution_rate,
    unranked_reason,
  from ranked
  order by
    -- kinds in the directory's usual order, then any other kind, 其他 last
    case unit_kind
      when '州直部门' then 1
      when '县市部门' then 2
      when '乡镇街道' then 3
      when '企业' then 4
      when '其他' then 6
      else 5
    end,
    unit_kind,
    rank is null,
    rank,
    volume desc,
    unit
)

select * from final
