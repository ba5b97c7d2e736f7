import { listValue } from '@duckdb/node-api';
import {
  addDays,
  contains,
  DEFAULT_HOTSPOT_SETTINGS,
  filterOf,
  intersect,
  riseOf,
  seriesKeyOf,
  specificity,
  ticketDays,
  type Alarm,
  type Burst,
  type HotspotSettings,
  type SeriesFilter,
} from './hotspots.js';
import { seriesName, type MemberLevel } from './incident-names.js';
import type { SurgeTicket, TopicSurge } from './text/topics.js';
import { wordHash } from './text/features.js';
import { sqlFile, type Warehouse } from './warehouse.js';

export { levelName, seriesName, topicOf, whereOf, windowOf } from './incident-names.js';

/**
 * Incidents: one event in the city raises alarms in several series at once — the same tickets
 * counted in 全辖区 · 一级, 二级, 区县 × …, and at their compound as an address burst — and often
 * on consecutive days. The rules, in the words the README states them:
 *  - two alarms of one day are one incident when the tickets they share account for at least
 *    half of each one's excess over its expected count (a district-wide rise that the outage
 *    explains only in part stays an incident of its own);
 *  - an incident continues on a later day (within `quietDays`; with a week at one place among its
 *    alarms, within `streakDays`) when the day's alarms share a
 *    series-day with it, when one of them is a series of it alarming again, or when their head is about the same place and topic (the one contains
 *    the other: 停水 · 昌吉市 · 翠苑华府 and 停水 · 昌吉市);
 *  - a topic surge (a hot issue of the day far above its own earlier rate, tickets listed rather
 *    than filtered) joins the day's group with which it shares the most tickets when they are at
 *    least half of its own (a burst: its tickets at the burst's compound within the burst's hours;
 *    a daily series: its tickets in the series' category and district); else it joins the day's
 *    other topics at the same compound, else it is an incident of its own; it continues an open
 *    topic incident at the same compound (or with the same description), and so does a later
 *    burst or week at that compound when a third of the topic's requests are of its category;
 *    a topic continues an open burst or week at its compound when a third of its requests are of
 *    that alarm's category;
 *  - its head is the most specific member series whose excess is at least half the largest;
 *  - it is mailed once, and again only when its excess has doubled since the last mail.
 */

export type { MemberLevel };

/** What a series (or an incident, by its head) is about and where. */
export interface TopicAndPlace {
  level: MemberLevel;
  /** A topic surge: its description (other levels: null). */
  topic?: string | null;
  category_l1: string | null;
  category_l2: string | null;
  district: string | null;
  township: string | null;
  place: string | null;
}

/** One series' alarm on one day, daily or burst alike: what an incident is made of. */
export interface Member extends TopicAndPlace {
  series_key: string;
  day: string;
  count: number;
  expected: number;
  upper: number;
  pValue: number;
  /** Adjusted for the day's many tests: Benjamini–Hochberg (daily), Bonferroni over places (burst) … */
  qValue: number;
  /** … this many: the series judged that day, or the places with tickets. */
  tests: number;
  score: number;
  channel: 'day' | 'rise' | 'cusum' | 'burst' | 'streak' | 'topic';
  rise: { start: string; days: number; observed: number; expected: number } | null;
  /** A burst or a streak: its first and last ticket ('YYYY-MM-DD HH:mm:ss'). */
  window: { first: string; last: string } | null;
  /** A topic surge: its tickets of the day and the similar ones of the weeks before (its chart). */
  ticketIds?: string[] | null;
  /** A topic surge as judged (not stored): the day's tickets, what it is grouped by. */
  surgeTickets?: SurgeTicket[];
}

export const excessOf = (m: { count: number; expected: number }) => m.count - m.expected;

/** Days without an alarm after which an incident closes: a week at one place keeps it for the week it covers. */
const quietDaysOf = (settings: HotspotSettings, streak: boolean) => (streak ? Math.max(settings.quietDays, settings.streakDays) : settings.quietDays);

