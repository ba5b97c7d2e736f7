import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { createRequire } from 'node:module';
import type { Config } from '../pipelines/config.js';
import { dataFolders } from '../pipelines/config.js';
import { dropIntoInbox } from '../pipelines/inbox.js';
import { isMonth, rollupState } from '../pipelines/kpi.js';
import { snapshotFolder } from '../pipelines/refresh.js';
import type { JobProgress, Scheduler } from '../pipelines/scheduler.js';
import { SnapshotPendingError, SqlConsole, SqlConsoleError } from '../pipelines/sql-console.js';
import { quarantineRows, statusReport } from '../pipelines/status.js';
import { usersFile } from '../pipelines/users.js';
import type { Warehouse } from '../pipelines/warehouse.js';
import { allows, Sessions, requireCsrf, requireRole, requireSameOrigin, safeNextPath } from './auth.js';
import { CLIENT_CSS, clientBundle } from './client-bundle.js';
import { BadRequest, createPageApi } from './page-api.js';
import { createTextApi } from './text-api.js';
import { definitionsBody, forbiddenPage, pageShell, PAGES } from './pages.js';
import { ReadPool } from './read-pool.js';
import { reportFile } from './reports-archive.js';
import { EXPORT_LIMITS, exportResult, resultToArrow, SavedQueries, setCapHeaders } from './sql-api.js';
import { LOGIN_SCRIPT, loginPage } from './status-page.js';

export interface AppContext {
  /**
   * A session on the service's warehouse. The dashboard reads through it (and a few more connections of
   * the same instance); its only writes are the pipelines' own entry points (handleIncident).
   */
  warehouse: Warehouse;
  config: Config;
  startedAt: Date;
  /**
   * The service's scheduler: what the jobs are doing (the 数据 page, the "数据加载中" answers) and
   * the monthly-report job behind 生成月报. The bare app (tests) has none.
   */
  scheduler?: Scheduler;
  /** Start-up work outside the scheduler (the demo exports being written), while it runs. */
  startup?: () => JobProgress | null;
}

/** How long no job must have run before 热点话题 is worked out ahead of its readers. */
const WARM_AFTER_IDLE_MS = 2000;

/** The pages that read tickets answer 503 until the first load has built the summary tables. */
const READY_WITHOUT_DATA = ['/alerts', '/reports', '/outbox'];

const require = createRequire(import.meta.url);

/** An async route whose errors reach the one error handler. */
const route = (handler: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) => {
  handler(req, res).catch(next);
};

