import { listValue } from '@duckdb/node-api';
import type { Config } from './config.js';
import { mapPayload } from '../reports/charts/map-region.js';
import { falseIncidentSentence } from './false-incidents.js';
import {
  addDays,
  contains,
  DEFAULT_HOTSPOT_SETTINGS,
  filterOf,
  findBursts,
  findStreaks,
  judgeDays,
  loadSeries,
  skippedText,
  specificity,
  type Burst,
  type HotspotSettings,
  type SeriesDetector,
  type SeriesSet,
} from './hotspots.js';
import {
  dueForMail,
  excessOf,
  getIncident,
  groupAlarms,
  groupTopics,
  listIncidents,
  markMailed,
  memberOfAlarm,
  memberOfBurst,
  memberOfSurge,
  recordIncidents,
  seriesName,
  topicOf,
  whereOf,
  windowOf,
  type IncidentWithMembers,
} from './incidents.js';
import { composeAlertMail, composeDigestMail, type AlertEvidence, type MailMessage } from './mail/compose.js';
import { dashboardAddress } from './mail/config.js';
import { alertRecipients } from './mail/routes.js';
import { DELIVERY_WORDS, type DeliveryResult, type DeliveryStatus } from './mail/send.js';
import { hotTopicSurges, type TopicSurge } from './text/topics.js';
import { sqlFile, type Warehouse } from './warehouse.js';

/**
 * The alert jobs: judge the days, group the alarms into incidents, mail each incident that needs
 * it. Sending is passed in (`deliver`), never imported: the service passes SMTP-or-outbox, a
 * replay passes nothing unless asked to notify, tests pass a real SMTP server's.
 */

/** Sends (or writes to the outbox) one mail to its recipients. */
export type Deliver = (message: MailMessage, to: string[]) => Promise<DeliveryResult>;

export const beijingToday = (now = new Date()) => new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
const beijingStamp = (now: Date) => new Date(now.getTime() + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);

/** Our best detector, from the detector library. */
export async function pulseDetector(): Promise<SeriesDetector> {
  const { detect } = await import('./detect/index.js');
  return (series, from) => detect(series, { from, method: 'pulse' });
}

export interface HotspotRunOptions {
  /** Days to judge, oldest first, consecutive (default: yesterday, Beijing time). */
  days?: string[];
  detector?: SeriesDetector;
  /** Without it nothing is mailed: incidents are recorded only. */
  deliver?: Deliver;
  /**
   * A replay (a backfill, the start-up look-back): every day is recorded first, then each
   * incident that needs a mail gets one, describing where it ended — never one per day.
   */
  replay?: boolean;
  /** Check bursts at one place too (default true). */
  bursts?: boolean;
  /** Check topic surges from the requests' texts too (default true). */
  topics?: boolean;
  /**
   * The hourly check of today so far: bursts up to `now`, and only series already above the
   * day's bound (a partial day cannot be held against a whole day's expectation otherwise).
   */
  now?: Date;
  settings?: HotspotSettings;
  /** Aborted when the service stops: the run stops between days (each day's record is one transaction). */
  signal?: AbortSignal;
  /** What the run is doing, for the 数据 page. */
  progress?: (update: { step: string }) => void;
}

export interface DaySummary {
  day: string;
  tested: number;
  skipped: string;
  alarms: number;
  bursts: number;
  /** Weeks at one place far above its month before. */
  streaks: number;
  /** Topic surges (hot issues far above their own earlier rate). */
  topics: number;
  incidents: number[];
}

export interface HotspotRun {
  days: DaySummary[];
  /** Requested days after the warehouse's last day with tickets: not judged. */
  staleDays: string[];
  dataStart: string | null;
  dataEnd: string | null;
  incidents: number[];
  mails: { incidentId: number; kind: 'new' | 'grown'; status: DeliveryStatus; subject: string }[];
  /** Milliseconds spent in each step. */
  timings: { loadSeries: number; detect: number; bursts: number; topics: number; record: number; mail: number; total: number };
  message: string;
}