export function memberOfAlarm(alarm: Alarm, tests: number): Member {
  const r = riseOf(alarm.result);
  return {
    series_key: alarm.series_key,
    level: alarm.level,
    category_l1: alarm.category_l1,
    category_l2: alarm.category_l2,
    district: alarm.district,
    township: null,
    place: null,
    day: r.date,
    count: r.count,
    expected: r.expected,
    upper: r.upper,
    pValue: r.pValue,
    qValue: alarm.qValue,
    tests,
    score: r.score,
    channel: r.channel ?? 'day',
    rise: r.riseStart && r.riseDays !== undefined && r.riseObserved !== undefined && r.riseExpected !== undefined ? { start: r.riseStart, days: r.riseDays, observed: r.riseObserved, expected: r.riseExpected } : null,
    window: null,
    topic: null,
    ticketIds: null,
  };
}

export function memberOfBurst(burst: Burst): Member {
  // A streak (a week at the place) is the same kind of member as a burst, with its own key: a burst
  // and a streak at one place on one day are two alarms (they share tickets, so one incident). The
  // key names the category too: a morning's outage and an evening's noise at one compound are two.
  return {
    series_key: `${burst.kind}=${burst.district ?? ''}|${burst.place}|${burst.category_l2 ?? ''}`,
    level: 'burst',
    category_l1: burst.category_l1,
    category_l2: burst.category_l2,
    district: burst.district,
    township: burst.township,
    place: burst.place,
    day: burst.day,
    count: burst.n,
    expected: burst.expected,
    // The rule's threshold (address_bursts.sql): the minimum count, or five times the place's rate
    // in its 30 days before (at least one ticket) over the window — a whole number of tickets.
    upper: Math.max(burst.minCount, Math.ceil((5 * Math.max(burst.previous_30_days, 1) * burst.hours) / 720)),
    pValue: burst.pValue,
    qValue: burst.adjustedP,
    tests: burst.places,
    score: -Math.log10(Math.max(burst.adjustedP, 1e-300)),
    channel: burst.kind,
    rise: null,
    window: { first: burst.first_at, last: burst.last_at },
    topic: null,
    ticketIds: null,
  };
}

/** A topic surge as a member: keyed by where it is and its description (hashed: keys stay short). */
export function memberOfSurge(surge: TopicSurge): Member {
  return {
    series_key: `topic=${surge.district ?? ''}|${surge.compound ?? ''}|${(wordHash(surge.description) >>> 0).toString(36)}`,
    level: 'topic',
    topic: surge.description,
    category_l1: null,
    category_l2: null,
    district: surge.district,
    township: surge.township,
    place: surge.compound,
    day: surge.day,
    count: surge.count,
    expected: surge.expected,
    upper: surge.upper,
    pValue: surge.pValue,
    qValue: surge.adjustedP,
    tests: surge.tests,
    score: -Math.log10(Math.max(surge.adjustedP, 1e-300)),
    channel: 'topic',
    rise: null,
    window: null,
    ticketIds: surge.historyTicketIds,
    surgeTickets: surge.tickets,
  };
}

/** How many of a topic surge's tickets another alarm of its day counts. */
function sharedTickets(topic: Member, other: Member): number {
  const tickets = topic.surgeTickets ?? [];
  if (other.level === 'topic') {
    const ids = new Set((other.surgeTickets ?? []).map((t) => t.ticket_id));
    return tickets.filter((t) => ids.has(t.ticket_id)).length;
  }
  if (other.level === 'burst') {
    const window = other.window;
    return tickets.filter((t) => t.compound === other.place && t.district === other.district && (!window || (t.received_at >= window.first && t.received_at <= window.last))).length;
  }
  const filter = filterOf(other);
  return tickets.filter((t) => contains(filter, { category_l1: t.category_l1, category_l2: t.category_l2, district: t.district })).length;
}

/**
 * Adds a day's topic surges to its alarm groups: to the group it shares most tickets with when
 * they are at least `share` of its own, else to the day's group of topics at the same compound,
 * else as a group of its own. One group only: a topic never bridges two alarms into one.
 */
