import type { DayResult } from './detect/index.js';
import { sqlFile, type Warehouse } from './warehouse.js';
import { yieldToEventLoop } from './scheduler.js';

export type { DayResult };

/**
 * The hotspot job: every series (category l1 and l2, district, category × district) is tested for
 * the evaluated day by the detector; the day's p-values are controlled together with
 * Benjamini–Hochberg; a minimum count and ratio keep "1 → 3 complaints" from paging anyone;
 * alarms are grouped into episodes (one per series, closed after quiet days, notified again only
 * on escalation). A second detector finds bursts at one address within hours.
 */

/** One row of alert_episodes as the dashboard and the reports read it (dates as 'YYYY-MM-DD'). */
export interface AlertEpisode {
  episode_id: number;
  series_key: string;
  level: string;
  category_l1: string | null;
  category_l2: string | null;
  district: string | null;
  address: string | null;
  opened_on: string;
  last_alarm_on: string;
  closed_on: string | null;
  status: string;
  peak_count: number;
  peak_expected: number;
  peak_score: number;
  comment: string | null;
  handled_by: string | null;
  handled_at: string | null;
}

/** The detector for one daily series: a result for every day ≥ `from`, each from data up to that day only. */
export type SeriesDetector = (series: { dates: string[]; counts: number[] }, from: string) => DayResult[];

export interface HotspotSettings {
  /** False discovery rate across the day's tests. */
  fdr: number;
  /** An alarm needs at least this many tickets on the day … */
  minCount: number;
  /** … and at least this ratio to the expected count. */
  minRatio: number;
  /** An episode closes after this many days without an alarm. */
  quietDays: number;
  /** Re-notify an open episode only when its score grows by this factor. */
  escalation: number;
  /** Series with fewer tickets than this over the history are not tested (too sparse to model). */
  minHistoryTickets: number;
  /** Days of history given to the detector. */
  historyDays: number;
  /** An address burst: at least this many tickets within the window … */
  incidentMinCount: number;
  /** … within this many hours. */
  incidentHours: number;
}

export const DEFAULT_HOTSPOT_SETTINGS: HotspotSettings = {
  fdr: 0.01,
  minCount: 5,
  minRatio: 1.5,
  quietDays: 3,
  escalation: 1.5,
  minHistoryTickets: 60,
  historyDays: 3 * 365,
  incidentMinCount: 8,
  incidentHours: 6,
};

export interface SeriesInfo {
  level: string;
  series_key: string;
  category_l1: string | null;
  category_l2: string | null;
  district: string | null;
}

export interface Alarm extends SeriesInfo {
  result: DayResult;
  qValue: number;
}

export interface Notification {
  episodeId: number;
  kind: 'new' | 'escalated';
  alarm: Alarm;
}

const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** Benjamini–Hochberg adjusted p-values (q-values), in the input order. */
export function benjaminiHochberg(pValues: number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const q = new Array<number>(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const [p, index] = order[rank - 1];
    running = Math.min(running, (p * m) / rank);
    q[index] = running;
  }
  return q;
}

/** Daily series (zero days filled) for every series with enough history, ending on `day`. */
export async function loadSeries(warehouse: Warehouse, day: string, settings: HotspotSettings) {
  const from = addDays(day, -settings.historyDays + 1);
  const rows = await warehouse.all<SeriesInfo & { day: string; n: number }>(sqlFile('alerts/daily_series_counts.sql'), {
    from: `${from} 00:00:00`,
    to: `${addDays(day, 1)} 00:00:00`,
  });
  const dates: string[] = [];
  for (let d = from; d <= day; d = addDays(d, 1)) dates.push(d);
  const index = new Map(dates.map((d, i) => [d, i]));
  const series = new Map<string, { info: SeriesInfo; counts: number[]; total: number }>();
  for (const row of rows) {
    let entry = series.get(row.series_key);
    if (!entry) {
      entry = { info: { level: row.level, series_key: row.series_key, category_l1: row.category_l1, category_l2: row.category_l2, district: row.district }, counts: new Array(dates.length).fill(0), total: 0 };
      series.set(row.series_key, entry);
    }
    const at = index.get(String(row.day).slice(0, 10));
    if (at !== undefined) {
      entry.counts[at] = row.n;
      entry.total += row.n;
    }
  }
  return { dates, series: [...series.values()].filter((s) => s.total >= settings.minHistoryTickets) };
}

