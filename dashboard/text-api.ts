/**
 * The JSON APIs of what the text models found: hot issues (热点话题), suspected mis-filings
 * (疑似分类不符, on 诉求分析) and returned tickets with a suggested unit (on 承办单位). Thin routes
 * over pipelines/text and the queries/text files; answers cached per table versions (pipelines/table-versions.ts) and model version.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Config } from '../pipelines/config.js';
import { loadTextModel } from '../pipelines/text/model.js';
import { hotTopics } from '../pipelines/text/topics.js';
import { sqlFile } from '../pipelines/warehouse.js';
import { requireRole } from './auth.js';
import { BadRequest } from './page-data.js';
import type { ReadPool } from './read-pool.js';
import { tableVersions } from '../pipelines/table-versions.js';

/** The tables the text answers read: their versions (with the model's) key the cache. */
const TEXT_READS = ['tickets', 'ticket_suggestions', 'units'];

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^\d{4}-\d{2}$/;
const SAMPLE_TICKETS = 5;

function monthRange(month: unknown): { from: string; to: string } | null {
  if (month === undefined || month === '') return null;
  if (typeof month !== 'string' || !MONTH.test(month)) throw new BadRequest('month 应为 YYYY-MM / month must be YYYY-MM');
  const [y, m] = month.split('-').map(Number);
  return { from: `${month}-01`, to: new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10) };
}

export interface TextApi {
  router: Router;
  /**
   * Works out the answers 热点话题 opens with (the latest 30 days, with and without consultations)
   * when the data or the model changed since they were last worked out, so the first leader to open
   * the page after a load does not wait for them (5–8 s of CPU for a month of 26,000 requests).
   * Never throws.
   */
  warmTopics(): Promise<void>;
}

