import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../../pipelines/cli-error.js';
import {
  DEFAULT_KPI_SETTINGS,
  KPI_JSON_KEYS,
  datePeriod,
  monthPeriod,
  monthlyKpis,
  periodKpis,
  rollupStatus,
  shiftPeriod,
  timePeriod,
} from '../../pipelines/kpi.js';
import { loadConfig } from '../../pipelines/config.js';
import { afterIngest } from '../../pipelines/refresh.js';
import { refreshRollups } from '../../pipelines/rollups.js';
import type { Warehouse } from '../../pipelines/warehouse.js';
import { call, clearWarehouse, dispatchedTicket, insertCalls, insertTickets, tempWarehouse, ticket } from './helpers.js';

let warehouse: Warehouse;
let close: () => void;
let dir: string;

beforeAll(async () => {
  ({ warehouse, close, dir } = await tempWarehouse('edges'));
});
afterAll(() => close());
beforeEach(() => clearWarehouse(warehouse));

const COUNTS = ['received', 'dispatched', 'enterprise', 'calls_offered', 'calls_answered', 'completed'];

function expectNothing(values: Record<string, number | null>) {
  for (const key of KPI_JSON_KEYS) {
    if (COUNTS.includes(key)) expect(values[key], key).toBe(0);
    else expect(values[key], key).toBeNull();
  }
}

describe('a month with nothing to count', () => {
  it('gives 0 for counts and null (never 0 or 1) for every rate, from both sources', async () => {
    await insertTickets(warehouse, [ticket({ received_at: '2025-06-10 09:00:00' })]);
    expectNothing((await monthlyKpis(warehouse, '2025-07', { source: 'direct' })).values);
    await refreshRollups(warehouse);
    expectNothing((await monthlyKpis(warehouse, '2025-07', { source: 'rollup' })).values);
  });

  it('is the same when every ticket of the month was withdrawn', async () => {
    await insertTickets(warehouse, [
      ticket({ status: '已撤销', phone_hash: 'p', completed_at: '2025-07-10 09:10:00' }),
      dispatchedTicket({ status: '已撤销', completed_at: '2025-07-11 09:00:00', callback_at: '2025-07-12 09:00:00', satisfaction: '满意', resolved: '已解决' }),
    ]);
    expectNothing((await monthlyKpis(warehouse, '2025-07', { source: 'direct' })).values);
    await refreshRollups(warehouse);
    expectNothing((await monthlyKpis(warehouse, '2025-07', { source: 'rollup' })).values);
  });
});

describe('a denominator of zero', () => {
  it('makes only the rates that divide by it null', async () => {
    // only 直接答复 tickets: nothing dispatched, no callbacks, no calls, no phones
    await insertTickets(warehouse, [ticket(), ticket({ completed_at: '2025-07-10 09:03:00' })]);
    const v = (await monthlyKpis(warehouse, '2025-07', { source: 'direct' })).values;
    expect(v.received).toBe(2);
    expect(v.direct_answer_rate).toBe(1);
    expect(v.completion_rate).toBe(1);
    expect(v.dispatched).toBe(0);
    for (const key of ['ontime_completion_rate', 'ontime_sign_rate', 'return_rate', 'avg_handling_hours', 'satisfaction_rate', 'callback_rate', 'resolution_rate', 'connection_rate', 'answered_within_15s_rate', 'repeat_rate'] as const) {
      expect(v[key], key).toBeNull();
    }
  });

  it('leaves 15秒接通率 null when calls were offered but none answered', async () => {
    await insertCalls(warehouse, [call(), call()]);
    const v = (await monthlyKpis(warehouse, '2025-07', { source: 'direct' })).values;
    expect(v.connection_rate).toBe(0);
    expect(v.answered_within_15s_rate).toBeNull();
  });
});