export function groupTopics(groups: AlarmGroup[], topics: Member[], share = DEFAULT_HOTSPOT_SETTINGS.sharedExcess): AlarmGroup[] {
  const out = groups.map((g) => ({ ...g, members: [...g.members] }));
  for (const topic of topics) {
    // The most shared tickets; on a tie, the alarm the topic explains most of (the burst at its
    // compound before the district-wide rise that also counts its tickets).
    let best: AlarmGroup | null = null;
    let bestShared = 0;
    let bestExplained = 0;
    for (const group of out) {
      for (const m of group.members) {
        if (m.level === 'topic') continue;
        const shared = sharedTickets(topic, m);
        const explained = shared / Math.max(excessOf(m), 1);
        if (shared > bestShared || (shared === bestShared && shared > 0 && explained > bestExplained)) [best, bestShared, bestExplained] = [group, shared, explained];
      }
    }
    if (!best || bestShared < share * topic.count) {
      best = topic.place ? (out.find((g) => g.members.every((m) => m.level === 'topic' && m.place === topic.place && m.district === topic.district)) ?? null) : null;
    }
    if (best) best.members.push(topic);
    else out.push({ day: topic.day, members: [topic], head: topic });
  }
  return out.map((g) => ({ ...g, head: headOf(g.members, share) }));
}

export interface AlarmGroup {
  day: string;
  members: Member[];
  head: Member;
}

/** The member that names a group: the most specific one whose excess is at least `share` of the largest. */
export function headOf<T extends Member>(members: T[], share = DEFAULT_HOTSPOT_SETTINGS.sharedExcess): T {
  const largest = Math.max(...members.map(excessOf));
  return members
    .filter((m) => excessOf(m) >= share * largest)
    .sort((a, b) => specificity(filterOf(b)) - specificity(filterOf(a)) || a.expected - b.expected || excessOf(b) - excessOf(a))[0];
}

/**
 * Groups one day's alarms (daily and bursts) into the sets that share their tickets. `observed`
 * gives the count and expected count of any judged series that day: the tickets two alarms
 * share are a series too (l2 × district is the intersection of l2 and a district).
 */
export function groupAlarms(day: string, members: Member[], observed: Map<string, { count: number; expected: number }>, settings: HotspotSettings = DEFAULT_HOTSPOT_SETTINGS): AlarmGroup[] {
  const parent = members.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i])));
  const filters = members.map(filterOf);
  for (let i = 0; i < members.length; i++) {
    for (let j = i + 1; j < members.length; j++) {
      const shared = intersect(filters[i], filters[j]);
      if (!shared) continue;
      const same = (f: SeriesFilter) => contains(f, shared) && contains(shared, f);
      const key = seriesKeyOf(shared);
      const sharedExcess = same(filters[i]) ? excessOf(members[i]) : same(filters[j]) ? excessOf(members[j]) : key && observed.has(key) ? excessOf(observed.get(key)!) : 0;
      if (sharedExcess >= settings.sharedExcess * excessOf(members[i]) && sharedExcess >= settings.sharedExcess * excessOf(members[j])) parent[root(i)] = root(j);
    }
  }
  const groups = new Map<number, Member[]>();
  members.forEach((m, i) => groups.set(root(i), [...(groups.get(root(i)) ?? []), m]));
  return [...groups.values()].map((group) => ({ day, members: group, head: headOf(group, settings.sharedExcess) }));
}

/** Same place and topic: both name a topic (or neither does) and their topics and places nest. */
export function samePlaceAndTopic(a: SeriesFilter, b: SeriesFilter): boolean {
  const topic = (f: SeriesFilter): SeriesFilter => ({ category_l1: f.category_l1, category_l2: f.category_l2 });
  const where = (f: SeriesFilter): SeriesFilter => ({ district: f.district, place: f.place });
  const nested = (x: SeriesFilter, y: SeriesFilter) => contains(x, y) || contains(y, x);
  const hasTopic = (f: SeriesFilter) => f.category_l1 !== undefined;
  return hasTopic(a) === hasTopic(b) && nested(topic(a), topic(b)) && nested(where(a), where(b));
}

/** One row of alert_incidents as readers get it (dates as 'YYYY-MM-DD'). */
export interface Incident extends TopicAndPlace {
  incident_id: number;
  first_day: string;
  last_day: string;
  head_series: string;
  peak_day: string;
  peak_count: number;
  peak_expected: number;
  p_value: number | null;
  excess: number;
  status: 'open' | 'acknowledged' | 'closed';
  closed_on: string | null;
  notified: number;
  notified_excess: number | null;
  comment: string | null;
  handled_by: string | null;
  handled_at: string | null;
}