/**
 * Judges `days`, records the incidents, mails those due. The one path of the daily job, the
 * hourly check, a backfill and the start-up look-back.
 */
export async function runHotspots(warehouse: Warehouse, config: Config, options: HotspotRunOptions = {}): Promise<HotspotRun> {
  const settings = options.settings ?? DEFAULT_HOTSPOT_SETTINGS;
  const started = Date.now();
  const timings = { loadSeries: 0, detect: 0, bursts: 0, topics: 0, record: 0, mail: 0, total: 0 };
  const lap = (step: keyof typeof timings, since: number) => (timings[step] += Date.now() - since);
  const requested = options.days ?? [options.now ? beijingToday(options.now) : addDays(beijingToday(), -1)];
  const hourly = options.now !== undefined;
  const detector = options.detector ?? (await pulseDetector());

  let t = Date.now();
  const set = await loadSeries(warehouse, requested.at(-1)!, settings);
  lap('loadSeries', t);
  const days = requested.filter((d) => set.dataEnd !== null && d <= set.dataEnd && (set.dataStart === null || d >= set.dataStart));
  const staleDays = requested.filter((d) => !days.includes(d));

  t = Date.now();
  options.progress?.({ step: `hotspots: judging ${set.series.length} series` });
  const verdicts = await judgeDays(set, days, detector, settings);
  if (hourly) for (const v of verdicts) v.alarms = v.alarms.filter((a) => a.result.count > a.result.upper);
  lap('detect', t);

  t = Date.now();
  const bursts: Burst[] = [];
  if (days.length && options.bursts !== false) {
    const runFrom = `${days[0]} 00:00:00`;
    const runTo = hourly ? beijingStamp(options.now!) : `${addDays(days.at(-1)!, 1)} 00:00:00`;
    bursts.push(...(await findBursts(warehouse, runFrom, runTo, settings)));
    // A week at one place is a daily matter: the hourly check looks for bursts only.
    if (!hourly) bursts.push(...(await findStreaks(warehouse, runFrom, runTo, set.dataStart, settings)));
  }
  lap('bursts', t);

  t = Date.now();
  options.progress?.({ step: 'hotspots: topic surges' });
  // One read of the run's texts and one vector space for all its days (see topicSurges).
  const surges: TopicSurge[] = days.length && options.topics !== false ? await hotTopicSurges(warehouse, days, { dataStart: set.dataStart ?? undefined }) : [];
  lap('topics', t);

  t = Date.now();
  const mailedBefore = timings.mail;
  const summaries: DaySummary[] = [];
  const touched = new Set<number>();
  const mails: HotspotRun['mails'] = [];
  for (const verdict of verdicts) {
    if (options.signal?.aborted) break;
    options.progress?.({ step: `hotspots: ${verdict.day}` });
    const members = [...verdict.alarms.map((a) => memberOfAlarm(a, verdict.tested)), ...bursts.filter((b) => b.day === verdict.day).map(memberOfBurst)];
    const topics = surges.filter((s) => s.day === verdict.day).map(memberOfSurge);
    const groups = groupTopics(groupAlarms(verdict.day, members, verdict.observed, settings), topics, settings.sharedExcess);
    const ids = await recordIncidents(warehouse, verdict.day, groups, settings);
    ids.forEach((id) => touched.add(id));
    const places = members.slice(verdict.alarms.length);
    const streaks = places.filter((m) => m.channel === 'streak').length;
    summaries.push({ day: verdict.day, tested: verdict.tested, skipped: skippedText(verdict.skipped), alarms: verdict.alarms.length, bursts: places.length - streaks, streaks, topics: topics.length, incidents: ids });
    if (!options.replay) mails.push(...(await mailDue(warehouse, config, ids, { set, detector, settings, deliver: options.deliver }, timings)));
  }
  // Mails sent along the way are timed as mail, not as recording.
  timings.record += Date.now() - t - (timings.mail - mailedBefore);
  if (options.replay && !options.signal?.aborted) mails.push(...(await mailDue(warehouse, config, [...touched], { set, detector, settings, deliver: options.deliver }, timings)));
  timings.total = Date.now() - started;
  const run = { days: summaries, staleDays, dataStart: set.dataStart, dataEnd: set.dataEnd, incidents: [...touched], mails, timings, message: '' };
  run.message = runMessage(run, !!options.deliver) + (options.signal?.aborted ? `\n服务停止，已中断：检验了 ${summaries.length} / ${days.length} 天 / interrupted by the stop` : '');
  return run;
}

