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
--   * place: the residential compound, village or street address the address names, without the
--     district and township in front (they are columns of their own) and never cut inside a name
--     ("翠苑华府", not "翠苑"): the shortest name ending in a compound or village word (小区, 花园,
--     苑, 华府, 家园, 公寓, 村, 队 …) after which the address goes on with a building, group or
--     door number, a separator or a word such as 门口; else the whole rest (a street number).
--     The unit of an address burst and of "反映最多的地址".
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

without_district as (
  select
    *,
    case
      when district <> '' and starts_with(trim(address), district) then trim(address)[length(district) + 1:]
      -- no district column to go by: a province, prefecture and county spelled out in front
      -- (市场 and 市民 are words, not cities; 小区, 社区 and 园区 end compounds, not counties)
      else regexp_replace(regexp_replace(regexp_replace(regexp_replace(trim(address),
        '^[^\d]{2,7}?(?:省|自治区)', ''),
        '^[^\d]{2,8}?(?:市|州|盟)([^场民政委辖]|$)', '\1'),
        '^[^\d]{2,8}?(?:市|州|盟)([^场民政委辖]|$)', '\1'),
        '^[^\d]{0,6}[^\d小社园校景城营厂矿](?:区|县|旗)', '')
    end as address_after_district,
  from categorised
),

without_township as (
  select
    *,
    case
      when township <> '' and starts_with(address_after_district, township) then address_after_district[length(township) + 1:]
      when coalesce(township, '') = '' then regexp_replace(address_after_district, '^[^\d]{1,8}?(?:街道|镇|乡)', '')
      else address_after_district
    end as address_rest,
  from without_district
),

final as (
  select
    * exclude (has_category, address_after_district, address_rest) replace (
      coalesce(nullif(category_l1, ''), '未分类') as category_l1,
      nullif(category_l2, '') as category_l2,
      nullif(category_l3, '') as category_l3,
      coalesce(nullif(district, ''), '未知区县') as district,
      coalesce(nullif(township, ''), '未知乡镇街道') as township,
    ),
    coalesce(nullif(category_l2, ''), nullif(category_l1, ''), '未分类') as category_l2_or_l1,
    nullif(coalesce(
      nullif(regexp_extract(address_rest,
        '^(\D{1,20}?(?:小区|花园|家园|嘉园|公寓|华府|名邸|雅居|苑|园|府|庭|城|居|邸|大厦|广场|公馆|村|队|院|里|湾|郡|墅|社区))'
        || '(?:\d|[一二三四五六七八九十]+[号组队栋幢期区单楼]|[A-Za-z][座栋区]|[（(\s,，、-]|门|附近|旁|对面|楼下|院内|$)', 1), ''),
      address_rest), '') as place,
  from without_township
)

select * from final