const INCIDENT_COLUMNS = `incident_id, strftime(first_day, '%Y-%m-%d') as first_day, strftime(last_day, '%Y-%m-%d') as last_day, head_series, level, topic,
  category_l1, category_l2, district, township, place, strftime(peak_day, '%Y-%m-%d') as peak_day, peak_count, peak_expected, p_value, excess,
  status, strftime(closed_on, '%Y-%m-%d') as closed_on, notified, notified_excess, comment, handled_by, strftime(handled_at, '%Y-%m-%d %H:%M') as handled_at`;

/** A member as stored: its day's figures from alert_days, its identity from alert_incident_series. */
export type StoredMember = Member & { incident_id: number };

const MEMBER_COLUMNS = `d.incident_id, d.series_key, s.level, s.topic, d.ticket_ids as "ticketIds", s.category_l1, s.category_l2, s.district, s.township, s.place, strftime(d.day, '%Y-%m-%d') as day,
  d.count, d.expected, d.upper, d.p_value as "pValue", d.q_value as "qValue", coalesce(d.tests, 0) as tests, d.score, coalesce(d.channel, 'day') as channel,
  case when d.rise_start is null then null else {start: strftime(d.rise_start, '%Y-%m-%d'), days: d.rise_days, observed: d.rise_observed, expected: d.rise_expected} end as rise,
  case when d.first_at is null then null else {first: strftime(d.first_at, '%Y-%m-%d %H:%M:%S'), last: strftime(d.last_at, '%Y-%m-%d %H:%M:%S')} end as window`;

async function storedMembers(warehouse: Warehouse, incidentIds: number[]): Promise<StoredMember[]> {
  if (!incidentIds.length) return [];
  return warehouse.all<StoredMember>(
    `select ${MEMBER_COLUMNS} from alert_days as d join alert_incident_series as s using (incident_id, series_key)
     where list_contains($ids::bigint[], d.incident_id) order by d.day, d.series_key`,
    { ids: listValue(incidentIds) },
  );
}

/** The incident an alarm group belongs to: one sharing a series-day with it, else an open one of the same place and topic. */
async function incidentFor(warehouse: Warehouse, group: AlarmGroup, settings: HotspotSettings): Promise<number | null> {
  const keys = group.members.map((m) => m.series_key);
  const sharing = await warehouse.one<{ incident_id: number }>(
    `select incident_id from alert_days where day = $day::date and list_contains($keys::varchar[], series_key) order by incident_id limit 1`,
    { day: group.day, keys: listValue(keys) },
  );
  if (sharing) return Number(sharing.incident_id);
  // A week at one place counts the tickets of the week before its day: it continues what they
  // raised within that week, however quiet the days in between.
  const streak = group.members.some((m) => m.channel === 'streak');
  const since = addDays(group.day, -quietDaysOf(settings, streak));
  // The same series alarming again within the quiet days continues its open incident, whatever
  // else joined that incident meanwhile. (By place and topic alone, a week at 翠苑小区 of 供暖不热
  // did not: its 一级分类 came out 供暖 one day and 住房保障 the next, and the incident's head had
  // become the prefecture's 供暖不热 — the demo recorded the same week at one place twice.)
  const again = await warehouse.one<{ incident_id: number }>(
    `select d.incident_id from alert_days d join alert_incidents i using (incident_id)
     where i.status <> 'closed' and d.day >= $since::date and d.day < $day::date and list_contains($keys::varchar[], d.series_key)
     order by d.day desc, d.incident_id limit 1`,
    { day: group.day, since, keys: listValue(keys) },
  );
  if (again) return Number(again.incident_id);
  const open = await warehouse.all<Incident>(
    `select ${INCIDENT_COLUMNS} from alert_incidents
     where status <> 'closed' and last_day >= $since::date and first_day <= $day::date
     order by last_day desc, excess desc`,
    { day: group.day, since },
  );
  const head = filterOf(group.head);
  // A topic continues a topic: at the same compound, or with the same description.
  const sameTopic = (incident: Incident) =>
    incident.district === group.head.district && ((!!incident.place && incident.place === group.head.place) || incident.topic === group.head.topic);
  const match = open.find((incident) =>
    group.head.level === 'topic' || incident.level === 'topic' ? incident.level === group.head.level && sameTopic(incident) : samePlaceAndTopic(filterOf(incident), head),
  );
  if (match) return Number(match.incident_id);
  // And the other way round: a hot issue at a compound continues an open alarm there (a burst, a
  // week at one place) when at least a third of its requests are of that alarm's category — the
  // demo's road damage: a burst and a week at 西地村, the next day a hot issue of the same
  // requests there, which made an incident of its own.
  if (group.head.level === 'topic' && group.head.place) {
    const tickets = group.head.surgeTickets ?? [];
    const ofCategory = (incident: Incident) => tickets.filter((t) => (incident.category_l2 ? t.category_l2 === incident.category_l2 : t.category_l1 === incident.category_l1)).length;
    const continued = open.find(
      (incident) =>
        incident.level !== 'topic' &&
        incident.place === group.head.place &&
        incident.district === group.head.district &&
        !!(incident.category_l2 ?? incident.category_l1) &&
        tickets.length > 0 &&
        3 * ofCategory(incident) >= tickets.length,
    );
    if (continued) return Number(continued.incident_id);
  }
  // A burst or a week at a compound continues a hot issue raised there the days before when at
  // least a third of that requests are of its category (night-time construction noise:
  // first a topic, then the burst of 噪声扰民 at the compound; a gas leak filed under three
  // categories, then a burst of 燃气) — not another matter at the same compound.
  const { place, district, category_l2: category } = group.head;
  if (group.head.level !== 'topic' && place && category) {
    for (const incident of open.filter((i) => i.level === 'topic' && i.place === place && i.district === district)) {
      const share = await warehouse.one<{ same: number; n: number }>(
        `select count(*) filter (where coalesce(category_l2, category_l1) = $category) as same, count(*) as n from tickets
         where ticket_id in (select unnest(ticket_ids) from alert_days where incident_id = $id and ticket_ids is not null)`,
        { id: incident.incident_id, category },
      );
      if (share && Number(share.n) > 0 && 3 * Number(share.same) >= Number(share.n)) return Number(incident.incident_id);
    }
  }
  return null;
}

