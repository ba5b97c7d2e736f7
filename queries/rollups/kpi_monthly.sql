-- kpi_monthly: kpi_daily's sums per calendar month, the anchors merged — what a page asking for
-- whole months reads (a thirtieth of the rows). Every measure combines as in a period query (sums,
-- and the latest of the deadlines); the measures' list is filled in from the metric files.
with final as (
  select
    date_trunc('month', day)::date as month,
    dimension,
    key1,
    key2,
    key3,
    -- <measures>
  from kpi_daily
  group by all
)

select * from final
order by dimension, month
