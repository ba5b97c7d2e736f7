/**
 * The JSON APIs behind the leadership pages: thin routes over page-data.ts (which asks
 * pipelines/kpi.ts for every KPI) and the pipelines' own write entry points. An answer is cached
 * under the versions of every table its page reads (PAGE_READS, pipelines/table-versions.ts): any
 * write to one of them — a load, a rollup rebuild, an alert acknowledged — gives new versions, so
 * a cached answer is never stale.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Config } from '../pipelines/config.js';
import { falseIncidentSentence } from '../pipelines/false-incidents.js';
import { handleIncident, hasIncidentTables, incidentEvidence, lastHotspotCheck, listIncidents } from '../pipelines/incidents.js';
import { requireRole } from './auth.js';
import {
  BadRequest,
  categoriesPage,
  channelsPage,
  districtsPage,
  filtersPage,
  overviewPage,
  PAGE_READS,
  risingPage,
  VersionMemo,
  type Known,
  ticketsPage,
  unitsPage,
  unitTicketsPage,
  type Query,
} from './page-data.js';
import type { ReadPool } from './read-pool.js';
import { tableVersions } from '../pipelines/table-versions.js';
import { listReports } from './reports-archive.js';
import { listOutbox, outboxFile } from './outbox.js';
import { mapPayload } from '../reports/charts/map-region.js';

export { BadRequest };

const MAX_CACHED = 500;

export function createPageApi(context: { pool: ReadPool; config: Config }): Router {
  const { pool, config } = context;
  const settings = config.kpi;
  const router = express.Router();
  const cache = new Map<string, { version: string; value: unknown }>();
  // the reads a page shares with others of the same data version (the rollup's state, the calendar …)
  const memo = new VersionMemo();

  const route = (handler: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) => {
    handler(req, res).catch((error: Error) => (error instanceof BadRequest || error instanceof RangeError ? res.status(400).json({ error: error.message }) : next(error)));
  };

  /** A cached page answer: computed on pooled connections unless these table versions already have it. */
  const cached = (reads: readonly string[], compute: (query: Query, known: Known) => Promise<unknown>) =>
    route(async (req, res) => {
      const key = `${req.path}?${new URLSearchParams(Object.entries(req.query).map(([k, v]) => [k, String(v)])).toString()}`;
      const version = await pool.use((w) => tableVersions(w, reads));
      const hit = cache.get(key);
      let value = hit?.value;
      if (hit && hit.version === version) res.set('x-cache', 'hit');
      else {
        value = await compute(req.query as Query, { version, memo });
        cache.delete(key);
        if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
        cache.set(key, { version, value });
        res.set('x-cache', 'miss');
      }
      res.set('cache-control', 'private, no-cache').json(value);
    });

  router.get('/filters', requireRole('leader'), cached(PAGE_READS.filters, () => filtersPage(pool, settings)));
  router.get('/overview', requireRole('leader'), cached(PAGE_READS.overview, (q, known) => overviewPage(pool, settings, q, known)));
  router.get('/channels', requireRole('leader'), cached(PAGE_READS.channels, (q, known) => channelsPage(pool, settings, q, known)));
  router.get('/categories', requireRole('leader'), cached(PAGE_READS.categories, (q, known) => categoriesPage(pool, settings, q, known)));
  router.get('/categories/rising', requireRole('leader'), cached(PAGE_READS.rising, (q, known) => risingPage(pool, settings, q, known)));
  router.get('/tickets', requireRole('leader'), cached(PAGE_READS.tickets, (q, known) => ticketsPage(pool, settings, q, known)));
  router.get('/districts', requireRole('leader'), cached(PAGE_READS.districts, (q, known) => districtsPage(pool, settings, q, known)));
  router.get('/units', requireRole('leader'), cached(PAGE_READS.units, (q, known) => unitsPage(pool, settings, q, known)));
  router.get('/units/tickets', requireRole('leader'), cached(PAGE_READS.unitTickets, (q, known) => unitTicketsPage(pool, settings, q, known)));
  // The district boundaries and their mapping: the same for every page, read once per file version.
  router.get('/map', requireRole('leader'), (_req, res) => void res.set('cache-control', 'private, max-age=300').json(mapPayload(config.map, config.root)));

  // --- 预警: incidents, read by everyone; acknowledged or closed (as one) by analysts and admins ----
  router.get(
    '/alerts',
    requireRole('leader'),
    route(async (_req, res) => {
      const available = await pool.use(hasIncidentTables);
      const incidents = available ? await pool.use((w) => listIncidents(w, { limit: 300 })) : [];
      // (with no incident, the page says when the check last ran and what it found, or when it will)
      const lastCheck = incidents.length ? null : await pool.use(lastHotspotCheck);
      const daily = config.jobs['hotspots-daily'];
      res.json({ available, incidents, falseIncidents: falseIncidentSentence(), lastCheck, dailyCheck: daily?.enabled ? daily.cron : null });
    }),
  );
  router.get(
    '/alerts/:id',
    requireRole('leader'),
    route(async (req, res) => {
      const id = Number(req.params.id);
      if (!Number.isInteger(id)) throw new BadRequest('incident id must be a number');
      if (!(await pool.use(hasIncidentTables))) return res.status(404).json({ error: '本数据仓库还没有预警表 / no alert tables in this warehouse' });
      const evidence = await pool.use((w) => incidentEvidence(w, id));
      if (!evidence) return res.status(404).json({ error: `没有预警事件 #${id} / no incident ${id}` });
      res.json(evidence);
    }),
  );
  router.post(
    '/alerts/:id',
    requireRole('analyst'),
    route(async (req, res) => {
      const id = Number(req.params.id);
      const { action, comment } = (req.body ?? {}) as { action?: unknown; comment?: unknown };
      if (!Number.isInteger(id) || (action !== 'acknowledge' && action !== 'close')) throw new BadRequest('action 应为 acknowledge 或 close / action must be acknowledge or close');
      if (typeof comment !== 'string' || !comment.trim()) throw new BadRequest('请填写处理意见 / a comment is required');
      const done = await pool.use((w) => handleIncident(w, id, action, req.session!.user, comment.trim()));
      if (!done) return res.status(404).json({ error: `没有预警事件 #${id} / no incident ${id}` });
      res.json({ ok: true, incident: (await pool.use((w) => incidentEvidence(w, id)))?.incident });
    }),
  );

  // --- 报告 ---------------------------------------------------------------------------------------
  router.get('/reports', requireRole('leader'), (_req, res) => void res.json({ reports: listReports(config), topics: config.reports.topics.map((t) => ({ name: t.name, title: t.title })) }));
  // A special report from the form: built by the report module into the archive, like the CLI does.
  router.post(
    '/reports/special',
    requireRole('leader'),
    route(async (req, res) => {
      const { topic: name, from, to } = (req.body ?? {}) as { topic?: unknown; from?: unknown; to?: unknown };
      const topic = config.reports.topics.find((t) => t.name === name);
      const date = (v: unknown) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));
      if (!topic) throw new BadRequest(`没有这个专题 / unknown topic: ${String(name)}`);
      if (!date(from) || !date(to) || String(from) > String(to)) throw new BadRequest('请选择起止日期（起始不晚于截止）/ choose from ≤ to as YYYY-MM-DD');
      const { buildSpecialReport } = await import('../reports/special.js');
      const { archiveFolder, writeReport } = await import('../reports/output.js');
      const { dataAsOf } = await import('../pipelines/kpi.js');
      const report = await pool.use((w) => buildSpecialReport(w, topic, String(from), String(to), config));
      const asOf = await pool.use((w) => dataAsOf(w));
      const files = await writeReport(report.document, {
        outDir: archiveFolder(config.dataDir, 'special'),
        name: `${topic.name}_${from}_${to}`,
        formats: ['html', 'docx'],
        kind: 'special',
        inputs: { topic: topic.name, from, to, requestedBy: req.session!.user },
        dataAsOf: asOf,
      });
      res.status(201).json({ files: files.map((f) => f.split('/').pop()) });
    }),
  );

  // --- 邮件发件箱 ----------------------------------------------------------------------------------
  router.get('/outbox', requireRole('leader'), route(async (_req, res) => res.json({ messages: await listOutbox(config.mail.outbox) })));
  router.get('/outbox/file', requireRole('leader'), (req, res) => {
    const path = outboxFile(config.mail.outbox, String(req.query.name ?? ''));
    if (!path) return void res.status(404).json({ error: '没有这封邮件 / no such message' });
    res.type('message/rfc822').download(path);
  });

  return router;
}
