-- Early-warning episodes: one per series while it keeps alarming, closed after quiet days.
-- A series is a category (l1 or l2), a district, a category × district, or one address (incident).

create sequence alert_episode_ids start 1;

create table alert_episodes (
  episode_id      bigint    not null,
  series_key      varchar   not null,  -- e.g. 'l2=噪声扰民|district=昌吉市'
  level           varchar   not null,  -- l1 / l2 / district / l1_district / l2_district / incident
  category_l1     varchar,
  category_l2     varchar,
  district        varchar,
  address         varchar,             -- incidents: the compound or address
  opened_on       date      not null,
  last_alarm_on   date      not null,
  closed_on       date,
  status          varchar   not null,  -- open / acknowledged / closed
  peak_count      integer   not null,
  peak_expected   double    not null,
  peak_score      double    not null,
  min_p_value     double,
  notified_score  double,              -- score at the last notification: re-notify only on escalation
  notified_at     timestamp,
  comment         varchar,
  handled_by      varchar,
  handled_at      timestamp
);

-- The evidence: every alarming day of every episode, with the model's numbers.
create table alert_days (
  episode_id  bigint  not null,
  series_key  varchar not null,
  day         date    not null,
  count       integer not null,
  expected    double  not null,
  upper       double  not null,
  p_value     double,
  q_value     double,             -- Benjamini–Hochberg across the day's tests
  score       double,
  detected_at timestamp not null
);