/** The express app, apart from listen(), so tests can hit it on an ephemeral port. */
export function createApp(context: AppContext) {
  const { config, warehouse } = context;
  const app = express();
  const sessions = new Sessions(usersFile(config));
  // A result for the browser stops at 100,000 rows or 16 MB of JSON; exports have their own caps.
  const sql = new SqlConsole(snapshotFolder(config), { timeoutMs: 15_000, maxRows: EXPORT_LIMITS.maxRows, maxBytes: EXPORT_LIMITS.maxBytes });
  const browserBytes = 16 * 1024 * 1024;
  const saved = new SavedQueries(config.dataDir);
  const pool = new ReadPool(warehouse, 3);
  const pages = createPageApi({ pool, config });
  // Bundle the browser code now, so the first page view does not wait for it.
  clientBundle().catch((error: Error) => process.stderr.write(`dashboard: the browser bundle failed to build: ${error.message}\n`));
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { 'script-src': ["'self'"], 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] } },
    }),
  );
  app.use(compression());
  app.use(express.json({ limit: '1mb' }));
  app.use(sessions.attach);

  app.get('/healthz', (_req, res) => void res.json({ ok: true, startedAt: context.startedAt.toISOString() }));
  app.get('/assets/echarts.min.js', (_req, res) => res.sendFile(require.resolve('echarts/dist/echarts.min.js'), { maxAge: '1d' }));
  app.get('/favicon.ico', (_req, res) => void res.status(204).end());
  app.get('/assets/app.css', (_req, res) => res.sendFile(CLIENT_CSS));
  app.get('/assets/app.js', route(async (_req, res) => res.type('js').set('cache-control', 'no-cache').send(await clientBundle())));
  app.get('/login', (req, res) => void res.type('html').send(loginPage(safeNextPath(req.query.next))));
  app.get('/assets/login.js', (_req, res) => void res.type('js').send(LOGIN_SCRIPT));

  // --- session -----------------------------------------------------------------------------
  // Before a session exists there is no CSRF token: only same-origin posts, here and everywhere.
  app.use('/api', requireSameOrigin);
  app.post(
    '/api/login',
    route(async (req, res) => {
      const { name, password } = (req.body ?? {}) as { name?: unknown; password?: unknown };
      if (typeof name !== 'string' || typeof password !== 'string') return res.status(400).json({ error: '请输入用户名和密码 / name and password required' });
      const session = await sessions.login(req, res, name, password);
      if (session === 'rate-limited') return res.status(429).json({ error: '尝试次数过多，请 15 分钟后再试 / too many attempts, try again in 15 minutes' });
      if (!session) return res.status(401).json({ error: '用户名或密码错误 / wrong name or password' });
      res.json({ user: session.user, role: session.role, csrf: session.csrf });
    }),
  );
  app.use('/api', requireCsrf);
  app.post('/api/logout', (req, res) => {
    sessions.logout(req, res);
    res.json({ ok: true });
  });
  app.get('/api/me', requireRole('leader'), (req, res) => void res.json({ user: req.session!.user, role: req.session!.role, csrf: req.session!.csrf }));

  // --- pages: a shell per page, filled by the browser bundle from the APIs below -------------------
  for (const page of PAGES) {
    app.get(page.path, (req, res) => {
      if (!req.session) return void res.redirect(page.path === '/' ? '/login' : `/login?next=${encodeURIComponent(req.originalUrl)}`);
      if (!allows(req.session.role, page.role)) return void res.status(403).type('html').send(forbiddenPage(page, req.session));
      res.set('cache-control', 'no-store').type('html').send(pageShell(page, req.session, page.id === 'definitions' ? definitionsBody(config.kpi) : ''));
    });
  }
  app.get('/reports/file', requireRole('leader'), (req, res) => {
    const found = typeof req.query.path === 'string' ? reportFile(config, req.query.path) : null;
    if (!found) return void res.status(404).json({ error: '找不到该报告 / no such report' });
    if (!found.inline) res.attachment(found.file.split(/[\\/]/).at(-1)!);
    res.type(found.type).sendFile(found.file);
  });

  // --- leader: status and the page APIs -----------------------------------------------------------
  /** What the running jobs are doing, for the 数据 page and the answers while loading. */
  const activity = () => {
    const startup = context.startup?.();
    return [...(startup ? [{ job: 'startup', trigger: 'startup', startedAt: context.startedAt.toISOString(), progress: startup }] : []), ...(context.scheduler?.activity() ?? [])];
  };
  app.get('/api/status', requireRole('leader'), route(async (_req, res) => res.json({ ...(await pool.use((w) => statusReport(w, 100))), activity: activity() })));

  // Until the first load has built the summary tables, a page would fail on them: it is told to wait,
  // with the load's progress, instead. Once built they stay, so the check stops.
  let ready = false;
  const readiness = async (): Promise<{ ready: boolean; loading: Record<string, unknown> | null }> => {
    if (!ready) ready = (await pool.use((w) => rollupState(w))) !== null;
    if (ready) return { ready, loading: null };
    const loading = activity().find((run) => run.job === 'startup' || run.job === 'ingest-inbox');
    return { ready, loading: loading ? { job: loading.job, since: loading.startedAt, ...loading.progress } : null };
  };
  // Asked first by a page that needs the data, and while it waits: an answer, never an error, so
  // the browser's console stays clean during the first load.
  app.get('/api/ready', requireRole('leader'), route(async (_req, res) => res.json(await readiness())));
  const loadingGate = (req: Request, res: Response, next: NextFunction) => {
    if (ready || !req.session || req.method !== 'GET' || READY_WITHOUT_DATA.some((path) => req.path.startsWith(path))) return next();
    readiness().then((state) => {
      if (state.ready) return next();
      res.status(503).set('retry-after', '5').json({ error: '数据加载中，请稍候 / the data is still loading', loading: state.loading });
    }, next);
  };

  // --- admin: data -------------------------------------------------------------------------
  app.get(
    '/api/quarantine',
    requireRole('admin'),
    route(async (req, res) => {
      const run = req.query.run === undefined ? undefined : Number(req.query.run);
      res.json(await pool.use((w) => quarantineRows(w, { runId: Number.isInteger(run) ? run : undefined, limit: 500 })));
    }),
  );
  app.post(
    '/api/inbox',
    requireRole('admin'),
    express.raw({ type: () => true, limit: '512mb' }),
    route(async (req, res) => {
      const name = req.get('x-file-name');
      if (!name || !Buffer.isBuffer(req.body) || req.body.length === 0) return res.status(400).json({ error: '请上传文件，并在 x-file-name 中给出文件名 / send the file with an x-file-name header' });
      const path = dropIntoInbox(dataFolders(config).inbox, decodeURIComponent(name), req.body);
      // The load starts now rather than at the next tick; a load already running is left to finish,
      // and the file waits for the next run (the inbox job takes every file there at its start).
      const scheduler = context.scheduler;
      if (scheduler && !activity().some((run) => run.job === 'ingest-inbox' || run.job === 'startup')) {
        void scheduler.run('ingest-inbox', 'manual').catch(() => undefined);
        return res.status(202).json({ accepted: true, started: true, file: path, note: '文件已放入收件箱，正在导入；进度和结果见下方 / loading now' });
      }
      res.status(202).json({ accepted: true, started: false, file: path, note: '文件已放入收件箱，将在当前导入结束后的下一次导入任务中处理（5 分钟内）/ queued for the next ingest run' });
    }),
  );

  // 生成月报: a chosen complete month into the archive, through the service's monthly-report job
  // (recorded in job_runs, one at a time with the other jobs); not mailed.
  app.post(
    '/api/reports/monthly',
    requireRole('admin'),
    route(async (req, res) => {
      const month = (req.body as { month?: unknown })?.month;
      const current = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
      if (typeof month !== 'string' || !isMonth(month) || month >= current) return res.status(400).json({ error: `请选择一个已结束的月份（YYYY-MM，早于 ${current}）/ choose a complete month before ${current}` });
      if (!context.scheduler) return res.status(503).json({ error: '定时任务未运行，请用 hotline report monthly / the job runner is not running' });
      const run = await context.scheduler.run('monthly-report', 'manual', { month, mail: false });
      if (run.status === 'skipped') return res.status(409).json({ error: '月报正在生成，请稍后再试 / a monthly report is being built; try again shortly' });
      if (run.status === 'failed') return res.status(500).json({ error: `月报生成失败：${run.message}` });
      res.status(201).json({ month, message: run.message });
    }),
  );

  // --- analyst: SQL console ------------------------------------------------------------------
  app.get('/api/sql/schema', requireRole('analyst'), route(async (_req, res) => res.json(await sql.schema())));
  app.post(
    '/api/sql',
    requireRole('analyst'),
    route(async (req, res) => {
      const text = (req.body as { sql?: unknown })?.sql;
      if (typeof text !== 'string') return res.status(400).json({ error: 'sql required' });
      const result = await sql.query(text, { maxBytes: browserBytes });
      saved.remember(req.session!.user, text);
      setCapHeaders(res, result);
      if (req.accepts(['application/json', 'application/vnd.apache.arrow.stream']) === 'application/vnd.apache.arrow.stream') {
        res.type('application/vnd.apache.arrow.stream').send(Buffer.from(resultToArrow(result)));
      } else res.json(result);
    }),
  );
  // CSV and Excel hold at most EXPORT_LIMITS and say so when capped (a header, a note in the file);
  // Parquet is the whole result, written by DuckDB, whatever its size.
  app.post(
    '/api/sql/export',
    requireRole('analyst'),
    route(async (req, res) => {
      const { sql: text, format } = (req.body ?? {}) as { sql?: unknown; format?: unknown };
      if (typeof text !== 'string' || !['csv', 'xlsx', 'parquet'].includes(String(format))) return res.status(400).json({ error: 'sql and format (csv|xlsx|parquet) required' });
      if (format === 'parquet') {
        const { file, done } = await sql.exportParquet(text);
        res.attachment('hotline-query.parquet').type('application/vnd.apache.parquet');
        return res.sendFile(file, (error) => {
          done();
          if (error && !res.headersSent) res.status(500).end();
        });
      }
      const result = await sql.query(text);
      const file = await exportResult(result, format as 'csv' | 'xlsx');
      setCapHeaders(res, result);
      res.attachment(`hotline-query.${format}`).type(file.type).send(file.body);
    }),
  );
  app.get('/api/sql/saved', requireRole('analyst'), (req, res) => void res.json(saved.list(req.session!.user)));
  app.post('/api/sql/saved', requireRole('analyst'), (req, res) => {
    const { name, sql: text, shared } = (req.body ?? {}) as { name?: unknown; sql?: unknown; shared?: unknown };
    if (typeof name !== 'string' || !name.trim() || typeof text !== 'string') return void res.status(400).json({ error: 'name and sql required' });
    res.status(201).json(saved.save(req.session!.user, name.trim(), text, shared === true));
  });
  app.get('/api/sql/history', requireRole('analyst'), (req, res) => void res.json(saved.history(req.session!.user)));

  // Last among the APIs, so that only the page APIs pass the gate.
  const text = createTextApi({ pool, config: context.config });
  app.use('/api', loadingGate, pages, text.router);
  // 热点话题 worked out before anyone asks: after a job that may have changed what it reads, once no
  // job has run for a moment — so a first start (load, model training, look-back, report) works it
  // out once, at its end, not between its jobs. An answer still current costs one version query.
  let topicsStale = false;
  let warmTimer: NodeJS.Timeout | null = null;
  context.scheduler?.onFinished((run) => {
    if (run.status === 'ok' && (run.job === 'ingest-inbox' || run.job === 'text-models')) topicsStale = true;
    if (!topicsStale) return;
    if (warmTimer) clearTimeout(warmTimer);
    warmTimer = setTimeout(() => {
      warmTimer = null;
      if (!topicsStale || activity().length) return; // (the job running now will call again when it ends)
      topicsStale = false;
      void text.warmTopics();
    }, WARM_AFTER_IDLE_MS);
    warmTimer.unref();
  });

  app.use((_req, res) => void res.status(404).json({ error: '找不到该页面 / not found' }));
  // One error handler: a message for the user, the stack only in the server log.
  app.use((error: Error, req: Request, res: Response, _next: NextFunction) => {
    // Not yet there is "try again shortly" (503, as the pages during the first load), not a bad request.
    if (error instanceof SnapshotPendingError) return void res.status(503).set('Retry-After', '10').json({ error: error.message });
    if (error instanceof SqlConsoleError || error instanceof BadRequest) return void res.status(400).json({ error: error.message });
    if ((error as { type?: string }).type === 'entity.too.large') return void res.status(413).json({ error: '请求过大 / request too large' });
    if ((error as { type?: string }).type === 'entity.parse.failed') return void res.status(400).json({ error: '请求不是合法的 JSON / invalid JSON' });
    process.stderr.write(`${req.method} ${req.originalUrl}: ${error.stack ?? error.message}\n`);
    res.status(500).json({ error: '服务器内部错误 / internal error' });
  });
  return Object.assign(app, {
    close: () => {
      if (warmTimer) clearTimeout(warmTimer);
      sql.close();
      pool.close();
    },
  });
}
