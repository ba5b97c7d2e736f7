import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCalendar, dateMs, DAY_MS, dayDemand, HOUR_MS, isoDate, seasonFactor, stamp, type CalendarDay } from './calendar.js';
import { APPEALS, CATEGORIES, CHANNELS, DISTRICTS, GIVEN, HOURS, MINORITY_FATHER_NAMES, MINORITY_NAMES, SURNAMES, type SubCategory } from './changji.js';
import { buildDirectory, type Directory, type Township, type Unit, type UnitTrait } from './directory.js';
import { planIncidents, type DemoIncident } from './incidents.js';
import type { Caller, Draft, Location, SubRef } from './model.js';
import { Random, WeightedChoice } from './random.js';
import { CsvWriter, XlsxWriter, type Cell, type XlsxCell } from './writers.js';
import { yieldToEventLoop } from '../scheduler.js';

export type { DemoIncident } from './incidents.js';

/**
 * Realistic, deterministic demo exports for the Changji 12345 hotline, written as its platform
 * would export them every night: tickets as a GBK CSV per year (the last month as an XLSX with the
 * platform's other header spellings), calls as a UTF-8 CSV per year, and the unit directory. The
 * lead's ingest pipeline loads them through its normal path; `.demo-manifest.json` (hidden, so the inbox skips it) lists the
 * injected incidents so that a demo (or a test) can show the early warning finding them.
 */

export interface DemoOptions {
  outDir: string;
  seed: number;
  /** Last day of history (YYYY-MM-DD, inclusive), normally yesterday. */
  endDate: string;
  /** Years of history (default 4). */
  years: number;
  /** Days of history instead of years (small runs for tests). */
  days?: number;
  /** Mean tickets a day over the last year (default 800). */
  ticketsPerDay?: number;
  onProgress?: (message: string) => void;
  /** Stops the generation between days (the service is stopping); the files written so far are incomplete. */
  signal?: AbortSignal;
}

export interface DemoResult {
  files: string[];
  tickets: number;
  calls: number;
  units: number;
  incidents: DemoIncident[];
}

export interface DemoManifest {
  seed: number;
  startDate: string;
  endDate: string;
  ticketsPerDay: number;
  files: string[];
  tickets: number;
  calls: number;
  units: number;
  incidents: DemoIncident[];
  /** Units given a poor working style on purpose (they should stand out in the unit ranking). */
  weakUnits: UnitTrait[];
}

export const TICKET_HEADERS = ['工单编号', '受理时间', '来源渠道', '诉求类型', '一级分类', '二级分类', '三级分类', '诉求内容', '诉求地址', '所属区县', '乡镇街道', '诉求人', '联系电话', '办理方式', '承办单位', '协办单位', '派单时间', '签收时间', '办理时限', '办结时间', '工单状态', '退单次数', '是否涉企', '是否紧急', '回访时间', '回访结果', '是否解决'] as const;
/** The monthly workbook comes from the platform's other export template, with other header names. */
export const XLSX_TICKET_HEADERS = ['工单号', '来电时间', '渠道', '诉求性质', '诉求分类', '诉求描述', '事发地址', '区县', '街道', '来电人', '来电号码', '办理方式', '主办单位', '协办单位', '转办时间', '签收时间', '截止时间', '结案时间', '工单状态', '退单次数', '是否涉企', '是否紧急', '回访时间', '满意度', '解决情况'] as const;
export const CALL_HEADERS = ['呼叫编号', '来电时间', '呼入队列', '是否自助服务', '应答时间', '挂机时间', '话务员工号', '关联工单'] as const;
export const UNIT_HEADERS = ['单位名称', '单位类别', '所属区县'] as const;
// Hidden, so that the inbox job (which skips dot-files) never tries to load it as an export.
export const MANIFEST_FILE = '.demo-manifest.json';

/** Yearly growth of demand: the hotline took over more service lines every year. */
const GROWTH = 1.12;
/** Working days allowed for an ordinary dispatched ticket. */
const DEADLINE_WORKDAYS = 5;
/** How busy the call centre is at each hour, relative to its staffing (drives waiting times). */
const HOUR_LOAD = [0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.7, 0.9, 1.3, 1.8, 1.9, 1.7, 1.1, 1.0, 1.3, 1.7, 1.8, 1.5, 1.1, 1.0, 1.0, 0.9, 0.8, 0.7];
/** 27 operators in three shifts plus a peak-hour group (the first ids double as the peak group). */
const AGENTS = {
  day: range(1, 10).map(agentId),
  evening: range(11, 19).map(agentId),
  night: range(20, 24).map(agentId),
  peak: range(25, 27).map(agentId),
};

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
function agentId(n: number): string {
  return `HX${String(n).padStart(3, '0')}`;
}

