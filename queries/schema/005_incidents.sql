-- Incidents: one event in the city (a water outage in one compound) raises alarms in several
-- series at once (全辖区 · 一级, 二级, 区县 × …, an address burst) and often on consecutive days.
-- An incident groups them, so that a duty officer gets one e-mail and handles one thing.
-- Replaces the per-series episodes of 002: each old episode becomes an incident of its own.

create table alert_incidents (
  incident_id     bigint    not null,
  first_day       date      not null,
  last_day        date      not null,
  -- the series that names the incident: the most specific one explaining most of the excess
  head_series     varchar   not null,
  level           varchar   not null,  -- the head's: l1 / l2 / district / l1_district / l2_district / burst
  category_l1     varchar,
  category_l2     varchar,
  district        varchar,
  township        varchar,
  place           varchar,             -- compound, village or street address (stg_tickets.place)
  peak_day        date      not null,
  peak_count      integer   not null,  -- the head's count on its peak day (a burst: in its window)
  peak_expected   double    not null,
  p_value         double,              -- smallest multiplicity-adjusted p-value of its alarms
  excess          double    not null,  -- largest count − expected of any member: re-notify when it doubles
  status          varchar   not null,  -- open / acknowledged / closed
  closed_on       date,
  notified        integer   not null default 0,  -- e-mails sent (or written) about it
  notified_excess double,
  notified_at     timestamp,
  comment         varchar,
  handled_by      varchar,
  handled_at      timestamp
);

-- Every series that alarmed as part of an incident.
create table alert_incident_series (
  incident_id bigint  not null,
  series_key  varchar not null,  -- e.g. 'l2=停水|district=昌吉市', 'burst=昌吉市|翠苑华府'
  level       varchar not null,
  category_l1 varchar,
  category_l2 varchar,
  district    varchar,
  township    varchar,
  place       varchar
);

-- The old episodes, one incident each (bursts were level 'incident' then).
insert into alert_incidents
select
  episode_id, opened_on, last_alarm_on, series_key,
  case when level = 'incident' then 'burst' else level end,
  category_l1, category_l2, district, null, address,
  last_alarm_on, peak_count, peak_expected, min_p_value, greatest(peak_count - peak_expected, 0),
  status, closed_on, case when notified_at is null then 0 else 1 end, null, notified_at,
  comment, handled_by, handled_at
from alert_episodes;

insert into alert_incident_series
select episode_id, series_key, case when level = 'incident' then 'burst' else level end, category_l1, category_l2, district, null, address
from alert_episodes;

-- The evidence (every alarming day of every series) now points at its incident, and says which
-- channel of the detector raised it: 'day' (the day's bound), 'rise' or 'cusum' (a sustained rise,
-- possibly under the day's bound) or 'burst' (tickets at one place within hours). Rebuilt rather
-- than altered: DuckDB refuses several alterations of one table in one transaction.
create table alert_days_005 (
  incident_id   bigint  not null,
  series_key    varchar not null,
  day           date    not null,
  count         integer not null,
  expected      double  not null,
  upper         double  not null,
  p_value       double,
  q_value       double,             -- adjusted for the day's tests (Benjamini–Hochberg; bursts: Bonferroni)
  tests         integer,            -- how many: the series judged that day, or the places with tickets
  score         double,
  channel       varchar,
  rise_start    date,               -- a sustained rise: its first day, length and totals
  rise_days     integer,
  rise_observed double,
  rise_expected double,
  first_at      timestamp,          -- a burst: the first and last ticket of its busiest hours
  last_at       timestamp,
  detected_at   timestamp not null
);
insert into alert_days_005 (incident_id, series_key, day, count, expected, upper, p_value, q_value, score, detected_at)
select episode_id, series_key, day, count, expected, upper, p_value, q_value, score, detected_at from alert_days;
drop table alert_days;
alter table alert_days_005 rename to alert_days;

drop table alert_episodes;
drop sequence alert_episode_ids;