/** Tests every series for `day`; returns the alarms that pass FDR, minimum count and ratio. */
export async function findAlarms(warehouse: Warehouse, day: string, detector: SeriesDetector, settings: HotspotSettings = DEFAULT_HOTSPOT_SETTINGS) {
  const { dates, series } = await loadSeries(warehouse, day, settings);
  const tested: { info: SeriesInfo; result: DayResult }[] = [];
  for (const s of series) {
    // One model fit per series adds up to seconds: the web server gets its turn between series.
    await yieldToEventLoop();
    const result = detector({ dates, counts: s.counts }, day).at(-1);
    if (result && result.date === day) tested.push({ info: s.info, result });
  }
  const q = benjaminiHochberg(tested.map((t) => t.result.pValue));
  const alarms: Alarm[] = tested
    .map((t, i) => ({ ...t.info, result: t.result, qValue: q[i] }))
    .filter((a) => a.qValue <= settings.fdr && a.result.count >= settings.minCount && a.result.count >= settings.minRatio * Math.max(a.result.expected, 1e-9));
  return { tested: tested.length, alarms, dates, series };
}

/**
 * Records the day's alarms as episodes: extends the series' open episode (or opens one), closes
 * episodes that have been quiet, and says which episodes need a notification (new, or escalated).
 */
export async function recordEpisodes(warehouse: Warehouse, day: string, alarms: Alarm[], settings: HotspotSettings = DEFAULT_HOTSPOT_SETTINGS): Promise<Notification[]> {
  const notifications: Notification[] = [];
  await warehouse.transaction(async () => {
    for (const alarm of alarms) {
      const r = alarm.result;
      const open = await warehouse.one<{ episode_id: number; notified_score: number | null; peak_score: number }>(
        `select episode_id, notified_score, peak_score from alert_episodes
         where series_key = $key and status <> 'closed' and last_alarm_on >= $since::date order by episode_id desc limit 1`,
        { key: alarm.series_key, since: addDays(day, -settings.quietDays) },
      );
      let episodeId: number;
      if (open) {
        episodeId = open.episode_id;
        await warehouse.run(
          `update alert_episodes set last_alarm_on = greatest(last_alarm_on, $day::date),
             peak_count = greatest(peak_count, $count), peak_expected = case when $score > peak_score then $expected else peak_expected end,
             peak_score = greatest(peak_score, $score), min_p_value = least(min_p_value, $p)
           where episode_id = $id`,
          { id: episodeId, day, count: r.count, expected: r.expected, score: r.score, p: r.pValue },
        );
        if (open.notified_score === null || r.score >= open.notified_score * settings.escalation) notifications.push({ episodeId, kind: 'escalated', alarm });
      } else {
        episodeId = (await warehouse.one<{ id: number }>(`select nextval('alert_episode_ids') as id`))!.id;
        await warehouse.run(
          `insert into alert_episodes (episode_id, series_key, level, category_l1, category_l2, district, opened_on, last_alarm_on, status,
             peak_count, peak_expected, peak_score, min_p_value)
           values ($id, $key, $level, $l1, $l2, $district, $day::date, $day::date, 'open', $count, $expected, $score, $p)`,
          { id: episodeId, key: alarm.series_key, level: alarm.level, l1: alarm.category_l1, l2: alarm.category_l2, district: alarm.district, day, count: r.count, expected: r.expected, score: r.score, p: r.pValue },
        );
        notifications.push({ episodeId, kind: 'new', alarm });
      }
      await warehouse.run(`delete from alert_days where episode_id = $id and day = $day::date`, { id: episodeId, day });
      await warehouse.run(
        `insert into alert_days (episode_id, series_key, day, count, expected, upper, p_value, q_value, score, detected_at)
         values ($id, $key, $day::date, $count, $expected, $upper, $p, $q, $score, current_localtimestamp())`,
        { id: episodeId, key: alarm.series_key, day, count: r.count, expected: r.expected, upper: r.upper, p: r.pValue, q: alarm.qValue, score: r.score },
      );
    }
    await warehouse.run(
      `update alert_episodes set status = 'closed', closed_on = $day::date
       where status <> 'closed' and level <> 'incident' and last_alarm_on < $since::date`,
      { day, since: addDays(day, -settings.quietDays) },
    );
  });
  return notifications;
}

