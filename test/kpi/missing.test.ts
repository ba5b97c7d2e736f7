/**
 * Missing is missing: an export without completion, deadline, signature, return or enterprise
 * columns (a city's own export through a custom profile: every such field empty on every row) gives
 * null — "—" with a one-line note — for the KPIs built on them, never 0; and a comparison against a
 * month holding a handful of tickets is withheld with the reason, not printed as +49775 %.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as kpiCommand } from '../../pipelines/commands/kpi.js';
import { run as rankingCommand } from '../../pipelines/commands/ranking.js';
import { breakdown, dataCalendar, DEFAULT_KPI_SETTINGS, kpiWithComparisons, monthlyKpis, unitRanking } from '../../pipelines/kpi.js';
import { refreshRollups } from '../../pipelines/rollups.js';
import { foldNotes } from '../../reports/format.js';
import type { Warehouse } from '../../pipelines/warehouse.js';
import { tempWarehouse, ticket, insertTickets, type TicketInput } from './helpers.js';

let warehouse: Warehouse;
let close: () => void;
let db: string;

/** A dispatched ticket as such an export has it: received, dispatched to a unit, closed, called back — nothing else. */
function bare(fields: TicketInput = {}) {
  return ticket({
    handling: '转办',
    unit: '海口市住建局',
    dispatched_at: null,
    signed_at: null,
    deadline_at: null,
    completed_at: null,
    returned_count: null,
    is_enterprise: null,
    status: '已办结',
    callback_at: '2025-07-20 10:00:00',
    satisfaction: '满意',
    resolved: '已解决',
    activity_at: '2025-09-30 10:00:00',
    ...fields,
  });
}

beforeAll(async () => {
  let dir: string;
  ({ warehouse, close, dir } = await tempWarehouse('missing'));
  db = `${dir}/warehouse.duckdb`;
  const july = Array.from({ length: 150 }, (_, i) => bare({ received_at: `2025-07-${String(1 + (i % 28)).padStart(2, '0')} 09:00:00`, satisfaction: i % 10 ? '满意' : '不满意' }));
  const directJuly = Array.from({ length: 50 }, () => ticket({ received_at: '2025-07-15 10:00:00', is_enterprise: null, returned_count: null, activity_at: '2025-07-15 10:00:00' }));
  // June: the export started on its last day — 8 tickets
  const june = Array.from({ length: 8 }, () => bare({ received_at: '2025-06-30 20:00:00', callback_at: '2025-07-02 10:00:00' }));
  await insertTickets(warehouse, [...july, ...directJuly, ...june]);
  await refreshRollups(warehouse);
});
afterAll(() => close());

