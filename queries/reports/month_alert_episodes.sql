-- Early-warning episodes that alarmed at least once in [$from, $to): what the monthly report lists.
with alarming as (
  select
    episode_id,
    count(*)::integer as alarm_days,
    max(count)::integer as max_count,
  from alert_days
  where day >= $from::timestamp::date
    and day < $to::timestamp::date
  group by episode_id
),

final as (
  select
    alert_episodes.episode_id,
    alert_episodes.level,
    alert_episodes.category_l1,
    alert_episodes.category_l2,
    alert_episodes.district,
    alert_episodes.address,
    strftime(alert_episodes.opened_on, '%Y-%m-%d') as opened_on,
    strftime(alert_episodes.last_alarm_on, '%Y-%m-%d') as last_alarm_on,
    strftime(alert_episodes.closed_on, '%Y-%m-%d') as closed_on,
    alert_episodes.status,
    alert_episodes.peak_count,
    round(alert_episodes.peak_expected, 1) as peak_expected,
    alert_episodes.comment,
    alert_episodes.handled_by,
    alarming.alarm_days,
  from alert_episodes
  join alarming using (episode_id)
)

select * from final order by peak_count desc, episode_id
