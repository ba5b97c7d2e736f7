-- The default period of the 热点话题 page: the 30 days up to the newest request.
with newest as (
  select max(received_at)::date as last_day from stg_tickets
),

final as (
  select
    strftime(last_day - interval 29 day, '%Y-%m-%d') as from_day,
    strftime(last_day, '%Y-%m-%d') as to_day,
  from newest
)

select * from final