async function output(command: (argv: string[]) => Promise<void>, argv: string[]): Promise<{ stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  try {
    await command([...argv, '--db', db]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  return { stdout: out.join(''), stderr: err.join('') };
}

const NOT_COMPUTABLE = ['completion_rate', 'ontime_completion_rate', 'ontime_sign_rate', 'return_rate', 'enterprise', 'completed'] as const;

describe('an export without completion, deadline, signature, return or enterprise columns', () => {
  it('gives null, not 0, for every KPI built on them, from the rollup and from the tickets alike', async () => {
    for (const source of ['rollup', 'direct'] as const) {
      const report = await monthlyKpis(warehouse, '2025-07', { source });
      for (const key of NOT_COMPUTABLE) expect(report.values[key], `${source} ${key}`).toBeNull();
      // what the export does carry still counts
      expect(report.values).toMatchObject({ received: 200, dispatched: 150, direct_answer_rate: 0.25, resolution_rate: 1, callback_rate: null });
      // 135 of July's 150 callbacks and June's 8 (called back in July) were 满意
      expect(report.values.satisfaction_rate).toBeCloseTo(143 / 158, 12);
      expect(report.missing.completion_rate).toBe('本月工单无办结时间，办结率无法计算');
      expect(report.missing.ontime_completion_rate).toMatch(/^本月工单无(办理时限|办结时间)，按时办结率无法计算$/);
      expect(report.missing.ontime_sign_rate).toMatch(/^本月工单无(签收时间|派单时间)，按期签收率无法计算$/);
      expect(report.missing.return_rate).toBe('本月工单无退单次数，退单率无法计算');
      expect(report.missing.enterprise).toBe('本月工单无是否涉企，涉企诉求量无法计算');
      expect(report.missing.received).toBeUndefined();
      // The callbacks are there: 满意率 and 解决率 stand on them, without a note.
      expect([report.missing.satisfaction_rate, report.missing.resolution_rate]).toEqual([undefined, undefined]);
      // No call records at all beside the tickets: the call export was not loaded. Not 呼入量 0.
      expect([report.values.calls_offered, report.values.calls_answered, report.values.connection_rate]).toEqual([null, null, null]);
      expect(report.missing.calls_offered).toBe('本月无话务记录，呼入量无法计算');
      expect(report.missing.connection_rate).toBe('本月无话务记录，接通率无法计算');
    }
  });

  it('its notes fold into one line per cause for a report (foldNotes reads the words missingNotes writes)', async () => {
    const report = await monthlyKpis(warehouse, '2025-07');
    const notes = Object.values(report.missing) as string[];
    expect(notes.length).toBeGreaterThanOrEqual(8);
    const grouped = foldNotes(notes);
    expect(grouped).toHaveLength(2);
    expect(grouped[0]).toMatch(/^本月工单没有以下字段，括号中的指标无法计算：.*办结时间（办结率）.*退单次数（退单率）.*是否涉企（涉企诉求量）/);
    expect(grouped[1]).toMatch(/^本月无话务记录：.*接通率.*呼入量.*无法计算$/);
  });

  it('says why a figure is missing once: no comparison notes for a figure that has no value (June lacks the columns too)', async () => {
    const report = await kpiWithComparisons(warehouse, '2025-07');
    for (const key of NOT_COMPUTABLE) {
      expect(report.changes[key].mom_withheld, key).toBeUndefined();
      expect(report.changes[key].yoy_withheld, key).toBeUndefined();
    }
    expect(report.notes.filter((note) => /上月|去年同期/.test(note) && /无法计算/.test(note))).toEqual([]);
  });

  it('prints null in --json (notes on stderr), and "—" with the note in the table', async () => {
    const json = await output(kpiCommand, ['--month', '2025-07', '--json']);
    const values = JSON.parse(json.stdout);
    for (const key of NOT_COMPUTABLE) expect(values[key], key).toBeNull();
    expect(json.stderr).toContain('注：本月工单无办结时间，办结率无法计算');
    const table = await output(kpiCommand, ['--month', '2025-07']);
    expect(table.stdout).toMatch(/办结率 completion_rate\s+—\n/);
    expect(table.stdout).toMatch(/涉企诉求量 enterprise\s+—\n/);
    expect(table.stdout).toContain('注：本月工单无办结时间，办结率无法计算');
    expect(table.stdout).not.toMatch(/\s0\.00%/);
  });

  it('leaves a unit unranked for want of 响应率 and prints — for 超期 and 退单, not 0', async () => {
    const ranking = await unitRanking(warehouse, '2025-07');
    expect(ranking.rows[0]).toMatchObject({ unit: '海口市住建局', response_rate: null, overdue: null, returned_tickets: null, returns: null, rank: null, unranked_reason: 'no_response_rate' });
    // 解决率 stands on the callbacks, which the export has
    expect(ranking.rows[0].resolution_score).toBe(1);
    const text = (await output(rankingCommand, ['--month', '2025-07'])).stdout;
    const line = text.split('\n').find((l) => l.includes('海口市住建局'))!;
    expect(line).not.toMatch(/\s0\.00%/);
    expect(line).toMatch(/—\s+海口市住建局\s+150\s+—\s+100\.00%\s+90\.51%\s+—\s+—\s+—\s+无响应率，不排名/);
  });

  it('gives null in every breakdown row too', async () => {
    const report = await breakdown(warehouse, 'district', '2025-07', { depth: 1 });
    for (const row of report.rows) expect([row.values.completion_rate, row.values.enterprise]).toEqual([null, null]);
  });
});

describe('a comparison against a month holding far less', () => {
  it('is withheld with the reason, not printed as a huge percentage', async () => {
    const report = await kpiWithComparisons(warehouse, '2025-07');
    // received 200 vs 8: not +2400 %
    expect(report.changes.received).toMatchObject({ value: 200, previous_month: 8, mom_pct: null });
    expect(report.changes.received.mom_withheld).toBe('上月仅 8 件，不足本月（200 件）的五分之一，数据可能不完整，不作比较');
    // 满意率 stands on 150 callbacks in July against 8 (the June tickets' callbacks came in July)
    expect(report.changes.satisfaction_rate).toMatchObject({ mom_pp: null });
    expect(report.notes).toContain('受理量：上月仅 8 件，不足本月（200 件）的五分之一，数据可能不完整，不作比较');
    const text = (await output(kpiCommand, ['--month', '2025-07', '--compare'])).stdout;
    expect(text).toMatch(/受理量 received\s+200\s+8\s+不作比较/);
    expect(text).not.toMatch(/\+2,?400/);
    const json = JSON.parse((await output(kpiCommand, ['--month', '2025-07', '--compare', '--json'])).stdout);
    // 2024-07 is before the data: null, not 0
    expect(json.comparisons.metrics.received).toEqual({ previous_month: 8, mom_pct: null, same_month_last_year: null, yoy_pct: null });
    expect(json.comparisons.withheld.received.mom).toMatch(/不足本月/);
  });

  it('is withheld when the base carries an input on far fewer of its rows', async () => {
    const { warehouse: w, close: done } = await tempWarehouse('coverage');
    try {
      // August: every dispatched ticket has a deadline; September: only 1 in 4 (a half-migrated export)
      const dispatched = (received: string, deadline: string | null) =>
        ticket({ handling: '转办', unit: 'X局', received_at: received, dispatched_at: received, signed_at: received, deadline_at: deadline, completed_at: received, returned_count: 0, activity_at: '2025-10-30 00:00:00' });
      await insertTickets(w, [
        ...Array.from({ length: 40 }, (_, i) => dispatched('2025-08-10 09:00:00', i % 4 ? null : '2025-08-20 09:00:00')),
        ...Array.from({ length: 40 }, () => dispatched('2025-09-10 09:00:00', '2025-09-20 09:00:00')),
      ]);
      const report = await kpiWithComparisons(w, '2025-09', { settings: DEFAULT_KPI_SETTINGS });
      expect(report.changes.ontime_completion_rate).toMatchObject({ value: 1, previous_month: 0.25, mom_pp: null });
      expect(report.changes.ontime_completion_rate.mom_withheld).toBe('上月仅 25% 的工单有办理时限（本月 100%），不作比较');
      // 办结率 does not stand on deadlines: compared as usual
      expect(report.changes.completion_rate).toMatchObject({ mom_pp: 0 });
    } finally {
      done();
    }
  });
});

describe('an export without callbacks (no 回访时间, 回访结果 or 是否解决 at all, as a US 311 export)', () => {
  it('gives 回访率 null with a note, not 0.00 %, when none of the completed dispatched tickets has a callback time', async () => {
    const empty = await tempWarehouse('missing-callbacks');
    try {
      const done = (i: number) =>
        ticket({
          received_at: `2025-07-${String(1 + (i % 28)).padStart(2, '0')} 09:00:00`,
          handling: '转办',
          unit: '海口市住建局',
          dispatched_at: `2025-07-${String(1 + (i % 28)).padStart(2, '0')} 09:30:00`,
          completed_at: `2025-07-${String(1 + (i % 28)).padStart(2, '0')} 18:00:00`,
          status: '已办结',
          callback_at: null,
          satisfaction: null,
          resolved: null,
        });
      await insertTickets(empty.warehouse, Array.from({ length: 40 }, (_, i) => done(i)));
      await refreshRollups(empty.warehouse);
      for (const source of ['rollup', 'direct'] as const) {
        const report = await monthlyKpis(empty.warehouse, '2025-07', { source });
        expect(report.values.callback_rate, source).toBeNull();
        expect(report.missing.callback_rate).toBe('本月工单无回访时间，回访率无法计算');
        // nor satisfaction or resolution answers: — with a note, too
        expect([report.values.satisfaction_rate, report.values.resolution_rate]).toEqual([null, null]);
        expect(report.missing.satisfaction_rate).toBe('本月工单无回访结果，满意率无法计算');
        expect(report.missing.resolution_rate).toBe('本月工单无是否解决，解决率无法计算');
        expect(report.values.completion_rate).toBe(1);
      }
      // One callback in the month: the export has the column, and the rate is what it is.
      await empty.warehouse.run(`update tickets set callback_at = completed_at + interval 1 day, satisfaction = '满意' where ticket_id = (select min(ticket_id) from tickets)`);
      const report = await monthlyKpis(empty.warehouse, '2025-07', { source: 'direct' });
      expect(report.values.callback_rate).toBeCloseTo(1 / 40, 12);
      expect(report.missing.callback_rate).toBeUndefined();
      expect(report.values.satisfaction_rate).toBe(1);
      expect(report.missing.satisfaction_rate).toBeUndefined();
    } finally {
      empty.close();
    }
  });
});

describe('the month a page opens on (dataCalendar)', () => {
  it('is the month before a partial last month when that month has tickets; the partial month itself when it has none', async () => {
    const cases: [string, string[], string][] = [
      // a partial November after a full October: October (a month still being filled would show a false fall)
      ['adjacent', ['2026-10-01 09:00:00', '2026-10-31 09:00:00', '2026-11-01 09:00:00'], '2026-10'],
      // a gap: an old export, then a few tickets of 1 November — not October, which holds nothing
      ['gap', ['2022-05-01 09:00:00', '2026-11-01 09:00:00'], '2026-11'],
      // one day of one month (an NYC 311 export): that month
      ['one day', ['2022-05-01 09:00:00', '2022-05-01 18:00:00'], '2022-05'],
    ];
    for (const [name, days, expected] of cases) {
      const one = await tempWarehouse(`calendar-${name.replace(' ', '-')}`);
      try {
        await insertTickets(one.warehouse, days.map((received_at) => ticket({ received_at, activity_at: received_at })));
        expect((await dataCalendar(one.warehouse)).defaultMonth, name).toBe(expected);
      } finally {
        one.close();
      }
    }
  });
});