/** Marks episodes as notified at their current peak score (after the mail went out or was queued). */
export async function markNotified(warehouse: Warehouse, notifications: Notification[]): Promise<void> {
  for (const n of notifications) {
    await warehouse.run(`update alert_episodes set notified_score = $score, notified_at = current_localtimestamp() where episode_id = $id`, {
      id: n.episodeId,
      score: n.alarm.result.score,
    });
  }
}

export interface Burst {
  place: string;
  district: string | null;
  township: string | null;
  category_l1: string;
  category_l2: string;
  n: number;
  first_at: string;
  last_at: string;
  previous_30_days: number;
}

/**
 * Bursts at one place within `incidentHours` before `until` — many tickets from one compound in a
 * few hours, where the place usually has almost none. Each becomes (or extends) an incident episode.
 */
export async function findBursts(warehouse: Warehouse, until: Date, settings: HotspotSettings = DEFAULT_HOTSPOT_SETTINGS): Promise<Burst[]> {
  const beijing = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
  const from = new Date(until.getTime() - settings.incidentHours * 3600_000);
  const rows = await warehouse.all<Burst>(sqlFile('alerts/address_bursts.sql'), { from: beijing(from), to: beijing(until), min_count: settings.incidentMinCount });
  // A place that routinely has this many tickets a month is not a burst (e.g. a large estate office).
  return rows.filter((b) => b.n >= settings.incidentMinCount && b.n * 30 >= 5 * Math.max(1, b.previous_30_days) * (settings.incidentHours / 24));
}

export async function recordIncidents(warehouse: Warehouse, bursts: Burst[]): Promise<Notification[]> {
  const notifications: Notification[] = [];
  for (const burst of bursts) {
    const key = `place=${burst.place}`;
    const day = burst.last_at.slice(0, 10);
    // What the place usually has in a window of this length, from its last 30 days.
    const expected = (burst.previous_30_days / 30) * (DEFAULT_HOTSPOT_SETTINGS.incidentHours / 24);
    const alarm: Alarm = {
      level: 'incident',
      series_key: key,
      category_l1: burst.category_l1,
      category_l2: burst.category_l2,
      district: burst.district,
      qValue: 0,
      result: { date: day, count: burst.n, expected, upper: Math.max(1, expected * 3), pValue: 0, score: burst.n / Math.max(expected, 0.1), alarm: true },
    };
    const open = await warehouse.one<{ episode_id: number; peak_count: number }>(
      `select episode_id, peak_count from alert_episodes where series_key = $key and status <> 'closed' and last_alarm_on >= $day::date - 1 order by episode_id desc limit 1`,
      { key, day },
    );
    if (open) {
      if (burst.n > open.peak_count) {
        await warehouse.run(`update alert_episodes set peak_count = $n, last_alarm_on = $day::date where episode_id = $id`, { n: burst.n, day, id: open.episode_id });
        if (burst.n >= open.peak_count * 1.5) notifications.push({ episodeId: open.episode_id, kind: 'escalated', alarm });
      }
      continue;
    }
    const id = (await warehouse.one<{ id: number }>(`select nextval('alert_episode_ids') as id`))!.id;
    await warehouse.run(
      `insert into alert_episodes (episode_id, series_key, level, category_l1, category_l2, district, address, opened_on, last_alarm_on, status,
         peak_count, peak_expected, peak_score, min_p_value)
       values ($id, $key, 'incident', $l1, $l2, $district, $place, $day::date, $day::date, 'open', $n, $expected, $score, null)`,
      { id, key, l1: burst.category_l1, l2: burst.category_l2, district: burst.district, place: burst.place, day, n: burst.n, expected, score: alarm.result.score },
    );
    notifications.push({ episodeId: id, kind: 'new', alarm });
  }
  return notifications;
}

/** An operator acknowledges or closes an episode from the dashboard, with a comment. */
export async function handleEpisode(warehouse: Warehouse, episodeId: number, action: 'acknowledge' | 'close', user: string, comment: string): Promise<boolean> {
  const status = action === 'close' ? 'closed' : 'acknowledged';
  const found = await warehouse.one<{ n: number }>(`select count(*) as n from alert_episodes where episode_id = $id`, { id: episodeId });
  if (!found?.n) return false;
  await warehouse.run(
    `update alert_episodes set status = $status, comment = $comment, handled_by = $user, handled_at = current_localtimestamp(),
       closed_on = case when $status = 'closed' then current_date else closed_on end
     where episode_id = $id`,
    { id: episodeId, status, comment: comment.slice(0, 2000), user },
  );
  return true;
}