/** Why a day tested no series: the export has neither category nor district (bursts are still checked). */
const NO_SERIES_WORDS = '（没有可检验的序列：工单既无分类也无区县；集中突发照常检测）';

/**
 * '2025-11-30: 检验 862 个序列（未检验：…），告警 4 个、集中突发 1 处 → 事件 #3', one line a day
 * (a replay of many days: the days with alarms, and how many were quiet), the stale days, the mails.
 */
function runMessage(run: Omit<HotspotRun, 'message'>, delivering: boolean): string {
  const line = (d: DaySummary) => {
    const skipped = d.skipped ? `（未检验：${d.skipped}）` : d.tested ? '' : NO_SERIES_WORDS;
    const found = d.alarms || d.bursts || d.streaks || d.topics ? `告警 ${d.alarms} 个${d.bursts ? `、集中突发 ${d.bursts} 处` : ''}${d.streaks ? `、一周集中 ${d.streaks} 处` : ''}${d.topics ? `、话题突增 ${d.topics} 个` : ''} → 事件 ${d.incidents.map((id) => `#${id}`).join(' ')}` : '无告警';
    return `${d.day}: 检验 ${d.tested} 个序列${skipped}，${found}`;
  };
  const quiet = run.days.filter((d) => !d.alarms && !d.bursts && !d.streaks && !d.topics);
  const lines = run.days.length > 3 ? run.days.filter((d) => d.alarms || d.bursts || d.streaks || d.topics).map(line) : run.days.map(line);
  if (run.days.length > 3) {
    const quietWords = quiet.length === run.days.length ? '均无告警' : `其余 ${quiet.length} 天无告警`;
    const last = run.days.at(-1)!;
    const tested = last.tested || last.skipped ? `（每天检验约 ${last.tested} 个序列${last.skipped ? `，未检验：${last.skipped}` : ''}）` : NO_SERIES_WORDS;
    lines.push(`${run.days[0].day} 至 ${last.day} 共 ${run.days.length} 天，${quietWords}${tested}`);
  }
  const span = (list: string[]) => (list.length === 1 ? list[0] : `${list[0]} 至 ${list.at(-1)}`);
  // Days before the data's first day were never exported; days after its last are not in yet.
  const before = run.dataStart ? run.staleDays.filter((d) => d < run.dataStart!) : [];
  const after = run.staleDays.filter((d) => !before.includes(d));
  if (before.length) lines.push(`数据始于 ${run.dataStart}，${span(before)} 没有工单数据，未检验 / the data begins on ${run.dataStart}`);
  if (after.length) {
    lines.push(
      run.dataEnd
        ? `数据截止于 ${run.dataEnd}，${span(after)} 没有工单数据，未检验（可用 --day ${run.dataEnd} 检验数据的最后一天）/ the data ends on ${run.dataEnd}`
        : '数据仓库中还没有工单，未检验 / no tickets in the warehouse',
    );
  }
  const mailed = run.mails.map((m) => `#${m.incidentId} ${DELIVERY_WORDS[m.status]}`).join('，');
  lines.push(delivering ? `邮件 ${run.mails.length} 封${mailed ? `（${mailed}）` : ''}` : run.incidents.length ? `事件 ${run.incidents.length} 起已记录，未发送邮件` : '没有事件，未发送邮件');
  return lines.join('\n');
}