/**
 * Stores a day's alarm groups as incidents (new, or added to the one they continue) and closes
 * incidents that have been quiet for `quietDays`. Returns the incidents the day touched.
 */
export async function recordIncidents(warehouse: Warehouse, day: string, groups: AlarmGroup[], settings: HotspotSettings = DEFAULT_HOTSPOT_SETTINGS): Promise<number[]> {
  const touched = new Set<number>();
  await warehouse.transaction(async () => {
    for (const group of groups) {
      let id = await incidentFor(warehouse, group, settings);
      if (id === null) {
        id = Number((await warehouse.one<{ id: number }>(`select coalesce(max(incident_id), 0) + 1 as id from alert_incidents`))!.id);
        const h = group.head;
        await warehouse.run(
          `insert into alert_incidents (incident_id, first_day, last_day, head_series, level, topic, peak_day, peak_count, peak_expected, excess, status)
           values ($id, $day::date, $day::date, $key, $level, $topic, $day::date, $count, $expected, $excess, 'open')`,
          { id, day, key: h.series_key, level: h.level, topic: h.topic ?? null, count: h.count, expected: h.expected, excess: excessOf(h) },
        );
      }
      for (const m of group.members) {
        await warehouse.run(
          `insert into alert_incident_series (incident_id, series_key, level, topic, category_l1, category_l2, district, township, place)
           select $id, $key, $level, $topic, $l1, $l2, $district, $township, $place
           where not exists (select 1 from alert_incident_series where incident_id = $id and series_key = $key)`,
          { id, key: m.series_key, level: m.level, topic: m.topic ?? null, l1: m.category_l1, l2: m.category_l2, district: m.district, township: m.township, place: m.place },
        );
        await warehouse.run(`delete from alert_days where series_key = $key and day = $day::date`, { key: m.series_key, day: m.day });
        await warehouse.run(
          `insert into alert_days (incident_id, series_key, day, count, expected, upper, p_value, q_value, tests, score, channel,
             rise_start, rise_days, rise_observed, rise_expected, first_at, last_at, ticket_ids, detected_at)
           values ($id, $key, $day::date, $count, $expected, $upper, $p, $q, $tests, $score, $channel,
             $rise_start::date, $rise_days, $rise_observed, $rise_expected, $first_at::timestamp, $last_at::timestamp, $ticket_ids::varchar[], current_localtimestamp())`,
          {
            id, key: m.series_key, day: m.day, count: m.count, expected: m.expected, upper: m.upper, p: m.pValue, q: m.qValue, tests: m.tests, score: m.score, channel: m.channel,
            rise_start: m.rise?.start ?? null, rise_days: m.rise?.days ?? null, rise_observed: m.rise?.observed ?? null, rise_expected: m.rise?.expected ?? null,
            first_at: m.window?.first ?? null, last_at: m.window?.last ?? null, ticket_ids: m.ticketIds ? listValue(m.ticketIds) : null,
          },
        );
      }
      touched.add(id);
    }
    await summarise(warehouse, [...touched], settings);
    // (an incident with a week at one place stays open as long as that week could continue it)
    await warehouse.run(
      `update alert_incidents set status = 'closed', closed_on = $day::date
       where status <> 'closed' and last_day < $since::date
         and (last_day < $since_streak::date or not exists (
           select 1 from alert_days as d where d.incident_id = alert_incidents.incident_id and d.channel = 'streak'))`,
      { day, since: addDays(day, -quietDaysOf(settings, false)), since_streak: addDays(day, -quietDaysOf(settings, true)) },
    );
  });
  return [...touched];
}

