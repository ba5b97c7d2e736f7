-- When the data begins: the earliest ticket received, withdrawn or not (a state of the data, like
-- data_calendar.sql). A period that ends before it was never in any export: its figures are
-- "no data", not 0 (pipelines/kpi/totals.ts).
with final as (
  select
    strftime(min(received_at), '%Y-%m-%d %H:%M:%S') as data_start,
  from tickets
)

select * from final
