import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../pipelines/config.js';
import { JOBS } from '../../pipelines/jobs.js';
import { rollupStatus } from '../../pipelines/kpi/freshness.js';
import { refreshRollups } from '../../pipelines/rollups.js';
import { loadTextModel, modelPath, TextModel } from '../../pipelines/text/model.js';
import { suggestTickets } from '../../pipelines/text/suggest.js';
import { trainTextModels, type TrainOutcome } from '../../pipelines/text/train.js';
import type { Warehouse } from '../../pipelines/warehouse.js';
import { MISFILED, RETURNED, textWarehouse, UNCATEGORISED } from './fixture.js';

let warehouse: Warehouse;
let config: Config;
let close: () => void;
let outcome: TrainOutcome;

beforeAll(async () => {
  ({ warehouse, config, close } = await textWarehouse('suggest'));
  outcome = await trainTextModels(warehouse, config, { now: new Date('2025-08-01T00:00:00Z') });
});
afterAll(() => close());

describe('the text-model job', () => {
  it('trains on the operators\' categories only and stores the model with held-out metrics', () => {
    expect(outcome.status).toBe('trained');
    expect(existsSync(modelPath(config.dataDir))).toBe(true);
    const model = loadTextModel(config.dataDir)!;
    expect(model.l1.labels).not.toContain('未分类');
    const m = model.info.metrics;
    expect(m.categoryL1.tickets).toBeGreaterThan(10);
    expect(m.categoryL1.macroF1).toBeGreaterThan(0.9);
    expect(m.categoryL2!.accuracy).toBeGreaterThan(0.9);
    // Place matters for routing in the fixture (heating by district, property by township).
    expect(m.units!.accuracy).toBeGreaterThan(m.units!.categoryOnlyAccuracy);
    expect(model.info.dataAsOf).toBe('2025-07-30 15:00:00');
  });

  it('suggests a category for tickets without one, marked as suggested, never touching the operator\'s', async () => {
    const rows = await warehouse.all<{ ticket_id: string; operator: string; suggested: string; confidence: number; effective: string; category_source: string }>(
      `select t.ticket_id, t.category_l1 as operator, s.category_l1 as suggested, s.confidence, g.category_l1 as effective, g.category_source
       from tickets t join ticket_suggestions s using (ticket_id) join stg_tickets g using (ticket_id)
       where t.ticket_id in ('U1', 'U2', 'U3') order by t.ticket_id`,
    );
    expect(rows.map((r) => [r.ticket_id, r.operator, r.suggested, r.effective, r.category_source])).toEqual([
      ['U1', '未分类', '城乡建设', '城乡建设', 'suggested'],
      ['U2', '未分类', '劳动和社会保障', '劳动和社会保障', 'suggested'],
      ['U3', '未分类', '环境保护', '环境保护', 'suggested'],
    ]);
    for (const r of rows) expect(r.confidence).toBeGreaterThan(0.5);
    expect(UNCATEGORISED).toHaveLength(3);
    // An operator's category stays the operator's in the staging model.
    expect(await warehouse.one(`select category_l1, category_source from stg_tickets where ticket_id = 'TX00001'`)).toMatchObject({ category_source: 'operator' });
  });

  it('flags a ticket whose text strongly disagrees with its category, with the model\'s confidence', async () => {
    const misfiled = await warehouse.one<{ mismatch: string; category_l1: string; confidence: number; operator_confidence: number }>(
      `select mismatch, category_l1, confidence, operator_confidence from ticket_suggestions where ticket_id = $id`,
      { id: MISFILED.ticket_id },
    );
    expect(misfiled).toMatchObject({ mismatch: 'l1', category_l1: '劳动和社会保障' });
    expect(misfiled!.confidence).toBeGreaterThanOrEqual(config.text.mismatchConfidence * 0.9);
    expect(misfiled!.operator_confidence).toBeLessThan(0.1);
    // Ordinary tickets are not flagged.
    const flagged = await warehouse.all<{ ticket_id: string }>(`select ticket_id from ticket_suggestions where mismatch is not null`);
    expect(flagged.map((r) => r.ticket_id)).toEqual([MISFILED.ticket_id]);
  });

  it('never flags a thank-you (表扬): it is filed under the matter it praises, whatever its words', async () => {
    // Words like the flagged ticket's (unpaid wages), filed the same way, but as praise.
    await warehouse.run(
      `insert into tickets (ticket_id, received_at, channel, appeal_type, category_l1, category_l2, content, handling, status, source_profile, first_run_id, last_run_id, activity_at)
       values ('P1', '2025-07-30 10:00:00', '电话', '表扬', '环境保护', '噪声扰民', $content, '直接答复', '已办结', 'test', 1, 1, '2025-07-30 10:00:00')`,
      { content: '拖欠农民工工资三个月的事解决了，讨回了工资，感谢劳动部门帮忙' },
    );
    try {
      expect((await suggestTickets(warehouse, config)).tickets).toBe(1);
      const praise = await warehouse.one<{ mismatch: string | null; category_l1: string; operator_confidence: number }>(
        `select mismatch, category_l1, operator_confidence from ticket_suggestions where ticket_id = 'P1'`,
      );
      // The model reads it as it read the flagged ticket (劳动和社会保障, the operator's category unlikely) …
      expect(praise).toMatchObject({ category_l1: '劳动和社会保障' });
      expect(praise!.operator_confidence).toBeLessThan(0.1);
      // … and does not flag it.
      expect(praise!.mismatch).toBeNull();
    } finally {
      await warehouse.run(`delete from ticket_suggestions where ticket_id = 'P1'`);
      await warehouse.run(`delete from tickets where ticket_id = 'P1'`);
    }
  });

  it('suggests a unit for a returned ticket from its category and place', async () => {
    const returned = await warehouse.one(`select unit, unit_basis from ticket_suggestions where ticket_id = $id`, { id: RETURNED.ticket_id });
    expect(returned).toMatchObject({ unit: '昌吉市热力公司' });
  });

  it('after a load judges only new or changed tickets', async () => {
    expect((await suggestTickets(warehouse, config)).tickets).toBe(0);
    await warehouse.run(`update tickets set last_run_id = 2, category_l1 = '未分类', category_l2 = null where ticket_id = 'TX00002'`);
    await warehouse.run(
      `insert into tickets (ticket_id, received_at, channel, appeal_type, category_l1, content, handling, status, source_profile, first_run_id, last_run_id, activity_at)
       values ('N1', '2025-07-31 10:00:00', '网站', '投诉', '未分类', '瑶池小区暖气不热，室温太低', '直接答复', '已办结', 'test', 2, 2, '2025-07-31 10:00:00')`,
    );
    const again = await suggestTickets(warehouse, config);
    expect(again.tickets).toBe(2);
    expect(await warehouse.one(`select category_l1 from ticket_suggestions where ticket_id = 'N1'`)).toEqual({ category_l1: '城乡建设' });
    expect(await warehouse.one(`select count(*) as n from ticket_suggestions where ticket_id = 'TX00002'`)).toEqual({ n: 1 });
  });

  it('flags no mis-filing from a model that gets fewer than 60 % of its held-out tickets right, and says so', async () => {
    // a new ticket (the model never trained on it) whose text is about wages, filed under 噪声扰民
    await warehouse.run(
      `insert into tickets (ticket_id, received_at, channel, appeal_type, category_l1, category_l2, content, handling, status, source_profile, first_run_id, last_run_id, activity_at)
       values ('N2', '2025-07-31 11:00:00', '网站', '投诉', '环境保护', '噪声扰民', '工地老板拖欠农民工工资两个月，讨薪无门', '直接答复', '已办结', 'test', 3, 3, '2025-07-31 11:00:00')`,
    );
    const model = loadTextModel(config.dataDir)!;
    const judgedBy = async (version: string, accuracy: number) => {
      const metrics = { ...model.info.metrics, categoryL1: { ...model.info.metrics.categoryL1, accuracy } };
      const outcome = await suggestTickets(warehouse, config, new TextModel(model.l1, model.l2, model.units, { ...model.info, version, metrics }));
      const row = await warehouse.one<{ mismatch: string | null }>(`select mismatch from ticket_suggestions where ticket_id = 'N2'`);
      return { outcome, mismatch: row!.mismatch };
    };
    const weak = await judgedBy('weak', 0.321);
    expect(weak.outcome.tickets).toBeGreaterThan(0);
    expect(weak.outcome.mismatches).toBe(0);
    expect(weak.mismatch).toBeNull();
    expect(weak.outcome.message).toContain('模型留出准确率 32.1% 低于 60%，不判断疑似分类不符');
    // the same model with the accuracy it had flags it
    const sound = await judgedBy('sound', 0.95);
    expect(sound.mismatch).toBe('l1');
    expect(sound.outcome.message).toMatch(/其中疑似分类不符 [1-9]\d* 条/);
  });

  it('the text-model job rebuilds the rollup in the suggestions\' transaction: no reader finds it out of date', async () => {
    const { warehouse: own, config: ownConfig, close: closeOwn } = await textWarehouse('rollup');
    const reader = await own.session();
    try {
      await refreshRollups(own, ownConfig);
      expect((await rollupStatus(reader, ownConfig.kpi)).usable).toBe(true);
      // Another connection asks all along, as the dashboard's pages would.
      const seen: boolean[] = [];
      let running = true;
      const asking = (async () => {
        while (running) seen.push((await rollupStatus(reader, ownConfig.kpi)).usable);
      })();
      const message = await JOBS['text-models']({ warehouse: own, config: ownConfig, log: () => undefined } as unknown as Parameters<(typeof JOBS)['text-models']>[0]);
      running = false;
      await asking;
      expect(message).toMatch(/已为 [1-9]\d* 条工单生成建议/);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every(Boolean)).toBe(true);
      expect((await rollupStatus(reader, ownConfig.kpi)).usable).toBe(true);
      // Suggestions written on their own (as before) leave it out of date until the next rebuild.
      await own.run(`update tickets set last_run_id = 9, category_l1 = '未分类', category_l2 = null where ticket_id = 'TX00003'`);
      await refreshRollups(own, ownConfig);
      await suggestTickets(own, ownConfig);
      expect((await rollupStatus(reader, ownConfig.kpi)).usable).toBe(false);
    } finally {
      reader.close();
      closeOwn();
    }
  });

  it('trains when dispatched tickets have no text, as in a US 311 export (the job crashed on the held-out routing)', async () => {
    const { warehouse: bare, config: bareConfig, close: closeBare } = await textWarehouse('no-text');
    try {
      await bare.run(`update tickets set content = null where unit is not null and hash(ticket_id) % 10 = 0`);
      expect((await bare.one<{ n: number }>(`select count(*) as n from tickets where content is null and unit is not null and hash(ticket_id) % 10 = 0`))!.n).toBeGreaterThan(0);
      const result = await trainTextModels(bare, bareConfig);
      expect(result.status).toBe('trained');
      expect(result.message).toMatch(/承办单位建议准确率/);
    } finally {
      closeBare();
    }
  });

  it('skips training with a reason when there is nothing to learn from', async () => {
    const { warehouse: empty, config: emptyConfig, close: closeEmpty } = await textWarehouse('empty');
    try {
      await empty.run(`update tickets set category_l1 = '未分类'`);
      const result = await trainTextModels(empty, emptyConfig);
      expect(result.status).toBe('skipped');
      expect(result.message).toMatch(/有分类的工单太少/);
      expect((await suggestTickets(empty, emptyConfig)).message).toMatch(/尚无文本模型/);
    } finally {
      closeEmpty();
    }
  });
});