export function createTextApi(context: { pool: ReadPool; config: Config }): TextApi {
  const { pool, config } = context;
  const router = express.Router();
  const cache = new Map<string, { version: string; value: unknown }>();
  // Answers being worked out, by key and version: a request that comes while the warm-up (or
  // another request) works out the same answer waits for it instead of working it out again.
  const pending = new Map<string, Promise<unknown>>();

  /**
   * The answer under `key` for the current data: from the cache (hit), from the same answer being
   * worked out already (wait), or worked out now (miss).
   */
  const answer = async (key: string, compute: () => Promise<unknown>): Promise<{ value: unknown; cache: 'hit' | 'wait' | 'miss' }> => {
    const version = `${await pool.use((w) => tableVersions(w, TEXT_READS))}|${loadTextModel(config.dataDir)?.info.version ?? '-'}`;
    const hit = cache.get(key);
    if (hit && hit.version === version) return { value: hit.value, cache: 'hit' };
    const job = `${key}|${version}`;
    let working = pending.get(job);
    const how = working ? 'wait' : 'miss';
    if (!working) {
      working = compute().then((value) => {
        if (cache.size > 200) cache.delete(cache.keys().next().value!);
        cache.set(key, { version, value });
        return value;
      });
      pending.set(job, working);
      working.then(
        () => pending.delete(job),
        () => pending.delete(job),
      );
    }
    return { value: await working, cache: how };
  };

  /** The key of a request: its path and its query, in a fixed order (the warm-up asks by the same key). */
  const keyOf = (path: string, query: Record<string, unknown>) =>
    `${path}?${new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]).sort(([a], [b]) => (a < b ? -1 : 1))).toString()}`;

  const cached = (compute: (query: Record<string, unknown>) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) => {
    (async () => {
      const query = req.query as Record<string, unknown>;
      const { value, cache } = await answer(keyOf(req.path, query), () => compute(query));
      res.set('x-cache', cache).set('cache-control', 'private, no-cache').json(value);
    })().catch((error: Error) => (error instanceof BadRequest ? res.status(400).json({ error: error.message }) : next(error)));
  };

  /** A month's rows of one of the list queries (the newest month with data when none is chosen). */
  const monthList = (file: string) =>
    cached(async (query) => {
      let range = monthRange(query.month);
      if (!range) {
        const period = await pool.use((w) => w.one<{ to_day: string | null }>(sqlFile('text/topic_period.sql')));
        range = period?.to_day ? monthRange(period.to_day.slice(0, 7)) : null;
      }
      if (!range) return { rows: [], from: null, to: null, model: modelSummary() };
      const rows = await pool.use((w) => w.all(sqlFile(file), { from: range.from, to: range.to, limit: 200 }));
      return { rows, ...range, model: modelSummary() };
    });

  const modelSummary = () => {
    const model = loadTextModel(config.dataDir);
    return model ? { trainedAt: model.info.trainedAt, metrics: model.info.metrics, mismatchConfidence: config.text.mismatchConfidence } : null;
  };

  /** The hot issues of a period (the latest 30 days with data when none is chosen), with a few tickets each. */
  const topicsAnswer = async (query: Record<string, unknown>) => {
    let { from, to } = query as { from?: string; to?: string };
    if (!from || !to) {
      const period = await pool.use((w) => w.one<{ from_day: string | null; to_day: string | null }>(sqlFile('text/topic_period.sql')));
      from = from || (period?.from_day ?? undefined);
      to = to || (period?.to_day ?? undefined);
    }
    if (!from || !to) return { from: null, to: null, topics: [] };
    if (!DAY.test(from) || !DAY.test(to) || from > to) throw new BadRequest('请选择起止日期（YYYY-MM-DD，起始不晚于截止）/ from ≤ to as YYYY-MM-DD');
    const top = Math.min(50, Math.max(1, Number(query.top ?? 15) || 15));
    const consultations = query.consultations !== '0';
    const topics = await pool.use((w) => hotTopics(w, { from: from!, to: to!, top, consultations }));
    // A few tickets of each issue to read, masked as stored.
    const ids = topics.flatMap((t) => t.ticketIds.slice(0, SAMPLE_TICKETS));
    const samples = ids.length
      ? await pool.use((w) =>
          w.all<{ ticket_id: string; received_at: string; content: string; category_l1: string; category_source: string | null; district: string | null }>(
            `select ticket_id, strftime(received_at, '%Y-%m-%d %H:%M') as received_at, content, category_l1, category_source, district from stg_tickets where ticket_id in (select unnest(string_split($ids, chr(31))))`,
            { ids: ids.join('\u001f') },
          ),
        )
      : [];
    const byId = new Map(samples.map((s) => [s.ticket_id, s]));
    // An empty list says why: no requests, none with a text (an export without 诉求内容), or no two about one matter.
    const requests = topics.length ? null : await pool.use((w) => w.one<{ total: number; with_text: number }>(sqlFile('text/topic_requests.sql'), { from: from!, to: to!, consultations }));
    return { from, to, consultations, requests, topics: topics.map((t) => ({ ...t, samples: t.ticketIds.slice(0, SAMPLE_TICKETS).map((id) => byId.get(id)).filter(Boolean) })) };
  };
  router.get('/text/topics', requireRole('leader'), cached(topicsAnswer));
  // 生成专报 from a hot issue: the issue is found again from the warehouse by period and rank (the
  // page's description only checks that the list has not changed since it was drawn), and the
  // report is built and archived like the 报告 page's special report.
  router.post('/text/topics/special-report', requireRole('leader'), (req: Request, res: Response, next: NextFunction) => {
    (async () => {
      const { from, to, rank, description, consultations } = (req.body ?? {}) as { from?: unknown; to?: unknown; rank?: unknown; description?: unknown; consultations?: unknown };
      if (typeof from !== 'string' || typeof to !== 'string' || !DAY.test(from) || !DAY.test(to) || from > to) throw new BadRequest('请选择起止日期（YYYY-MM-DD，起始不晚于截止）/ from ≤ to as YYYY-MM-DD');
      if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 1 || rank > 50) throw new BadRequest('rank 应为 1–50 的整数 / rank must be an integer 1–50');
      const { buildHotTopicReport } = await import('../reports/special.js');
      const { archiveFolder, writeReport } = await import('../reports/output.js');
      const { dataAsOf } = await import('../pipelines/kpi.js');
      const built = await pool.use((w) => buildHotTopicReport(w, { from, to, rank, consultations: consultations !== false }, config));
      if (!built) return void res.status(404).json({ error: `${from} 至 ${to} 没有第 ${rank} 个热点话题 / no hot issue of that rank` });
      if (typeof description === 'string' && description !== built.hot.description) {
        return void res.status(409).json({ error: '热点话题已随新数据更新，请刷新页面后重试 / the issues changed since the page was drawn' });
      }
      const asOf = await pool.use((w) => dataAsOf(w));
      const files = await writeReport(built.report.document, {
        outDir: archiveFolder(config.dataDir, 'special'),
        name: `${built.topic.name}_${built.from}_${built.to}`,
        formats: ['html', 'docx'],
        kind: 'special',
        inputs: { hotTopic: { from, to, rank, consultations: consultations !== false, description: built.hot.description, count: built.hot.count }, from: built.from, to: built.to, requestedBy: req.session!.user },
        dataAsOf: asOf,
      });
      res.status(201).json({ title: built.topic.title, tickets: built.report.data.summary.received, files: files.map((f) => f.split('/').pop()) });
    })().catch((error: Error) => (error instanceof BadRequest ? res.status(400).json({ error: error.message }) : next(error)));
  });
  router.get('/text/misfilings', requireRole('leader'), monthList('text/suspected_misfilings.sql'));
  router.get('/text/returned', requireRole('leader'), monthList('text/returned_with_suggested_unit.sql'));
  // The page's two opening answers, one after the other: with consultations, and 不含咨询.
  const warmTopics = async () => {
    for (const query of [{}, { consultations: '0' }]) {
      // (the data changing under it, the service stopping: the page works it out when asked)
      await answer(keyOf('/text/topics', query), () => topicsAnswer(query)).catch(() => undefined);
    }
  };
  return { router, warmTopics };
}
