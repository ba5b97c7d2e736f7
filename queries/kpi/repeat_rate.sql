-- 重复诉求率 repeat_rate
--   numerator:   received in the period with a phone whose hash has another (non-withdrawn) ticket
--                of the same category_l2 (category_l1 where l2 is empty) received in the 30 days
--                before it — the look-back flag is_repeat, computed in received_callers.sql
--   denominator: received in the period with a phone (non-empty phone_hash)
with final as (
  select
    count(*) filter (where is_repeat) as repeat_rate_numerator,
    count(*) filter (where has_phone) as repeat_rate_denominator,
  from received_callers
)

select * from final