interface MailContext {
  set: SeriesSet;
  detector: SeriesDetector;
  settings: HotspotSettings;
  deliver?: Deliver;
}

async function mailDue(warehouse: Warehouse, config: Config, ids: number[], context: MailContext, timings: HotspotRun['timings']): Promise<HotspotRun['mails']> {
  if (!context.deliver || !ids.length) return [];
  const t = Date.now();
  const mails: HotspotRun['mails'] = [];
  // Where the incident is, on the district map (none without boundaries; a broken file only loses the map).
  const region = mapPayload(config.map, config.root).region;
  for (const due of await dueForMail(warehouse, ids, context.settings)) {
    const incident = (await getIncident(warehouse, due.incident_id))!;
    const evidence = await buildEvidence(warehouse, config, { ...incident, kind: due.kind }, context);
    const recipients = alertRecipients(evidence.series, config.mail);
    const message = await composeAlertMail(evidence, { routes: recipients.routes, reason: recipients.reason, region });
    const result = await context.deliver(message, recipients.to);
    await markMailed(warehouse, incident);
    mails.push({ incidentId: incident.incident_id, kind: due.kind, status: result.status, subject: message.subject });
  }
  timings.mail += Date.now() - t;
  return mails;
}

/** The daily series that best pictures an incident: its most specific member with a model, or the narrowest one containing its head. */
function chartSeries(incident: IncidentWithMembers, set: SeriesSet) {
  const byKey = new Map(set.series.map((s) => [s.info.series_key, s]));
  const head = filterOf(incident);
  const candidates = set.series.filter((s) => contains(filterOf(s.info), head) || incident.members.some((m) => m.series_key === s.info.series_key));
  return candidates.sort((a, b) => specificity(filterOf(b.info)) - specificity(filterOf(a.info)) || a.total - b.total)[0] ?? byKey.get(incident.head_series);
}