describe('month boundaries (Beijing wall-clock)', () => {
  it('puts 23:59:59 on the last day in that month and 00:00:00 on the first day in the next', async () => {
    await insertTickets(warehouse, [
      dispatchedTicket({ received_at: '2025-07-31 23:59:59', completed_at: '2025-07-31 23:59:59', callback_at: '2025-07-31 23:59:59', satisfaction: '满意', resolved: '已解决' }),
      dispatchedTicket({ received_at: '2025-08-01 00:00:00', completed_at: '2025-08-01 00:00:00', callback_at: '2025-08-01 00:00:00', satisfaction: '不满意', resolved: '未解决' }),
    ]);
    await insertCalls(warehouse, [call({ call_at: '2025-07-31 23:59:59', answered_at: '2025-08-01 00:00:04' }), call({ call_at: '2025-08-01 00:00:00' })]);
    await refreshRollups(warehouse);
    for (const source of ['direct', 'rollup'] as const) {
      const july = (await monthlyKpis(warehouse, '2025-07', { source })).values;
      const august = (await monthlyKpis(warehouse, '2025-08', { source })).values;
      expect([july.received, august.received]).toEqual([1, 1]);
      expect([july.satisfaction_rate, august.satisfaction_rate]).toEqual([1, 0]);
      expect([july.resolution_rate, august.resolution_rate]).toEqual([1, 0]);
      expect([july.callback_rate, august.callback_rate]).toEqual([1, 1]);
      // the July call was answered after midnight: it still belongs to July, by call_at
      expect([july.connection_rate, august.connection_rate]).toEqual([1, 0]);
    }
  });
});

describe('periods', () => {
  it('takes --from/--to dates inclusive', async () => {
    await insertTickets(warehouse, [
      ticket({ received_at: '2025-07-04 23:59:59' }),
      ticket({ received_at: '2025-07-05 00:00:00' }),
      ticket({ received_at: '2025-07-07 23:59:59' }),
      ticket({ received_at: '2025-07-08 00:00:00' }),
    ]);
    expect(datePeriod('2025-07-05', '2025-07-07')).toMatchObject({ from: '2025-07-05 00:00:00', to: '2025-07-08 00:00:00' });
    expect((await periodKpis(warehouse, datePeriod('2025-07-05', '2025-07-07'), { source: 'direct' })).values.received).toBe(2);
    await refreshRollups(warehouse);
    const fromRollup = await periodKpis(warehouse, datePeriod('2025-07-05', '2025-07-07'));
    expect(fromRollup.source).toBe('rollup');
    expect(fromRollup.values.received).toBe(2);
  });

  it('answers a period that is not whole days from the tickets', async () => {
    await insertTickets(warehouse, [ticket({ received_at: '2025-07-05 08:59:59' }), ticket({ received_at: '2025-07-05 09:00:00' }), ticket({ received_at: '2025-07-05 17:59:59' }), ticket({ received_at: '2025-07-05 18:00:00' })]);
    await refreshRollups(warehouse);
    const report = await periodKpis(warehouse, timePeriod('2025-07-05 09:00:00', '2025-07-05 18:00:00'));
    expect(report.source).toBe('direct');
    expect(report.values.received).toBe(2);
    await expect(periodKpis(warehouse, timePeriod('2025-07-05 09:00:00', '2025-07-05 18:00:00'), { source: 'rollup' })).rejects.toThrow(CliError);
  });

  it('knows month lengths, leap years and year ends', () => {
    expect(monthPeriod('2024-02')).toMatchObject({ from: '2024-02-01 00:00:00', to: '2024-03-01 00:00:00' });
    expect(monthPeriod('2025-12')).toMatchObject({ from: '2025-12-01 00:00:00', to: '2026-01-01 00:00:00' });
    expect(() => monthPeriod('2025-13')).toThrow(RangeError);
    expect(() => monthPeriod('2025-7')).toThrow(RangeError);
    expect(() => datePeriod('2025-02-29', '2025-03-01')).toThrow(RangeError);
    expect(() => datePeriod('2025-03-02', '2025-03-01')).toThrow(RangeError);
  });

  it('shifts by calendar months for 环比 and 同比', () => {
    expect(shiftPeriod(monthPeriod('2025-01'), -1)).toMatchObject({ month: '2024-12' });
    expect(shiftPeriod(monthPeriod('2025-03'), -12)).toMatchObject({ month: '2024-03' });
    expect(shiftPeriod(datePeriod('2025-03-01', '2025-03-31'), -1)).toMatchObject({ fromDate: '2025-02-01', toDate: '2025-02-28' });
    expect(shiftPeriod(datePeriod('2024-02-29', '2024-02-29'), -12)).toMatchObject({ fromDate: '2023-02-28', toDate: '2023-02-28' });
  });
});