/** Recomputes what an incident says from its members: its days, head, peak and p-value. */
async function summarise(warehouse: Warehouse, ids: number[], settings: HotspotSettings): Promise<void> {
  const members = await storedMembers(warehouse, ids);
  for (const id of ids) {
    const mine = members.filter((m) => m.incident_id === id);
    if (!mine.length) continue;
    // Each series by its strongest day; the head is then chosen as within one day.
    const peaks = new Map<string, StoredMember>();
    for (const m of mine) if (!peaks.has(m.series_key) || excessOf(m) > excessOf(peaks.get(m.series_key)!)) peaks.set(m.series_key, m);
    const head = headOf([...peaks.values()], settings.sharedExcess);
    const days = mine.map((m) => m.day).sort();
    const qValues = mine.map((m) => m.qValue).filter((q) => q !== null && Number.isFinite(q));
    await warehouse.run(
      `update alert_incidents set first_day = $first::date, last_day = $last::date, head_series = $key, level = $level, topic = $topic,
         category_l1 = $l1, category_l2 = $l2, district = $district, township = $township, place = $place,
         peak_day = $peak_day::date, peak_count = $count, peak_expected = $expected, p_value = $p, excess = $excess
       where incident_id = $id`,
      {
        id, first: days[0], last: days.at(-1)!, key: head.series_key, level: head.level, topic: head.topic ?? null, l1: head.category_l1, l2: head.category_l2, district: head.district,
        township: head.township, place: head.place, peak_day: head.day, count: head.count, expected: head.expected,
        p: qValues.length ? Math.min(...qValues) : null, excess: Math.max(...[...peaks.values()].map(excessOf)),
      },
    );
  }
}

/**
 * Incidents among `ids` that need a mail: never mailed, or their excess doubled since the last
 * mail — unless a person has closed it already (one closed for quiet days, in a replay, still
 * gets its one mail).
 */
export async function dueForMail(warehouse: Warehouse, ids: number[], settings: HotspotSettings = DEFAULT_HOTSPOT_SETTINGS): Promise<(Incident & { kind: 'new' | 'grown' })[]> {
  if (!ids.length) return [];
  const rows = await warehouse.all<Incident>(`select ${INCIDENT_COLUMNS} from alert_incidents where list_contains($ids::bigint[], incident_id) and (status <> 'closed' or handled_by is null) order by incident_id`, {
    ids: listValue(ids),
  });
  return rows
    .filter((i) => i.notified === 0 || (i.notified_excess !== null && i.excess >= settings.escalation * i.notified_excess && i.excess - i.notified_excess >= settings.minCount))
    .map((i) => ({ ...i, kind: i.notified === 0 ? 'new' : 'grown' }));
}

