/**
 * A small seeded generator of realistic, messy warehouse rows for the KPI data tests: every
 * status, empty and null fields, withdrawn tickets, 直接答复 without completion, late signatures and
 * completions, callbacks across month ends, repeat callers, calls in several queues linked to
 * tickets, units missing from the directory, and tickets exactly on month boundaries.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Warehouse } from '../../pipelines/warehouse.js';

/** mulberry32: a tiny deterministic PRNG. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES: [string, string | null, string | null][] = [
  ['城乡建设', '物业管理', '物业服务'],
  ['城乡建设', '物业管理', '物业收费'],
  ['城乡建设', '房屋建设', null],
  ['城乡建设', '', null],
  ['环境保护', '噪声扰民', '施工噪声'],
  ['环境保护', '噪声扰民', '社会生活噪声'],
  ['环境保护', '大气污染', null],
  ['劳动和社会保障', '欠薪', '农民工工资'],
  ['劳动和社会保障', '社保', null],
  ['交通运输', '农村道路', null],
  ['供暖', null, null],
  ['供水', '停水', null],
];
const CHANNELS = ['电话', '电话', '电话', '微信', '网站', '移动APP', '小程序'];
const APPEAL_TYPES = ['咨询', '咨询', '求助', '投诉', '投诉', '举报', '建议', '表扬'];
const DISTRICTS: [string | null, (string | null)[]][] = [
  ['昌吉市', ['宁边路街道', '延安北路街道', '北京南路街道', null]],
  ['阜康市', ['博峰街道', '阜新街街道']],
  ['玛纳斯县', ['玛纳斯镇', '乐土驿镇']],
  ['奇台县', ['奇台镇']],
  [null, [null]],
];
const QUEUES = ['综合', '综合', '综合', '涉企专席', '医保专席', '社保专席', null];
const UNIT_KINDS = ['州直部门', '县市部门', '乡镇街道', '企业'];
export const UNITS = Array.from({ length: 30 }, (_, i) => `承办单位${String(i + 1).padStart(2, '0')}`);

export interface GeneratedCounts {
  tickets: number;
  calls: number;
  units: number;
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Fills tickets, calls and units with `perDay` tickets a day (on average) from `start` for `days`
 * days, deterministic for a seed. Rows go through an NDJSON file in `dir`.
 */
