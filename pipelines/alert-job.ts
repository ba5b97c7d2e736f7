import type { Config } from './config.js';
import { composeAlertMail, composeDigestMail, type AlertEvidence } from './mail/compose.js';
import { mapPayload } from '../reports/charts/map-region.js';
import { recipientsFor } from './mail/routes.js';
import { deliver, retryPending } from './mail/send.js';
import {
  DEFAULT_HOTSPOT_SETTINGS,
  findAlarms,
  findBursts,
  markNotified,
  recordEpisodes,
  recordIncidents,
  type Notification,
  type SeriesDetector,
} from './hotspots.js';
import { sqlFile, type Warehouse } from './warehouse.js';

const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
export const beijingToday = (now = new Date()) => new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/** Our best detector, from the detector library. */
export async function pulseDetector(): Promise<SeriesDetector> {
  const { detect } = await import('./detect/index.js');
  return (series, from) => detect(series, { from, method: 'pulse' });
}

function topN(rows: Record<string, unknown>[], key: string, n: number) {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const name = row[key];
    if (typeof name === 'string' && name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, count]) => ({ name, count }));
}

/** Everything an alert e-mail and the dashboard's episode page show about one notification. */
export async function buildEvidence(
  warehouse: Warehouse,
  notification: Notification,
  history: { dates: string[]; counts: number[] } | null,
  detector: SeriesDetector | null,
  dashboardUrl?: string,
): Promise<AlertEvidence> {
  const { alarm } = notification;
  const day = alarm.result.date;
  const place = alarm.level === 'incident' ? alarm.series_key.replace(/^place=/, '') : null;
  const tickets = await warehouse.all<Record<string, unknown>>(sqlFile('alerts/series_tickets.sql'), {
    level: alarm.level,
    l1: alarm.category_l1,
    l2: alarm.category_l2,
    district: alarm.district,
    place,
    from: `${day} 00:00:00`,
    to: `${addDays(day, 1)} 00:00:00`,
  });
  const trend =
    history && detector
      ? detector(history, addDays(day, -55)).map((r) => ({ date: r.date, count: r.count, expected: r.expected, upper: r.upper }))
      : [];
  return {
    episodeId: notification.episodeId,
    level: notification.kind,
    series: { category_l1: alarm.category_l1 ?? '', category_l2: alarm.category_l2, district: alarm.district },
    date: day,
    count: alarm.result.count,
    expected: alarm.result.expected,
    upper: alarm.result.upper,
    pValue: alarm.result.pValue,
    score: alarm.result.score,
    window: alarm.level === 'incident' ? 'hour' : 'day',
    history: trend,
    topTownships: topN(tickets, 'township', 5),
    topAddresses: topN(tickets, 'place', 5),
    samples: tickets.slice(0, 3).map((t) => ({
      ticket_id: String(t.ticket_id),
      received_at: String(t.received_at),
      content: (t.content as string | null) ?? null,
      address: (t.address as string | null) ?? null,
    })),
    dashboardUrl,
  };
}

async function notify(warehouse: Warehouse, config: Config, evidence: AlertEvidence[], notifications: Notification[]): Promise<string[]> {
  const outcomes: string[] = [];
  const dashboardUrl = config.mail.dashboardUrl ?? config.server.publicUrl;
  // Where the alert is, on the district map (none without boundaries; a broken file only loses the map).
  const region = mapPayload(config.map, config.root).region;
  for (const item of evidence) {
    const { to, routes } = recipientsFor(item.series, config.mail);
    const message = composeAlertMail(item, { dashboardUrl, routes, region });
    const result = await deliver(message, to, config.mail);
    outcomes.push(`#${item.episodeId} ${result.status}`);
  }
  await markNotified(warehouse, notifications);
  return outcomes;
}

/**
 * The daily hotspot job: tests yesterday (Beijing) for every series, records episodes, and mails
 * the new and escalated ones, then the day's digest. Returns a one-line outcome for job_runs.
 */
export async function dailyHotspots(warehouse: Warehouse, config: Config, options: { day?: string; detector?: SeriesDetector } = {}): Promise<string> {
  const day = options.day ?? addDays(beijingToday(), -1);
  const detector = options.detector ?? (await pulseDetector());
  const { tested, alarms, dates, series } = await findAlarms(warehouse, day, detector, DEFAULT_HOTSPOT_SETTINGS);
  const notifications = await recordEpisodes(warehouse, day, alarms);
  const byKey = new Map(series.map((s) => [s.info.series_key, s.counts]));
  const evidence: AlertEvidence[] = [];
  for (const n of notifications) {
    const counts = byKey.get(n.alarm.series_key);
    evidence.push(await buildEvidence(warehouse, n, counts ? { dates, counts } : null, detector, config.mail.dashboardUrl));
  }
  const outcomes = await notify(warehouse, config, evidence, notifications);
  const todays = await warehouse.all<{ episode_id: number }>(`select distinct episode_id from alert_days where day = $day::date`, { day });
  if (todays.length && config.mail.digest.to.length) {
    const digestItems = evidence.length ? evidence : [];
    await deliver(composeDigestMail(digestItems, day, { dashboardUrl: config.mail.dashboardUrl }), config.mail.digest.to, config.mail);
  }
  await retryPending(config.mail);
  return `${day}: 检验 ${tested} 个序列，告警 ${alarms.length} 个，通知 ${notifications.length} 个（${outcomes.join('，') || '无'}）`;
}

/**
 * The hourly job: bursts at one address within hours (the water-outage case), and severe surges
 * of today so far — a series whose partial day already exceeds what the model expects of a whole
 * day is alarmed now rather than tomorrow morning.
 */
export async function hourlyIncidents(warehouse: Warehouse, config: Config, now = new Date(), options: { detector?: SeriesDetector; surges?: boolean } = {}): Promise<string> {
  const bursts = await findBursts(warehouse, now);
  const notifications = await recordIncidents(warehouse, bursts);
  const evidence: AlertEvidence[] = [];
  for (const n of notifications) evidence.push(await buildEvidence(warehouse, n, null, null, config.mail.dashboardUrl));
  let surges = 0;
  if (options.surges !== false) {
    const today = beijingToday(now);
    const detector = options.detector ?? (await pulseDetector());
    const { alarms, dates, series } = await findAlarms(warehouse, today, detector, DEFAULT_HOTSPOT_SETTINGS);
    const severe = alarms.filter((a) => a.result.count > a.result.upper);
    surges = severe.length;
    const surgeNotifications = await recordEpisodes(warehouse, today, severe);
    const byKey = new Map(series.map((s) => [s.info.series_key, s.counts]));
    for (const n of surgeNotifications) {
      const counts = byKey.get(n.alarm.series_key);
      evidence.push(await buildEvidence(warehouse, n, counts ? { dates, counts } : null, detector, config.mail.dashboardUrl));
    }
    notifications.push(...surgeNotifications);
  }
  const outcomes = await notify(warehouse, config, evidence, notifications);
  await retryPending(config.mail);
  if (!bursts.length && !surges) return 'skipped: 没有集中突发或当日急剧上升 / no bursts or surges';
  return `集中突发 ${bursts.length} 处，当日急剧上升 ${surges} 个，通知 ${notifications.length} 个（${outcomes.join('，') || '无'}）`;
}