export async function markMailed(warehouse: Warehouse, incident: Pick<Incident, 'incident_id' | 'excess'>): Promise<void> {
  await warehouse.run(`update alert_incidents set notified = notified + 1, notified_excess = $excess, notified_at = current_localtimestamp() where incident_id = $id`, {
    id: incident.incident_id,
    excess: incident.excess,
  });
}

// ---------------------------------------------------------------------------------------------
// Reading incidents (CLI, dashboard, reports) and handling them (dashboard)

export async function hasIncidentTables(warehouse: Warehouse): Promise<boolean> {
  const row = await warehouse.one<{ n: number }>(`select count(*) as n from duckdb_tables() where table_name = 'alert_incidents'`);
  return Number(row?.n ?? 0) > 0;
}

/** The hotspot check's last finished run (daily, hourly or a look-back), for 预警's empty state. */
export interface HotspotCheck {
  job: string;
  finished_at: string;
  status: string;
  message: string | null;
}

export async function lastHotspotCheck(warehouse: Warehouse): Promise<HotspotCheck | null> {
  const row = await warehouse.one<HotspotCheck>(
    `select job, strftime(finished_at, '%Y-%m-%d %H:%M') as finished_at, status, message
     from job_runs where job in ('hotspots-daily', 'hotspots-backfill') and status in ('ok', 'failed') and finished_at is not null
     order by run_id desc limit 1`,
  );
  return row ?? null;
}

export interface IncidentWithMembers extends Incident {
  members: StoredMember[];
}

/**
 * Incidents active in [from, to] (any day of theirs inside), or the latest ones; open before
 * closed, then by their last day. Each with its member series-days.
 */
export async function listIncidents(
  warehouse: Warehouse,
  options: { from?: string; to?: string; active?: boolean; limit?: number } = {},
): Promise<IncidentWithMembers[]> {
  const incidents = await warehouse.all<Incident>(
    `select ${INCIDENT_COLUMNS} from alert_incidents
     where ($from is null or last_day >= $from::date) and ($to is null or first_day <= $to::date) and (not $active or status <> 'closed')
     order by (status = 'closed'), last_day desc, excess desc, incident_id desc
     limit $limit`,
    { from: options.from ?? null, to: options.to ?? null, active: options.active ?? false, limit: options.limit ?? 1000 },
  );
  const members = await storedMembers(warehouse, incidents.map((i) => Number(i.incident_id)));
  return incidents.map((i) => ({ ...i, incident_id: Number(i.incident_id), members: members.filter((m) => Number(m.incident_id) === Number(i.incident_id)) }));
}

export async function getIncident(warehouse: Warehouse, id: number): Promise<IncidentWithMembers | undefined> {
  const incident = await warehouse.one<Incident>(`select ${INCIDENT_COLUMNS} from alert_incidents where incident_id = $id`, { id });
  if (!incident) return undefined;
  return { ...incident, incident_id: Number(incident.incident_id), members: await storedMembers(warehouse, [id]) };
}

/** An operator acknowledges or closes an incident — all its alarms as one — with a comment. */
export async function handleIncident(warehouse: Warehouse, id: number, action: 'acknowledge' | 'close', user: string, comment: string): Promise<boolean> {
  const found = await warehouse.one<{ n: number }>(`select count(*) as n from alert_incidents where incident_id = $id`, { id });
  if (!Number(found?.n)) return false;
  await warehouse.run(
    `update alert_incidents set status = $status, comment = $comment, handled_by = $user, handled_at = current_localtimestamp(),
       closed_on = case when $status = 'closed' then current_date else closed_on end
     where incident_id = $id`,
    { id, status: action === 'close' ? 'closed' : 'acknowledged', comment: comment.slice(0, 2000), user },
  );
  return true;
}

const EVIDENCE_DAYS = 56;

/** One day of an incident's page chart: the head series' count, and the model's figures on alarm days. */
export interface IncidentChartDay {
  date: string;
  count: number;
  expected: number | null;
  upper: number | null;
  alarm: boolean;
}

/**
 * An incident with its evidence for the 预警 page: the head series' daily counts over the eight
 * weeks up to its last day (or from the data's first day) (the same series definition its mail uses, series_tickets.sql), with
 * the expected count and upper bound on each of its alarm days.
 */
