import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Config } from '../pipelines/config.js';
import type { Warehouse } from '../pipelines/warehouse.js';
import { statusReport } from '../pipelines/status.js';
import { statusPage } from './status-page.js';

export interface AppContext {
  /** A read session on the service's warehouse; the dashboard never writes through it. */
  warehouse: Warehouse;
  config: Config;
  startedAt: Date;
}

/** The express app, apart from listen(), so tests can hit it on an ephemeral port. */
export function createApp(context: AppContext) {
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet());
  app.use(compression());

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, startedAt: context.startedAt.toISOString() });
  });
  app.get('/api/status', async (_req, res) => {
    res.json(await statusReport(context.warehouse));
  });
  app.get('/', async (_req, res) => {
    res.type('html').send(statusPage(await statusReport(context.warehouse), context));
  });

  app.use((_req, res) => {
    res.status(404).json({ error: '找不到该页面 / not found' });
  });
  // One error handler: a message for the user, the stack only in the server log.
  app.use((error: Error, req: Request, res: Response, _next: NextFunction) => {
    process.stderr.write(`${req.method} ${req.originalUrl}: ${error.stack ?? error.message}\n`);
    res.status(500).json({ error: '服务器内部错误 / internal error' });
  });
  return app;
}
