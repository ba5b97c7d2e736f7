import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CliError } from '../../pipelines/cli-error.js';
import { run as breakdownCommand } from '../../pipelines/commands/breakdown.js';
import { displayWidth, formatTable, run as kpiCommand, toCsv } from '../../pipelines/commands/kpi.js';
import { run as rankingCommand } from '../../pipelines/commands/ranking.js';
import { refreshRollups } from '../../pipelines/rollups.js';
import type { Warehouse } from '../../pipelines/warehouse.js';
import { call, dispatchedTicket, insertCalls, insertTickets, insertUnits, tempWarehouse, ticket } from './helpers.js';

let warehouse: Warehouse;
let close: () => void;
let db: string;

beforeAll(async () => {
  let dir: string;
  ({ warehouse, close, dir } = await tempWarehouse('cli'));
  db = `${dir}/warehouse.duckdb`;
  await insertTickets(warehouse, [
    ticket({ received_at: '2025-07-01 00:00:00' }),
    ticket({ received_at: '2025-07-31 23:59:59', channel: '微信' }),
    dispatchedTicket({ unit: '昌吉市住建局', completed_at: '2025-07-11 09:00:00', callback_at: '2025-07-12 09:00:00', satisfaction: '满意', resolved: '已解决' }),
    dispatchedTicket({ unit: '昌吉市住建局', completed_at: null }),
    ticket({ received_at: '2025-06-15 09:00:00' }),
  ]);
  await insertCalls(warehouse, [call({ answered_at: '2025-07-10 09:00:05' }), call()]);
  await insertUnits(warehouse, [{ unit: '昌吉市住建局', unit_kind: '县市部门' }]);
  await refreshRollups(warehouse);
});
afterAll(() => close());

/** Runs a command and returns what it wrote on stdout. */
async function stdout(command: (argv: string[]) => Promise<void>, argv: string[]): Promise<string> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await command([...argv, '--db', db]);
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
}

async function usage(command: (argv: string[]) => Promise<void>, argv: string[]): Promise<CliError> {
  const error = await command([...argv, '--db', db]).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliError);
  expect((error as CliError).exitCode).toBe(2);
  return error as CliError;
}

describe('hotline kpi', () => {
  it('--month --json prints exactly the contract shape', async () => {
    const json = JSON.parse(await stdout(kpiCommand, ['--month', '2025-07', '--json']));
    expect(Object.keys(json)).toEqual([
      'month', 'received', 'dispatched', 'direct_answer_rate', 'completion_rate', 'ontime_completion_rate', 'ontime_sign_rate',
      'return_rate', 'satisfaction_rate', 'callback_rate', 'resolution_rate', 'connection_rate', 'answered_within_15s_rate',
      'repeat_rate', 'avg_handling_hours', 'enterprise', 'calls_offered', 'calls_answered', 'completed',
    ]);
    // 4 received (2 直接答复, 2 转办, one completed) → 办结率 3/4; no phones → repeat_rate null
    expect(json).toMatchObject({ month: '2025-07', received: 4, dispatched: 2, completion_rate: 0.75, completed: 3, repeat_rate: null, calls_offered: 2, calls_answered: 1, connection_rate: 0.5 });
  });

  it('--from/--to (dates included) prints "from" and "to" instead of "month"', async () => {
    const json = JSON.parse(await stdout(kpiCommand, ['--from', '2025-07-01', '--to', '2025-07-31', '--json']));
    const month = JSON.parse(await stdout(kpiCommand, ['--month', '2025-07', '--json']));
    expect(Object.keys(json).slice(0, 2)).toEqual(['from', 'to']);
    const { from, to, ...values } = json;
    const { month: _month, ...monthValues } = month;
    expect([from, to]).toEqual(['2025-07-01', '2025-07-31']);
    expect(values).toEqual(monthValues);
  });

  it('--compare adds 环比 in pct for counts and pp for rates', async () => {
    const json = JSON.parse(await stdout(kpiCommand, ['--month', '2025-07', '--compare', '--json']));
    expect(json.comparisons.previous_month).toBe('2025-06');
    expect(json.comparisons.same_month_last_year).toBe('2024-07');
    // received 4 vs 1 → +300 %
    // 2024-07 ends before the data's first ticket: no data, not 0 件
    expect(json.comparisons.metrics.received).toEqual({ previous_month: 1, mom_pct: 300, same_month_last_year: null, yoy_pct: null });
    // 直接答复率 0.5 vs 1 → −50 pp
    expect(json.comparisons.metrics.direct_answer_rate).toEqual({ previous_month: 1, mom_pp: -50, same_month_last_year: null, yoy_pp: null });
  });

  it('prints a Chinese table with percentages to 2 decimals, — for null, and the settings used', async () => {
    const text = await stdout(kpiCommand, ['--month', '2025-07']);
    expect(text).toMatch(/受理量 received\s+4\n/);
    expect(text).toMatch(/办结率 completion_rate\s+75\.00%\n/);
    expect(text).toMatch(/重复诉求率 repeat_rate\s+—\n/);
    expect(text).toMatch(/签收时限 2 小时/);
    expect(text).toMatch(/汇总表/);
    const compared = await stdout(kpiCommand, ['--month', '2025-07', '--compare']);
    expect(compared).toMatch(/直接答复率 direct_answer_rate\s+50\.00%\s+100\.00%\s+−50\.00 个百分点/);
    expect(compared).toMatch(/受理量 received\s+4\s+1\s+\+300\.00%/);
  });

  it('--sql shows the query and its parameters', async () => {
    const text = await stdout(kpiCommand, ['--month', '2025-07', '--sql', '--source', 'direct']);
    expect(text).toMatch(/-- source: direct/);
    expect(text).toMatch(/"sign_limit_hours":2/);
    expect(text).toMatch(/completion_rate\.sql/);
  });

  it('refuses bad periods with a usage error that names the flag', async () => {
    expect((await usage(kpiCommand, ['--month', '2025-7'])).message).toMatch(/--month/);
    expect((await usage(kpiCommand, ['--month', '2025-13'])).message).toMatch(/--month/);
    expect((await usage(kpiCommand, ['--month', 'July'])).message).toMatch(/--month/);
    expect((await usage(kpiCommand, ['--from', '2025-02-30', '--to', '2025-03-01'])).message).toMatch(/--from/);
    expect((await usage(kpiCommand, ['--from', '2025-03-01'])).message).toMatch(/--to/);
    expect((await usage(kpiCommand, ['--from', '2025-03-02', '--to', '2025-03-01'])).message).toMatch(/before/);
    expect((await usage(kpiCommand, ['--month', '2025-07', '--source', 'cache'])).message).toMatch(/--source/);
  });
});