export async function incidentEvidence(warehouse: Warehouse, id: number): Promise<{ incident: IncidentWithMembers; days: IncidentChartDay[] } | undefined> {
  const incident = await getIncident(warehouse, id);
  if (!incident) return undefined;
  const head = incident.members.find((m) => m.series_key === incident.head_series) ?? incident.members[0];
  // (from the data's first day when it is later: the days before it were never exported, not quiet)
  const dataStart = (await ticketDays(warehouse)).first;
  const window = addDays(incident.last_day, -(EVIDENCE_DAYS - 1));
  const first = dataStart && dataStart > window && dataStart <= incident.last_day ? dataStart : window;
  const filter = head ? filterOf(head) : filterOf(incident);
  const range = { from: `${first} 00:00:00`, to: `${addDays(incident.last_day, 1)} 00:00:00` };
  // A topic counts listed tickets: those of the incident's topics (their days and the weeks before).
  const topicIds = [...new Set(incident.members.filter((m) => m.level === 'topic').flatMap((m) => m.ticketIds ?? []))];
  const topic = head?.level === 'topic';
  const counts = await warehouse.all<{ day: string; n: number }>(
    `select strftime(received_at, '%Y-%m-%d') as day, count(*)::integer as n from (${sqlFile('alerts/series_tickets.sql').trim()}) as series group by day`,
    {
      ids: topic ? listValue(topicIds) : null,
      l1: topic || filter.category_l2 !== undefined ? null : (filter.category_l1 ?? null),
      l2: topic || filter.place !== undefined ? null : (filter.category_l2 ?? null),
      district: topic ? null : (filter.district ?? null),
      place: topic ? null : (filter.place ?? null),
      near_place: null,
      near_l2: null,
      ...range,
    },
  );
  const byDay = new Map(counts.map((c) => [c.day, Number(c.n)]));
  const alarms = new Map(incident.members.filter((m) => m.series_key === head?.series_key).map((m) => [m.day, m]));
  const days: IncidentChartDay[] = [];
  for (let day = first; day <= incident.last_day; day = addDays(day, 1)) {
    const alarm = alarms.get(day);
    // A burst's figures are for its window of hours, not for the day: its days are marked, not scaled.
    const daily = alarm && alarm.level !== 'burst';
    days.push({ date: day, count: byDay.get(day) ?? 0, expected: daily ? alarm.expected : null, upper: daily ? alarm.upper : null, alarm: !!alarm });
  }
  return { incident, days };
}

/** An incident as a report lists it: what and where, its days, peak and expected count. */
export interface IncidentLine {
  incident_id: number;
  /** '停水 · 昌吉市 · 翠苑华府'. */
  title: string;
  /** '昌吉市延安北路街道翠苑华府' (null: not one place). */
  place: string | null;
  first_day: string;
  last_day: string;
  /** Days with an alarm inside the period. */
  alarm_days: number;
  peak_day: string;
  peak_count: number;
  peak_expected: number;
  /** Series that alarmed as part of it (a burst counts as one). */
  series: number;
  status: Incident['status'];
  comment: string | null;
  handled_by: string | null;
}

/** Every incident with an alarm day in [from, to) (dates), bursts included, in order of their first day. */
export async function incidentLines(warehouse: Warehouse, from: string, to: string): Promise<IncidentLine[]> {
  if (!(await hasIncidentTables(warehouse))) return [];
  const incidents = await listIncidents(warehouse, { from, to: addDays(to, -1) });
  return incidents
    .map((i) => {
      const inside = i.members.filter((m) => m.day >= from && m.day < to);
      return {
        incident_id: i.incident_id,
        title: seriesName(i),
        place: i.place ? [i.district, i.township, i.place].filter(Boolean).join('') : null,
        first_day: i.first_day,
        last_day: i.last_day,
        alarm_days: new Set(inside.map((m) => m.day)).size,
        peak_day: i.peak_day,
        peak_count: i.peak_count,
        peak_expected: i.peak_expected,
        series: new Set(i.members.map((m) => m.series_key)).size,
        status: i.status,
        comment: i.comment,
        handled_by: i.handled_by,
      };
    })
    .filter((line) => line.alarm_days > 0)
    .sort((a, b) => a.first_day.localeCompare(b.first_day) || a.incident_id - b.incident_id);
}
