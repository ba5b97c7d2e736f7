-- stg_tickets: the tickets every figure counts, with the fallbacks every reader shares. Every
-- metric, breakdown, rollup, report and alert query reads this model, never `tickets` itself.
--   * Withdrawn tickets (status 已撤销) are left out. This is the one place that rule is written.
--   * An empty district is '未知区县' and an empty township '未知乡镇街道': one explicit value, a
--     series of its own, never a second copy of the whole hotline.
--   * A ticket without the operator's first-level category (empty or '未分类') takes the text
--     model's suggestion (ticket_suggestions) when the model gives it at least even odds, and
--     category_source says whose category it is: 'operator', 'suggested', or null (none).
--   * An empty first-level category is then '未分类'; empty second- and third-level categories are null.
--     category_l2_or_l1 is the second level where there is one, else the first: what repeat
--     callers, alert series and typical cases group by.
--   * place: the residential compound of the address (up to 小区/花园/苑/家园/公寓/号院/村), else
--     the address — the unit of an address burst.
-- Installed as a temporary view on every connection (pipelines/warehouse.ts), so it is always the
-- text of this file and never stored in the warehouse.
with counted as (
  select *
  from tickets
  where status is distinct from '已撤销'
),

categorised as (
  select
    counted.* replace (
      case when has_category then counted.category_l1 else coalesce(suggestion.category_l1, '') end as category_l1,
      case when has_category then counted.category_l2 else suggestion.category_l2 end as category_l2,
      case when has_category then counted.category_l3 end as category_l3,
    ),
    case when has_category then 'operator' when suggestion.category_l1 is not null then 'suggested' end as category_source,
  from (select *, coalesce(category_l1, '') not in ('', '未分类') as has_category from counted) as counted
  left join ticket_suggestions as suggestion
    on suggestion.ticket_id = counted.ticket_id
    and suggestion.l1_confidence >= 0.5
),

final as (
  select
    * exclude (has_category) replace (
      coalesce(nullif(category_l1, ''), '未分类') as category_l1,
      nullif(category_l2, '') as category_l2,
      nullif(category_l3, '') as category_l3,
      coalesce(nullif(district, ''), '未知区县') as district,
      coalesce(nullif(township, ''), '未知乡镇街道') as township,
    ),
    coalesce(nullif(category_l2, ''), nullif(category_l1, ''), '未分类') as category_l2_or_l1,
    coalesce(regexp_extract(address, '^(.*?(小区|花园|苑|家园|公寓|号院|村))', 1), address) as place,
  from categorised
)

select * from final