export async function generateWarehouse(
  warehouse: Warehouse,
  options: { dir: string; seed?: number; start?: string; days?: number; perDay?: number },
): Promise<GeneratedCounts> {
  const rand = random(options.seed ?? 42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const chance = (p: number) => rand() < p;
  const start = Date.parse(`${options.start ?? '2023-11-01'}T00:00:00Z`);
  const days = options.days ?? 460;
  const perDay = options.perDay ?? 40;
  const minute = 60_000;
  const hour = 60 * minute;
  const day = 24 * hour;
  const phones = Array.from({ length: Math.max(20, Math.round((days * perDay) / 6)) }, (_, i) => `h${i.toString(16)}`);
  const tickets: Record<string, unknown>[] = [];
  const calls: Record<string, unknown>[] = [];
  let callNo = 0;

  for (let d = 0; d < days; d++) {
    const dayStart = start + d * day;
    const count = Math.round(perDay * (0.6 + rand() * 0.8));
    for (let n = 0; n < count; n++) {
      let received = dayStart + Math.floor(rand() * day / 1000) * 1000;
      const date = new Date(dayStart);
      const isFirstDay = date.getUTCDate() === 1;
      const isLastDay = new Date(dayStart + day).getUTCDate() === 1;
      if (isFirstDay && n === 0) received = dayStart; // 00:00:00 on the first day of a month
      if (isLastDay && n === 0) received = dayStart + day - 1000; // 23:59:59 on the last day
      const [l1, l2, l3] = pick(CATEGORIES);
      const [district, townships] = pick(DISTRICTS);
      const handling = chance(0.6) ? '直接答复' : '转办';
      const withdrawn = chance(0.03);
      const ticket: Record<string, unknown> = {
        ticket_id: `G${tickets.length.toString().padStart(7, '0')}`,
        received_at: stamp(received),
        channel: pick(CHANNELS),
        appeal_type: pick(APPEAL_TYPES),
        category_l1: l1,
        category_l2: l2,
        category_l3: l3,
        district,
        township: pick(townships),
        phone_hash: chance(0.08) ? null : chance(0.02) ? '' : pick(phones),
        handling,
        unit: null,
        dispatched_at: null,
        signed_at: null,
        deadline_at: null,
        completed_at: null,
        status: '已办结',
        returned_count: chance(0.05) ? null : 0,
        is_enterprise: chance(0.02) ? null : chance(0.1),
        is_urgent: chance(0.05),
        callback_at: null,
        satisfaction: null,
        resolved: null,
        source_profile: 'generated',
        first_run_id: 1,
        last_run_id: 1,
      };
      let last = received;
      if (handling === '直接答复') {
        if (chance(0.5)) {
          ticket.completed_at = stamp(received + Math.floor(rand() * 30) * minute);
          last = Math.max(last, Date.parse(String(ticket.completed_at).replace(' ', 'T') + 'Z'));
        }
      } else {
        ticket.unit = pick(UNITS);
        const dispatched = received + Math.floor(rand() * 120) * minute;
        if (!chance(0.03)) ticket.dispatched_at = stamp(dispatched);
        if (!chance(0.05)) ticket.signed_at = stamp(dispatched + Math.floor(rand() * 5 * 60) * minute);
        const deadline = dispatched + 5 * day;
        if (!chance(0.03)) ticket.deadline_at = stamp(deadline);
        ticket.status = '办理中';
        if (chance(0.1)) ticket.returned_count = 1 + Math.floor(rand() * 3);
        if (chance(0.85)) {
          const completed = dispatched + Math.floor(rand() * 7 * 24) * hour + Math.floor(rand() * 3600) * 1000;
          ticket.completed_at = stamp(completed);
          ticket.status = '已办结';
          last = Math.max(last, completed);
          if (chance(0.8)) {
            const callback = completed + Math.floor(rand() * 72) * hour;
            ticket.callback_at = stamp(callback);
            ticket.satisfaction = pick(['满意', '满意', '满意', '基本满意', '不满意', '未评价', null]);
            ticket.resolved = pick(['已解决', '已解决', '已解决', '未解决', '', null]);
            last = Math.max(last, callback);
          }
        }
      }
      if (withdrawn) ticket.status = '已撤销';
      ticket.activity_at = stamp(last);
      tickets.push(ticket);

      if (ticket.channel === '电话') {
        const linked = 1 + (chance(0.2) ? 1 : 0);
        for (let c = 0; c < linked; c++) {
          const callAt = received - Math.floor(rand() * 600) * 1000 + c * hour;
          calls.push(makeCall(++callNo, callAt, String(ticket.ticket_id)));
        }
      }
    }
    // calls that opened no ticket: hang-ups, IVR self-service, queries answered on the phone
    const loose = Math.round(perDay * 0.3 * rand());
    for (let n = 0; n < loose; n++) calls.push(makeCall(++callNo, dayStart + Math.floor(rand() * day / 1000) * 1000, null));
  }

  function makeCall(no: number, at: number, ticketId: string | null): Record<string, unknown> {
    const ivr = chance(0.1);
    const answered = !ivr && chance(0.93) ? at + Math.floor(rand() * 40) * 1000 : ivr && chance(0.5) ? at + 5000 : null;
    return {
      call_id: `K${no.toString().padStart(8, '0')}`,
      call_at: stamp(at),
      queue: pick(QUEUES),
      ivr_only: ivr,
      answered_at: answered === null ? null : stamp(answered),
      ended_at: answered === null ? null : stamp(answered + 120_000),
      agent_id: null,
      ticket_id: ticketId,
      source_profile: 'generated',
      first_run_id: 1,
      last_run_id: 1,
      activity_at: stamp(answered ?? at),
    };
  }

  // the directory knows most units, not all; one without a kind
  const units = UNITS.slice(0, 26).map((unit, i) => ({ unit, unit_kind: i === 25 ? null : UNIT_KINDS[i % UNIT_KINDS.length], district: null, last_run_id: 1 }));

  const load = async (table: string, rows: Record<string, unknown>[]) => {
    const file = join(options.dir, `${table}.ndjson`);
    writeFileSync(file, rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
    const columns = await warehouse.all<{ column_name: string; data_type: string }>(
      `select column_name, data_type from information_schema.columns where table_name = $table order by ordinal_position`,
      { table },
    );
    const spec = `{${columns.map((c) => `${c.column_name}: '${c.data_type}'`).join(', ')}}`;
    await warehouse.run(`insert into ${table} by name select * from read_json($file, format = 'newline_delimited', columns = ${spec})`, { file });
  };
  await load('tickets', tickets);
  await load('calls', calls);
  await load('units', units);
  return { tickets: tickets.length, calls: calls.length, units: units.length };
}