/** Everything an incident's mail shows. */
export async function buildEvidence(warehouse: Warehouse, config: Config, incident: IncidentWithMembers & { kind: 'new' | 'grown' }, context: MailContext): Promise<AlertEvidence> {
  const head = incident.members.filter((m) => m.series_key === incident.head_series).sort((a, b) => excessOf(b) - excessOf(a))[0] ?? incident.members[0];
  const burst = head.level === 'burst' ? head : null;
  const span = windowOf(head);
  // The burst's busiest hours (a streak's busiest week), as address_bursts.sql counted them: the
  // whole hours that end with the hour of its last ticket (not the hours before the ticket itself,
  // which can take in a few earlier tickets that the count left out: a mail said 33 件 above a
  // place table of 35).
  const windowEnd = burst?.window ? shiftHours(`${burst.window.last.slice(0, 13)}:00:00`, 1) : null;
  const windowHours = span === 'week' ? context.settings.streakDays * 24 : context.settings.burstHours;
  const window = windowEnd ? { from: shiftHours(windowEnd, -windowHours), to: windowEnd } : null;
  type EvidenceTicket = { ticket_id: string; received_at: string; content: string | null; address: string | null; township: string | null; place: string | null };
  const topic = head.level === 'topic';
  const tickets = await warehouse.all<EvidenceTicket>(
    sqlFile('alerts/series_tickets.sql'),
    {
      // A topic's tickets are listed, not filtered: its day's own requests.
      ids: topic ? listValue(head.ticketIds ?? []) : null,
      l1: burst || topic ? null : head.level === 'district' ? null : head.category_l1,
      l2: burst ? null : head.level === 'l2' || head.level === 'l2_district' ? head.category_l2 : null,
      district: head.level === 'l1' || head.level === 'l2' || topic ? null : head.district,
      place: burst ? head.place : null,
      near_place: incident.place,
      near_l2: incident.category_l2,
      from: window?.from ?? `${head.day} 00:00:00`,
      to: window?.to ?? `${addDays(head.day, 1)} 00:00:00`,
    },
  );
  const chart = topic ? undefined : chartSeries(incident, context.set);
  let history: AlertEvidence['history'] = [];
  if (topic) history = await topicHistory(warehouse, incident, head);
  else if (chart) {
    const end = context.set.dates.indexOf(incident.last_day);
    const dates = context.set.dates.slice(0, end + 1);
    history = context
      .detector({ dates, counts: chart.counts.slice(0, end + 1) }, addDays(incident.last_day, -55))
      .filter((r) => Number.isFinite(r.expected))
      .map((r) => ({ date: r.date, count: r.count, expected: r.expected, upper: r.upper }));
  }
  const related = incident.members
    .filter((m) => m !== head)
    .sort((a, b) => a.day.localeCompare(b.day) || excessOf(b) - excessOf(a))
    .map((m) => ({ name: seriesName(m), day: m.day, count: m.count, expected: m.expected, window: windowOf(m) }));
  return {
    incidentId: incident.incident_id,
    kind: incident.kind,
    series: { category_l1: incident.category_l1 ?? '', category_l2: incident.category_l2, district: incident.district },
    topic: topicOf(incident),
    where: whereOf(incident),
    township: incident.township,
    place: incident.place,
    date: head.day,
    firstDay: incident.first_day,
    lastDay: incident.last_day,
    count: head.count,
    expected: head.expected,
    upper: head.upper,
    adjustedP: incident.p_value ?? head.qValue,
    tests: head.tests,
    window: span,
    topicSurge: topic,
    windowFrom: burst?.window?.first,
    windowTo: burst?.window?.last,
    rise: head.rise,
    related,
    history,
    historyTitle: topic ? `${topicOf(head)}：该话题及此前四周同类诉求每日工单` : chart ? `${seriesName({ ...chart.info, place: null })} 近 8 周每日工单` : '',
    topTownships: topN(tickets, 'township', 5),
    topAddresses: topN(tickets, 'place', 5),
    unnamed: { townships: tickets.filter((t) => !t.township).length, places: tickets.filter((t) => !t.place).length },
    samples: tickets.slice(0, 3).map((t) => ({ ticket_id: String(t.ticket_id), received_at: String(t.received_at).slice(0, 16), content: t.content, address: t.address })),
    falseIncidents: falseIncidentSentence(),
    dashboardUrl: dashboardAddress(config),
  };
}

/**
 * A topic-headed incident's chart: the daily counts of its topics' tickets (the surge days' own
 * and the similar requests of the four weeks before), against the head's expected rate and bound.
 */
async function topicHistory(warehouse: Warehouse, incident: IncidentWithMembers, head: IncidentWithMembers['members'][number]): Promise<AlertEvidence['history']> {
  const ids = [...new Set(incident.members.filter((m) => m.level === 'topic').flatMap((m) => m.ticketIds ?? []))];
  const first = addDays(incident.first_day, -27);
  const rows = await warehouse.all<{ received_at: string }>(sqlFile('alerts/series_tickets.sql'), {
    ids: listValue(ids), l1: null, l2: null, district: null, place: null, near_place: null, near_l2: null, from: `${first} 00:00:00`, to: `${addDays(incident.last_day, 1)} 00:00:00`,
  });
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(String(row.received_at).slice(0, 10), (counts.get(String(row.received_at).slice(0, 10)) ?? 0) + 1);
  const history: AlertEvidence['history'] = [];
  for (let day = first; day <= incident.last_day; day = addDays(day, 1)) history.push({ date: day, count: counts.get(day) ?? 0, expected: head.expected, upper: head.upper });
  return history;
}

/** 'YYYY-MM-DD HH:mm:ss' moved by `hours` (wall-clock arithmetic: the stamps carry no zone). */
const shiftHours = (stamp: string, hours: number) => new Date(Date.parse(`${stamp.replace(' ', 'T')}Z`) + hours * 3600_000).toISOString().replace('T', ' ').slice(0, 19);