describe('the rollup is only used while it is right', () => {
  it('falls back to the tickets after new data, and refuses an explicit rollup request', async () => {
    await insertTickets(warehouse, [ticket()]);
    expect((await rollupStatus(warehouse, DEFAULT_KPI_SETTINGS)).usable).toBe(false);
    await refreshRollups(warehouse);
    expect((await monthlyKpis(warehouse, '2025-07')).source).toBe('rollup');

    await insertTickets(warehouse, [ticket()]);
    const status = await rollupStatus(warehouse, DEFAULT_KPI_SETTINGS);
    expect(status.usable).toBe(false);
    expect(status.reason).toMatch(/changed/);
    const report = await monthlyKpis(warehouse, '2025-07');
    expect(report.source).toBe('direct');
    expect(report.values.received).toBe(2);
    await expect(monthlyKpis(warehouse, '2025-07', { source: 'rollup' })).rejects.toThrow(/rollup/);

    await refreshRollups(warehouse);
    const fresh = await monthlyKpis(warehouse, '2025-07');
    expect([fresh.source, fresh.values.received]).toEqual(['rollup', 2]);
  });

  it('notices a changed ticket through its new run id', async () => {
    await insertTickets(warehouse, [ticket({ ticket_id: 'X1' })]);
    await refreshRollups(warehouse);
    await warehouse.run(`update tickets set status = '已撤销', last_run_id = 2 where ticket_id = 'X1'`);
    const report = await monthlyKpis(warehouse, '2025-07');
    expect([report.source, report.values.received]).toEqual(['direct', 0]);
  });

  it('is not used for settings it was not built with', async () => {
    await insertTickets(warehouse, [dispatchedTicket({ dispatched_at: '2025-07-10 09:00:00', signed_at: '2025-07-10 11:30:00' })]);
    await refreshRollups(warehouse); // default: 2 h
    const three = { ...DEFAULT_KPI_SETTINGS, signLimitHours: 3 };
    const report = await monthlyKpis(warehouse, '2025-07', { settings: three });
    expect([report.source, report.values.ontime_sign_rate]).toEqual(['direct', 1]);
    expect((await monthlyKpis(warehouse, '2025-07')).values.ontime_sign_rate).toBe(0);
    // ranking settings do not change the rollup: it stays usable
    const ranking = { ...DEFAULT_KPI_SETTINGS, minTicketsForRanking: 1 };
    expect((await monthlyKpis(warehouse, '2025-07', { settings: ranking })).source).toBe('rollup');
  });
});

describe('after each load', () => {
  it('the ingest pipeline (refresh.ts afterIngest) rebuilds the rollup with the configured settings', async () => {
    await insertTickets(warehouse, [dispatchedTicket({ dispatched_at: '2025-07-10 09:00:00', signed_at: '2025-07-10 11:30:00' })]);
    const config = loadConfig({ env: { HOTLINE_DATA_DIR: dir }, cwd: dir });
    await afterIngest(warehouse, { ...config, kpi: { ...config.kpi, signLimitHours: 3 } });
    const report = await monthlyKpis(warehouse, '2025-07', { settings: { ...DEFAULT_KPI_SETTINGS, signLimitHours: 3 } });
    expect([report.source, report.values.ontime_sign_rate]).toEqual(['rollup', 1]);
  });
});