interface CallRecord {
  at: number;
  queue: string;
  ivr: boolean;
  answered: number | null;
  ended: number;
  agent: string;
  ticket: string;
}

export async function generateDemoExports(options: DemoOptions): Promise<DemoResult> {
  const { outDir, seed, endDate } = options;
  const perDay = options.ticketsPerDay ?? 800;
  const log = options.onProgress ?? (() => undefined);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(endDate) || Number.isNaN(dateMs(endDate))) throw new Error(`endDate must be YYYY-MM-DD, got "${endDate}"`);
  const endMs = dateMs(endDate);
  const startMs = options.days !== undefined ? endMs - (Math.max(1, Math.round(options.days)) - 1) * DAY_MS : yearsBefore(endDate, options.years ?? 4);
  mkdirSync(outDir, { recursive: true });

  // Independent random streams, so that changing one part leaves the others' draws alone.
  const unitRandom = new Random(seed, 1);
  const incidentRandom = new Random(seed, 2);
  const random = new Random(seed, 3);
  const callRandom = new Random(seed, 4);

  // The calendar runs on past the end: deadlines and callbacks of the last tickets fall there.
  const calendar = buildCalendar(isoDate(startMs), isoDate(endMs + 40 * DAY_MS));
  const historyDays = Math.round((endMs - startMs) / DAY_MS) + 1;
  const exportAt = endMs + DAY_MS - 1000; // the nightly export runs at 23:59:59
  const directory = buildDirectory(unitRandom);
  const refs: SubRef[] = CATEGORIES.flatMap((c) => c.subs.map((sub) => ({ l1: c.name, sub }))).map((r, index) => ({ ...r, index }));
  const deadlineDay = deadlineDays(calendar);
  // Specialist seats take the calls of their field.
  const queues = refs.map((r) => (r.l1 === '涉企服务' ? '涉企专席' : /医保/.test(r.sub.name) ? '医保专席' : /社保|养老金/.test(r.sub.name) ? '社保专席' : '综合'));

  // Expected volume: trend × day of week/holidays × the seasons of the categories, scaled so that
  // the last year averages `perDay`.
  const baseWeight = refs.reduce((s, r) => s + r.sub.weight, 0);
  const raw = calendar.slice(0, historyDays).map((day) => {
    const mix = refs.reduce((s, r) => s + r.sub.weight * seasonFactor(r.sub.season, day), 0) / baseWeight;
    return Math.pow(GROWTH, -(endMs - day.ms) / (365.25 * DAY_MS)) * dayDemand(day) * mix;
  });
  const lastYear = raw.slice(-365);
  const scale = perDay / (lastYear.reduce((s, x) => s + x, 0) / lastYear.length);

  const incidentPlan = planIncidents({ calendar, historyDays, directory, refs, random: incidentRandom });
  const incidents = incidentPlan.incidents;

  log(`演示数据 / demo: ${isoDate(startMs)} — ${endDate}，近一年日均约 ${perDay} 件 / about ${perDay} tickets a day`);

  const lastMonth = endDate.slice(0, 7);
  const ticketFiles = new Map<string, CsvWriter>();
  const callFiles = new Map<string, CsvWriter>();
  const xlsx = new XlsxWriter(join(outDir, `工单导出_${lastMonth}.xlsx`), '工单', XLSX_TICKET_HEADERS, new Date(exportAt));
  const ticketFile = (year: string) => {
    let file = ticketFiles.get(year);
    if (!file) ticketFiles.set(year, (file = new CsvWriter(join(outDir, `工单导出_${year}.csv`), TICKET_HEADERS, { encoding: 'gbk', eol: '\r\n' })));
    return file;
  };
  const callFile = (year: string) => {
    let file = callFiles.get(year);
    if (!file) callFiles.set(year, (file = new CsvWriter(join(outDir, `话务记录_${year}.csv`), CALL_HEADERS, { encoding: 'utf8', eol: '\n' })));
    return file;
  };

  const districtChoice = new WeightedChoice(DISTRICTS.map((d) => d.share));
  const hourChoice = new WeightedChoice(HOURS);
  const channelChoice = new WeightedChoice(CHANNELS.map(([, w]) => w));
  const appealChoices = new Map<SubCategory, WeightedChoice>();
  const recentCallers: { day: number; caller: Caller; location: Location }[][] = refs.map(() => []);
  // The last few hundred dispatched tickets, which callers chase by phone.
  const recentDispatched: string[] = [];
  let recentSlot = 0;
  let tickets = 0;
  let calls = 0;

  for (let d = 0; d < historyDays; d++) {
    // A day at a time, so that the service generating its first demo keeps answering (sign-in, pages).
    await yieldToEventLoop();
    options.signal?.throwIfAborted();
    const day = calendar[d];
    const weights = refs.map((r) => r.sub.weight * seasonFactor(r.sub.season, day));
    const categoryChoice = new WeightedChoice(weights);
    const count = random.poisson(scale * raw[d] * Math.exp(0.05 * random.normal()));
    const drafts: Draft[] = [];

    for (let k = 0; k < count; k++) {
      const ref = refs[categoryChoice.draw(random)];
      const sub = ref.sub;
      // Repeat callers: someone who called about the same thing in the last weeks calls again.
      const recent = recentCallers[ref.index];
      let repeat = false;
      let caller: Caller;
      let location: Location;
      const earlier = recent.length && random.chance(sub.repeat ?? (sub.consult > 0.5 ? 0.03 : 0.06)) ? random.pick(recent) : null;
      if (earlier && d - earlier.day <= 30) {
        repeat = true;
        caller = earlier.caller;
        location = earlier.location;
      } else {
        const district = DISTRICTS[districtChoice.draw(random)];
        location = locate(random, directory.byDistrict.get(district.name)!, sub);
        caller = newCaller(random);
        recent.push({ day: d, caller, location });
        if (recent.length > 40) recent.shift();
      }
      const hour = hourChoice.draw(random);
      const at = day.ms + hour * HOUR_MS + random.int(3600) * 1000;
      const night = hour < 7 || hour >= 22;
      const channel = night && random.chance(0.7) ? '电话' : CHANNELS[channelChoice.draw(random)][0];
      let appealChoice = appealChoices.get(sub);
      if (!appealChoice) appealChoices.set(sub, (appealChoice = new WeightedChoice((sub.appeals ?? APPEALS).map(([, w]) => w))));
      const appeal = random.chance(sub.consult) ? '咨询' : (sub.appeals ?? APPEALS)[appealChoice.draw(random)][0];
      const l3 = sub.l3 ? random.pick(sub.l3) : '';
      const enterprise = random.chance(sub.enterprise ?? 0.035);
      const urgent = random.chance(sub.urgent ?? 0.012);
      let content = describe(random, sub, appeal, channel, location, repeat, caller, d);
      // A complaint about a building (整栋楼, 电梯, 物业 …) from a village home: the caller lives in
      // one of the township's compounds after all (no random draw, so the seed's stream stays).
      if (location.compound === null && sub.where === 'home' && IN_A_BUILDING.test(content) && location.township.compounds.length) {
        const moved = intoCompound(location);
        content = content.replaceAll(location.place, moved.place);
        const entry = recent.find((r) => r.location === location);
        if (entry) entry.location = moved;
        location = moved;
      }
      drafts.push({ at, ref, l3, location, caller, channel, appeal, content, repeat, enterprise, urgent, handling: null, unit: null });
    }
    for (const incident of incidentPlan.drafts.get(d) ?? []) drafts.push({ ...incident, caller: incident.caller ?? newCaller(random) });

    // Phone requests: the ticket is registered at the end of the call that brought it.
    const dayEnd = day.ms + DAY_MS - 1000;
    const dayCalls: CallRecord[] = [];
    const pending: { draft: Draft; received: number; call: CallRecord | null }[] = [];
    const dayLoad = day.afterLongBreak === 1 ? 2.2 : day.afterLongBreak === 2 ? 1.4 : day.weekday === 1 ? 1.25 : 1;
    for (const draft of drafts) {
      if (draft.channel !== '电话') {
        pending.push({ draft, received: draft.at, call: null });
        continue;
      }
      const hour = Math.floor((draft.at - day.ms) / HOUR_MS);
      const load = HOUR_LOAD[hour] * dayLoad;
      const wait = waitSeconds(callRandom, load);
      const answered = Math.min(dayEnd, draft.at + wait * 1000);
      const registered = Math.min(dayEnd, answered + callRandom.between(40, 200) * 1000);
      const ended = registered + callRandom.between(10, 240) * 1000;
      const queue = draft.enterprise ? '涉企专席' : queues[draft.ref.index];
      const call: CallRecord = { at: draft.at, queue, ivr: false, answered, ended, agent: agentFor(callRandom, hour), ticket: '' };
      dayCalls.push(call);
      pending.push({ draft, received: registered, call });
      // Some callers hung up while waiting before they got through.
      if (callRandom.chance(0.0065 * load)) {
        const gaveUpAt = Math.max(day.ms, draft.at - callRandom.between(30, 900) * 1000);
        dayCalls.push({ at: gaveUpAt, queue, ivr: false, answered: null, ended: gaveUpAt + callRandom.between(8, 150) * 1000, agent: '', ticket: '' });
      }
      // Self-service calls (progress queries, policy recordings) that never reach an operator.
      if (callRandom.chance(0.24)) {
        const at = day.ms + hourChoice.draw(callRandom) * HOUR_MS + callRandom.int(3600) * 1000;
        dayCalls.push({ at, queue: '', ivr: true, answered: null, ended: at + callRandom.between(30, 240) * 1000, agent: '', ticket: '' });
      }
      // Callers chasing an earlier ticket: answered, linked to it, no new ticket.
      if (recentDispatched.length && callRandom.chance(0.06)) {
        const h = hourChoice.draw(callRandom);
        const at = day.ms + h * HOUR_MS + callRandom.int(3600) * 1000;
        const ans = at + waitSeconds(callRandom, HOUR_LOAD[h] * dayLoad) * 1000;
        dayCalls.push({ at, queue: '综合', ivr: false, answered: ans, ended: ans + callRandom.between(60, 300) * 1000, agent: agentFor(callRandom, h), ticket: callRandom.pick(recentDispatched) });
      }
    }

    // Ticket numbers follow the order of registration within the day.
    pending.sort((a, b) => a.received - b.received);
    const prefix = day.date.replaceAll('-', '');
    const month = day.date.slice(0, 7);
    let sequence = 0;
    for (const { draft, received, call } of pending) {
      const id = `${prefix}${String(++sequence).padStart(5, '0')}`;
      if (call) call.ticket = id;
      const ticket = handle(draft, received, exportAt, directory, calendar, deadlineDay, random);
      if (ticket.handling === '转办') {
        recentDispatched[recentSlot] = id;
        recentSlot = (recentSlot + 1) % 500;
      }
      tickets++;
      const sub = draft.ref.sub;
      const location = draft.location;
      const township = draft.location.address ? location.township.name : '';
      const flag = (b: boolean) => (b ? '是' : '否');
      if (month === lastMonth) {
        const date = (ms: number | null): XlsxCell => (ms === null ? null : new Date(Math.floor(ms / 1000) * 1000));
        xlsx.write([id, date(ticket.received), draft.channel, draft.appeal, [draft.ref.l1, sub.name, draft.l3].filter(Boolean).join('/'), draft.content, location.address, location.township.district.name, township, draft.caller!.name, draft.caller!.phone, ticket.handling, ticket.unit, ticket.coUnits, date(ticket.dispatched), date(ticket.signed), date(ticket.deadline), date(ticket.completed), ticket.status, ticket.returned, flag(ticket.enterprise), flag(ticket.urgent), date(ticket.callback), ticket.satisfaction, ticket.resolved]);
      } else {
        const at = (ms: number | null): Cell => (ms === null ? '' : stamp(ms));
        ticketFile(day.date.slice(0, 4)).write([id, at(ticket.received), draft.channel, draft.appeal, draft.ref.l1, sub.name, draft.l3, draft.content, location.address, location.township.district.name, township, draft.caller!.name, draft.caller!.phone, ticket.handling, ticket.unit, ticket.coUnits, at(ticket.dispatched), at(ticket.signed), at(ticket.deadline), at(ticket.completed), ticket.status, ticket.returned, flag(ticket.enterprise), flag(ticket.urgent), at(ticket.callback), ticket.satisfaction, ticket.resolved]);
      }
    }

    dayCalls.sort((a, b) => a.at - b.at);
    const calls_ = callFile(day.date.slice(0, 4));
    let callSequence = 0;
    for (const call of dayCalls) {
      const at = (ms: number | null): Cell => (ms === null ? '' : stamp(ms));
      calls_.write([`HJ${prefix}${String(++callSequence).padStart(6, '0')}`, at(call.at), call.queue, call.ivr ? '是' : '否', at(call.answered), at(call.ended), call.agent, call.ticket]);
      calls++;
    }
    if (day.date.endsWith('-12-31') || d === historyDays - 1) log(`${day.date.slice(0, 4)} 年：累计 ${tickets} 条工单、${calls} 条话务 / tickets and calls so far`);
  }

  for (const file of [...ticketFiles.values(), ...callFiles.values()]) file.close();
  await xlsx.close();

  const unitFile = new CsvWriter(join(outDir, '承办单位名录.csv'), UNIT_HEADERS, { encoding: 'utf8', eol: '\n', bom: true });
  for (const unit of directory.units) unitFile.write([unit.name, unit.kind, unit.district]);
  unitFile.close();

  const files = [unitFile.path, ...[...ticketFiles.values()].map((f) => f.path).sort(), xlsx.path, ...[...callFiles.values()].map((f) => f.path).sort()];
  const manifest: DemoManifest = {
    seed,
    startDate: isoDate(startMs),
    endDate,
    ticketsPerDay: perDay,
    files: files.map((f) => f.slice(outDir.length + 1)),
    tickets,
    calls,
    units: directory.units.length,
    incidents,
    weakUnits: directory.traits,
  };
  writeFileSync(join(outDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  log(`演示导出完成 / demo exports written: ${tickets} 条工单，${calls} 条话务，${directory.units.length} 个承办单位`);
  return { files, tickets, calls, units: directory.units.length, incidents };
}

/** The day after the same date `years` earlier (29 February falls back to the 28th). */
function yearsBefore(endDate: string, years: number): number {
  const [y, m, d] = endDate.split('-').map(Number);
  const whole = Math.floor(years);
  let start = Date.UTC(y - whole, m - 1, Math.min(d, new Date(Date.UTC(y - whole, m, 0)).getUTCDate())) + DAY_MS;
  start -= Math.round((years - whole) * 365) * DAY_MS;
  return start;
}

/** For each calendar day, the index of the day holding the deadline of a ticket dispatched on it. */
function deadlineDays(calendar: CalendarDay[]): Int32Array {
  const result = new Int32Array(calendar.length).fill(-1);
  for (let i = 0; i < calendar.length; i++) {
    let k = i;
    let left = DEADLINE_WORKDAYS;
    while (left > 0 && k < calendar.length - 1) {
      k++;
      if (calendar[k].work) left--;
    }
    result[i] = k;
  }
  return result;
}

function waitSeconds(random: Random, load: number): number {
  if (random.chance(Math.min(0.3, 0.035 * load))) return Math.min(900, 15 + Math.round(random.exponential(25 * load)));
  return Math.round(random.exponential(2.8 * load)) + 1;
}

function agentFor(random: Random, hour: number): string {
  if (hour < 8) return random.pick(AGENTS.night);
  if (hour >= 16) return random.chance(0.2) && hour < 18 ? random.pick(AGENTS.peak) : random.pick(AGENTS.evening);
  return (hour >= 9 && hour < 12) || hour >= 15 ? (random.chance(0.25) ? random.pick(AGENTS.peak) : random.pick(AGENTS.day)) : random.pick(AGENTS.day);
}

const SURNAME_LIST = [...SURNAMES];
const GIVEN_LIST = [...GIVEN];
const MOBILE_SECOND_DIGIT = ['3', '3', '5', '5', '7', '8', '8', '8', '9'];

function newCaller(random: Random): Caller {
  const roll = random.next();
  const phone =
    roll < 0.12
      ? `0994-${random.between(2, 8)}${String(random.int(1_000_000)).padStart(6, '0')}`
      : `1${random.pick(MOBILE_SECOND_DIGIT)}${random.int(10)}${String(random.int(100_000_000)).padStart(8, '0')}`;
  const surname = random.pick(SURNAME_LIST);
  const style = random.next();
  const name =
    style < 0.03
      ? ''
      : style < 0.28
        ? `${surname}${random.chance(0.55) ? '先生' : '女士'}`
        : style < 0.36
          ? `${random.pick(MINORITY_NAMES)}·${random.pick(MINORITY_FATHER_NAMES)}`
          : `${surname}${random.pick(GIVEN_LIST)}${random.chance(0.6) ? random.pick(GIVEN_LIST) : ''}`;
  return { phone, name };
}

/** Words of a complaint that only a block of flats has. */
const IN_A_BUILDING = /楼|电梯|物业|单元|小区|业主|高层/;

/**
 * A village home's request moved into one of its township's compounds, chosen by the village's
 * name and house number (no random draw), with a flat's address: 组 becomes the building, the house
 * number the entrance.
 */
function intoCompound(location: Location): Location {
  const { township } = location;
  const numbers = /(\d+)组(\d+)号$/.exec(location.address);
  const [group, house] = numbers ? [Number(numbers[1]), Number(numbers[2])] : [1, 1];
  let hash = 0;
  for (const char of location.place) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const compound = township.compounds[(hash + house) % township.compounds.length];
  return { township, place: compound, address: `${township.district.name}${township.name}${compound}${group}号楼${1 + (house % 6)}单元`, compound };
}

/** Where a request comes from, following what the sub-category is about. */
function locate(random: Random, townships: Township[], sub: SubCategory): Location {
  const rural = townships.filter((t) => !t.urban);
  // Most people live in the towns' streets; rural requests come from the townships with villages.
  const town = townships.filter((t, i) => t.urban || i === 0);
  const township = sub.where === 'village' && rural.length ? random.pick(rural) : sub.where === 'street' ? random.pick(town) : weightedTownship(random, townships);
  const district = township.district.name;
  const village = township.villages.length ? random.pick(township.villages) : null;
  if (sub.where === 'village' && village) {
    return { township, place: `${township.name}${village}村`, address: `${district}${township.name}${village}村${random.chance(0.5) ? `${random.between(1, 8)}组` : ''}`, compound: null };
  }
  if (sub.where === 'home' || (sub.where === 'village' && !village)) {
    if (village && random.chance(0.3)) return { township, place: `${village}村`, address: `${district}${township.name}${village}村${random.between(1, 8)}组${random.between(1, 60)}号`, compound: null };
    const compound = random.pick(township.compounds);
    const room = random.chance(0.5) ? `${random.between(1, 18)}0${random.between(1, 4)}室` : '';
    return { township, place: compound, address: `${district}${township.name}${compound}${random.between(1, 24)}号楼${random.between(1, 6)}单元${room}`, compound };
  }
  if (sub.where === 'street') {
    const street = random.pick(township.district.streets);
    const address = random.chance(0.2) ? `${district}${street}与${random.pick(township.district.streets.filter((s) => s !== street))}交叉口` : `${district}${street}${random.between(1, 399)}号`;
    return { township, place: street, address, compound: null };
  }
  return { township, place: township.name, address: random.chance(0.35) ? `${district}${township.name}` : '', compound: null };
}

function weightedTownship(random: Random, townships: Township[]): Township {
  // Most people live in the city streets and the county seat (the first township listed).
  const weights = townships.map((t, i) => (t.urban || i === 0 ? 3 : 1));
  const total = weights.reduce((s, w) => s + w, 0);
  let r = random.next() * total;
  for (let i = 0; i < townships.length; i++) if ((r -= weights[i]) < 0) return townships[i];
  return townships[townships.length - 1];
}

const PREFIX_PHONE = ['', '', '来电人反映：', '市民来电反映，', '来电人称，', '来电反映：'];
const PREFIX_ONLINE = ['', '网友留言：', '市民通过网络反映：'];
const PREFIX_CONSULT_PHONE = ['', '', '来电人', '市民来电'];
const PREFIX_CONSULT_ONLINE = ['', '网友'];
const SUFFIXES: Record<string, string[]> = {
  咨询: ['。', '，请告知。', '，希望得到答复。'],
  表扬: ['。', '，特此表扬。', '，希望予以表扬。'],
  建议: ['。', '，建议相关部门研究解决。', '，希望予以采纳。'],
  其他: ['，希望相关部门尽快处理。', '，请求协调解决。', '，要求给予答复。', '。', '，请核实处理。', '，多次反映未果，请督促解决。'],
};

/** The request text: a template for the sub-category, with the place and a caller's own words. */
function describe(random: Random, sub: SubCategory, appeal: string, channel: string, location: Location, repeat: boolean, caller: Caller, day: number): string {
  const consult = appeal === '咨询';
  let body = consult && !sub.asks ? `咨询${fill(random, random.pick(sub.texts), location)}，这种情况该找哪个部门` : fill(random, random.pick(consult ? (sub.asks ?? sub.texts) : sub.texts), location);
  if (repeat && !consult) body = `${random.pick(['再次反映：', '此前已反映过，', '第二次来电，'])}${body}`;
  // Praise in a category of complaints thanks for the matter solved: "暖气片冰凉……希望予以表扬" read as
  // nonsense in the demo's sample tickets. (The template and the opening are drawn all the same: the
  // random stream, and so every other ticket of a seed, stays as it was.)
  if (appeal === '表扬' && !sub.appeals?.every(([name]) => name === '表扬')) body = `此前反映的${sub.where !== 'none' ? location.place : ''}${sub.name}问题已经解决，感谢相关部门及时处理`;
  const online = channel !== '电话';
  const prefix = consult ? (!body.startsWith('咨询') ? [''] : online ? PREFIX_CONSULT_ONLINE : PREFIX_CONSULT_PHONE) : online ? PREFIX_ONLINE : PREFIX_PHONE;
  let text = `${random.pick(prefix)}${body}${random.pick(SUFFIXES[appeal] ?? SUFFIXES.其他)}`;
  // Web messages arrive with a title line.
  if (channel === '网站' && random.chance(0.4)) text = `【${sub.name}】\n${text}`;
  // Typed on phones and computers, some messages come with half-width punctuation.
  if (online && random.chance(0.06)) text = text.replaceAll('，', ',').replaceAll('：', ':');
  // About one request in a hundred quotes a phone or ID number (the ingest masks them).
  if (random.chance(0.01)) text += random.chance(0.5) ? `联系电话${caller.phone.startsWith('1') ? caller.phone : mobile(random)}。` : `本人身份证号${idNumber(random, location.township.district.idPrefix, day)}。`;
  return text;
}

/** Templates split once into text (even positions) and placeholder names (odd positions). */
const parsedTemplates = new Map<string, string[]>();

function fill(random: Random, template: string, location: Location): string {
  let parts = parsedTemplates.get(template);
  if (!parts) parsedTemplates.set(template, (parts = template.split(/\{(\w+)\}/)));
  let text = parts[0];
  for (let i = 1; i < parts.length; i += 2) text += placeholder(random, parts[i], location) + parts[i + 1];
  return text;
}

function placeholder(random: Random, key: string, location: Location): string {
  switch (key) {
    case 'place':
      return location.place;
    case 'township':
      return location.township.name;
    case 'village':
      return location.place.endsWith('村') ? location.place : location.township.villages.length ? `${location.township.name}${random.pick(location.township.villages)}村` : location.township.name;
    case 'days':
      return String(random.between(2, 15));
    case 'months':
      return String(random.between(2, 8));
    case 'amount':
      return String(random.between(30, 900) * 100);
    case 'hour':
      return String(random.between(10, 12));
    default:
      return key;
  }
}

function mobile(random: Random): string {
  return `1${random.pick(['3', '5', '8'])}${random.int(10)}${String(random.int(100_000_000)).padStart(8, '0')}`;
}

/** A well-formed 18-digit resident ID (region, birth date, sequence, ISO 7064 check digit). */
function idNumber(random: Random, region: string, salt: number): string {
  const birth = new Date(Date.UTC(1950 + random.int(55), random.int(12), 1 + random.int(28)));
  const body = `${region}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${String((random.int(999) + salt) % 999 + 1).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, c, i) => s + Number(c) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

// ---------------------------------------------------------------------------------------------
// Handling: from dispatch to callback, and the state the ticket is in at export time

interface Handled {
  received: number;
  handling: '直接答复' | '转办';
  unit: string;
  coUnits: string;
  dispatched: number | null;
  signed: number | null;
  deadline: number | null;
  completed: number | null;
  status: string;
  returned: number;
  enterprise: boolean;
  urgent: boolean;
  callback: number | null;
  satisfaction: string;
  resolved: string;
}

function handle(draft: Draft, received: number, exportAt: number, directory: Directory, calendar: CalendarDay[], deadlineDay: Int32Array, random: Random): Handled {
  const sub = draft.ref.sub;
  const { enterprise, urgent } = draft;
  const directShare = draft.appeal === '咨询' ? 0.95 : draft.appeal === '表扬' ? 0.5 : 0.38;
  const handling = draft.handling ?? (random.chance(directShare) ? '直接答复' : '转办');
  const result: Handled = { received, handling, unit: '', coUnits: '', dispatched: null, signed: null, deadline: null, completed: null, status: '已办结', returned: 0, enterprise, urgent, callback: null, satisfaction: '', resolved: '' };
  const withdrawn = random.chance(0.005);

  if (handling === '直接答复') {
    result.completed = withdrawn ? null : Math.min(exportAt, received + random.between(60, 720) * 1000);
    if (withdrawn) result.status = '已撤销';
    return result;
  }

  const unit = draft.unit ?? leadUnit(random, draft, directory);
  result.unit = unit.name;
  if (random.chance(0.12)) {
    const helpers = new Set<string>();
    const count = random.chance(0.25) ? 2 : 1;
    for (let i = 0; i < count; i++) {
      const helper = random.chance(0.5) ? draft.location.township.office : directory.departmentUnit(random.pick(HELPER_DEPARTMENTS), draft.location.township.district.name);
      if (helper.name !== unit.name) helpers.add(helper.name);
    }
    result.coUnits = [...helpers].join('、');
  }

  // Operators dispatch at once; ordinary night requests wait for the morning shift.
  const dayStart = received - (received % 86_400_000);
  const hour = (received - dayStart) / HOUR_MS;
  const dispatched = Math.min(exportAt, !urgent && hour < 8 ? dayStart + 8 * HOUR_MS + random.between(0, 50) * 60_000 : received + random.between(4, 45) * 60_000);
  const dispatchDay = Math.round((dayStart - calendar[0].ms) / 86_400_000);
  const deadline = urgent ? dispatched + 24 * HOUR_MS : calendar[deadlineDay[dispatchDay]].ms + (dispatched - dayStart);
  // Liaison officers sign on their phones at any hour, but some leave night dispatches for the morning.
  const dispatchHour = (dispatched % 86_400_000) / HOUR_MS;
  const signed =
    (dispatchHour >= 21 || dispatchHour < 7) && random.chance(0.15)
      ? dispatched - (dispatched % 86_400_000) + (dispatchHour >= 21 ? 86_400_000 : 0) + 8 * HOUR_MS + random.between(0, 90) * 60_000
      : dispatched + Math.round(random.exponential(unit.signHours) * HOUR_MS);
  const returned = random.chance(unit.returnRate) ? (random.chance(0.2) ? 2 : 1) : 0;
  const hardCase = random.chance(0.003);
  let hours = random.logNormal(urgent ? 5 : 26, urgent ? 0.8 : 0.9) * unit.slowness * (hardCase ? 8 + random.next() * 32 : 1);
  for (let r = 0; r < returned; r++) hours += random.logNormal(8, 0.6);
  let completed = workingHours(random, signed + Math.round(hours * HOUR_MS));
  if (completed < signed) completed = signed + random.between(10, 90) * 60_000;
  Object.assign(result, { dispatched, deadline, signed, returned });

  if (withdrawn) {
    result.status = '已撤销';
    if (signed > exportAt) result.signed = null;
    return result;
  }
  if (signed > exportAt) {
    result.status = '待签收';
    result.signed = null;
    return result;
  }
  if (completed > exportAt) {
    result.status = returned > 0 && random.chance(0.5) ? '已退回' : '办理中';
    return result;
  }
  result.completed = completed;
  if (!random.chance(0.95)) return result; // never reached for a callback
  const callback = workingHours(random, completed + Math.round((3 + random.next() * 57) * HOUR_MS), 9, 20);
  if (callback > exportAt) {
    result.status = '待回访';
    return result;
  }
  result.callback = callback;
  const late = completed > deadline;
  const unhappy = unit.dissatisfaction + (late ? 0.06 : 0) + (returned ? 0.03 : 0) + (hardCase ? 0.15 : 0) + (draft.repeat ? 0.02 : 0);
  const roll = random.next();
  if (roll < 0.04) result.satisfaction = '未评价';
  else if (roll < 0.04 + unhappy) result.satisfaction = '不满意';
  else result.satisfaction = random.chance(0.86) ? '满意' : '基本满意';
  const solved = SOLVED_SHARE[result.satisfaction];
  result.resolved = solved === undefined ? '' : random.chance(solved) ? '已解决' : '未解决';
  return result;
}

/** Callers who judge the handling this way say the problem was solved this often. */
const SOLVED_SHARE: Record<string, number> = { 满意: 0.985, 基本满意: 0.85, 不满意: 0.2 };

const HELPER_DEPARTMENTS = ['cityManagement', 'housing', 'market', 'ecology', 'police', 'naturalResources'] as const;

/** The unit a dispatched request goes to. */
function leadUnit(random: Random, draft: Draft, directory: Directory): Unit {
  const sub = draft.ref.sub;
  const township = draft.location.township;
  const district = township.district.name;
  if (sub.local && random.chance(sub.local)) {
    // Property and village matters often go straight to the neighbourhood or village committee.
    return random.chance(0.35) && township.committees.length ? random.pick(township.committees) : township.office;
  }
  if (sub.department === 'heatingCompany' && draft.location.compound) return township.heatingCompany.get(draft.location.compound)!;
  const prefecture = directory.prefectureUnit(sub.department);
  if (prefecture && prefecture.kind === '州直部门' && random.chance(sub.department === 'housingFund' ? 0.4 : 0.07)) return prefecture;
  return directory.departmentUnit(sub.department, district);
}

/** Moves an instant that falls at night to the next morning (units mostly work by day). */
function workingHours(random: Random, ms: number, from = 8, to = 22): number {
  const dayStart = ms - (ms % 86_400_000);
  const hour = (ms - dayStart) / HOUR_MS;
  if (hour >= from && hour < to) return ms;
  const morning = (hour < from ? dayStart : dayStart + 86_400_000) + from * HOUR_MS;
  return morning + random.between(0, 150) * 60_000 + random.int(60) * 1000;
}