function topN<T extends Record<string, unknown>>(rows: T[], key: keyof T, n: number) {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const name = row[key];
    if (typeof name === 'string' && name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, count]) => ({ name, count }));
}

/**
 * The daily job (06:30): judges yesterday, mails new and doubled incidents, then sends the
 * digest of the day's incidents to the digest list (also on a quiet day when `digest.quiet`).
 */
export async function dailyHotspots(
  warehouse: Warehouse,
  config: Config,
  options: { day?: string; detector?: SeriesDetector; deliver?: Deliver; settings?: HotspotSettings } = {},
): Promise<string> {
  const run = await runHotspots(warehouse, config, { days: options.day ? [options.day] : undefined, detector: options.detector, deliver: options.deliver, settings: options.settings });
  const day = run.days[0]?.day;
  if (day && options.deliver && config.mail.digest.to.length) {
    const todays = (await listIncidents(warehouse, { from: day, to: day })).filter((i) => i.members.some((m) => m.day === day));
    if (todays.length || config.mail.digest.quiet) {
      const items: AlertEvidence[] = todays.map((i) => ({
        ...digestLine(i, config),
        kind: run.mails.find((m) => m.incidentId === i.incident_id)?.kind ?? (i.first_day < day ? 'continuing' : 'new'),
      }));
      await options.deliver(composeDigestMail(items, day, { dashboardUrl: dashboardAddress(config), falseIncidents: falseIncidentSentence() }), config.mail.digest.to);
    }
  }
  return run.message;
}

/** A digest line needs no tickets or chart: the incident's own figures. */
function digestLine(i: IncidentWithMembers, config: Config): Omit<AlertEvidence, 'kind'> {
  return {
    incidentId: i.incident_id,
    series: { category_l1: i.category_l1 ?? '', category_l2: i.category_l2, district: i.district },
    topic: topicOf(i),
    where: whereOf(i),
    date: i.peak_day,
    firstDay: i.first_day,
    lastDay: i.last_day,
    count: i.peak_count,
    expected: i.peak_expected,
    upper: Number.NaN,
    adjustedP: i.p_value ?? 1,
    tests: 0,
    window: windowOf(i.members.find((m) => m.series_key === i.head_series) ?? i),
    rise: null,
    related: [],
    history: [],
    historyTitle: '',
    topTownships: [],
    topAddresses: [],
    samples: [],
    falseIncidents: null,
    dashboardUrl: dashboardAddress(config),
  };
}

/**
 * The hourly check: bursts at one place within hours (the water-outage case) and series whose
 * day so far already exceeds the bound of a whole day — alarmed now rather than tomorrow morning,
 * and one incident with tomorrow's daily alarms on the same tickets.
 */
export async function hourlyIncidents(
  warehouse: Warehouse,
  config: Config,
  options: { now?: Date; detector?: SeriesDetector; deliver?: Deliver; settings?: HotspotSettings } = {},
): Promise<string> {
  const run = await runHotspots(warehouse, config, { now: options.now ?? new Date(), detector: options.detector, deliver: options.deliver, settings: options.settings });
  const day = run.days[0];
  if (!day || (!day.alarms && !day.bursts && !day.topics)) return `skipped: 没有集中突发或当日急剧上升 / no bursts or surges${run.staleDays.length ? `（数据截止于 ${run.dataEnd ?? '—'}）` : ''}`;
  return run.message;
}

/**
 * A replay of the last `days` days ending on `last`: records incidents day by day; mails each
 * incident that needs it once at the end, and only when `deliver` is given.
 */
export async function backfillHotspots(
  warehouse: Warehouse,
  config: Config,
  last: string,
  days: number,
  options: Pick<HotspotRunOptions, 'detector' | 'deliver' | 'signal' | 'progress'> = {},
): Promise<HotspotRun> {
  const list = Array.from({ length: days }, (_, i) => addDays(last, i - days + 1));
  return runHotspots(warehouse, config, { ...options, days: list, replay: true });
}