describe('without a period', () => {
  it('kpi, ranking and breakdown take the last complete month with data (as the dashboard opens on), and say so on stderr', async () => {
    const notes: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (notes.push(String(chunk)), true));
    try {
      expect(JSON.parse(await stdout(kpiCommand, ['--json']))).toEqual(JSON.parse(await stdout(kpiCommand, ['--month', '2025-07', '--json'])));
      expect(await stdout(rankingCommand, ['--json'])).toBe(await stdout(rankingCommand, ['--month', '2025-07', '--json']));
      expect(await stdout(breakdownCommand, ['channel', '--json'])).toBe(await stdout(breakdownCommand, ['channel', '--month', '2025-07', '--json']));
    } finally {
      spy.mockRestore();
    }
    expect(notes.filter((n) => n.includes('未指定时段，按数据中最近的完整月份 2025-07'))).toHaveLength(3);
  });

  it('on a warehouse without tickets asks for one', async () => {
    const empty = await tempWarehouse('cli-empty');
    try {
      const error = await kpiCommand(['--db', `${empty.dir}/warehouse.duckdb`]).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).message).toMatch(/no tickets yet: give --month/);
    } finally {
      empty.close();
    }
  });
});

describe('hotline breakdown and ranking', () => {
  it('breakdown prints JSON, CSV and a table', async () => {
    const json = JSON.parse(await stdout(breakdownCommand, ['channel', '--month', '2025-07', '--json']));
    expect(json.rows.map((r: { level: number; channel?: string; received: number }) => [r.level, r.channel ?? null, r.received])).toEqual([
      [0, null, 4],
      [1, '电话', 3],
      [1, '微信', 1],
    ]);
    const csv = (await stdout(breakdownCommand, ['channel', '--month', '2025-07', '--csv'])).trim().split('\n');
    expect(csv[0]).toMatch(/^level,channel,share,received,dispatched,/);
    expect(csv).toHaveLength(4);
    const text = await stdout(breakdownCommand, ['appeal-type', '--month', '2025-07']);
    expect(text).toMatch(/合计\s+100\.00%\s+4/);
    const top = JSON.parse(await stdout(breakdownCommand, ['top', '--month', '2025-07', '--level', '2', '--json']));
    expect(top.rows[0]).toMatchObject({ category_l1: '城乡建设', category_l2: '物业管理', received: 4 });
    expect((await usage(breakdownCommand, ['weather', '--month', '2025-07'])).message).toMatch(/unknown dimension/);
    expect((await usage(breakdownCommand, ['channel', '--month', '07/2025'])).message).toMatch(/--month/);
  });

  it('ranking lists units with their kind and the reason they are unranked', async () => {
    const json = JSON.parse(await stdout(rankingCommand, ['--month', '2025-07', '--json']));
    expect(json.rows).toHaveLength(1);
    // the open ticket's deadline (07-15) lies before the newest activity (07-31 23:59:59): 1 overdue
    expect(json.rows[0]).toMatchObject({ unit_kind: '县市部门', unit: '昌吉市住建局', volume: 2, rank: null, unranked_reason: 'volume_below_minimum', overdue: 1 });
    const text = await stdout(rankingCommand, ['--month', '2025-07']);
    expect(text).toMatch(/【县市部门】/);
    expect(text).toMatch(/转办量不足 10 件/);
    const csv = await stdout(rankingCommand, ['--month', '2025-07', '--csv']);
    expect(csv.split('\n')[0]).toBe('unit_kind,rank,unit,volume,response_rate,resolution_score,resolution_basis,satisfaction_rate,composite_score,overdue,returned_tickets,returns,ontime_completion_rate,resolution_rate,unranked_reason');
  });
});

describe('formatting', () => {
  it('aligns Chinese text by display width and quotes CSV', () => {
    expect(displayWidth('受理量 received')).toBe(15);
    expect(formatTable(['名称', '值'], [['受理量', '12'], ['a', '3']])).toBe('名称    值\n──────  ──\n受理量  12\na        3\n');
    expect(toCsv(['a', 'b'], [['x,y', null], ['say "hi"', 2]])).toBe('a,b\n"x,y",\n"say ""hi""",2\n');
  });
});
