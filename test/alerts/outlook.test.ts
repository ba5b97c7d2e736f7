import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as outlookCommand } from '../../pipelines/commands/outlook.js';
import { missingOutlookReason, seasonalOutlook } from '../../pipelines/outlook.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { tempSetup } from '../service/helpers.js';

describe('seasonal outlook', () => {
  const setup = tempSetup('outlook');
  let warehouse: Warehouse;
  beforeAll(async () => {
    warehouse = await Warehouse.open(setup.config.db);
    // 2023-01 … 2025-06: 100 noise tickets a month, 300 in every July; 40 a month of steady consultations.
    await warehouse.run(`
      insert into tickets (ticket_id, received_at, channel, appeal_type, category_l1, category_l2, handling, status, source_profile, first_run_id, last_run_id, activity_at)
      select 'n' || m || '-' || k, m + interval (k * 2) hour, '电话', '投诉', '环境保护', '噪声扰民', '直接答复', '已办结', 'test', 1, 1, m
      from range(timestamp '2023-01-01', timestamp '2025-07-01', interval 1 month) as months(m),
           range(0, 300) as ks(k)
      where k < case when month(m) = 7 then 300 else 100 end
      union all
      select 'c' || m || '-' || k, m + interval (k * 11) hour, '电话', '咨询', '政务服务', '办事咨询', '直接答复', '已办结', 'test', 1, 1, m
      from range(timestamp '2023-01-01', timestamp '2025-07-01', interval 1 month) as months(m), range(0, 40) as ks(k)`);
  });
  afterAll(() => {
    warehouse.close();
    setup.cleanup();
  });

  it('computes the seasonal index and next month by hand', async () => {
    const [noise, steady] = await seasonalOutlook(warehouse, '2025-06', { level: 'l2', minMonthly: 10 });
    // Two whole years end in 2025-06; each: monthly mean (11·100 + 300)/12 = 116.67, July ratio 300/116.67 = 2.571.
    expect(noise.category).toBe('噪声扰民');
    expect(noise.index[6]).toBeCloseTo(300 / (1400 / 12), 6);
    expect(noise.index[0]).toBeCloseTo(100 / (1400 / 12), 6);
    expect(noise.highMonths).toEqual([{ month: 7, index: expect.closeTo(2.5714, 3) }]);
    expect(noise.stable).toBe(true);
    // Forecast = 116.67 × 2.571 (no growth) = 300; June had 100 → +200 %.
    expect(noise.forecast).toBe(300);
    expect(noise.change).toBeCloseTo(2, 6);
    expect(noise.low).toBeLessThan(300);
    expect(noise.high).toBeGreaterThan(300);
    expect(noise.lastYearPeakWeek).toMatch(/^7 月/);
    expect(noise.sentence).toBe(`预计 7 月噪声扰民诉求约 300 件（${noise.low}–${noise.high}），较 6 月增加约 200%；过去一年高峰在 ${noise.lastYearPeakWeek}。`);
    expect(steady.category).toBe('办事咨询');
    expect(steady.forecast).toBe(40);
    expect(steady.highMonths).toEqual([]);
  });

  it('says why there is no outlook instead of printing nothing: too little history, or data that ends earlier', async () => {
    expect(await seasonalOutlook(warehouse, '2023-06')).toEqual([]);
    expect(await missingOutlookReason(warehouse, '2023-06')).toContain('季节性展望需要截至 2023-06 的至少 12 个完整月份，而数据从 2023-01-01 开始（6 个月）');
    expect(await missingOutlookReason(warehouse, '2026-03')).toContain('数据截止于 2025-06-18，没有 2026-03 的工单');
    const printed: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    try {
      await outlookCommand(['--month', '2023-06', '--db', setup.config.db]);
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
    }
    expect(printed.join('')).toContain('历史不足');
  });

  it('without --month takes the last complete month with data (2025-06 ends on the 18th: 2025-05)', async () => {
    const run = async (argv: string[]) => {
      const out: string[] = [];
      const notes: string[] = [];
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (notes.push(String(chunk)), true));
      const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
      try {
        await outlookCommand([...argv, '--json', '--db', setup.config.db]);
      } finally {
        stderr.mockRestore();
        stdout.mockRestore();
      }
      return { out: out.join(''), notes: notes.join('') };
    };
    const implicit = await run([]);
    expect(implicit.notes).toContain('未指定时段，按数据中最近的完整月份 2025-05');
    expect(JSON.parse(implicit.out).length).toBeGreaterThan(0);
    expect(implicit.out).toBe((await run(['--month', '2025-05'])).out);
  });
});
