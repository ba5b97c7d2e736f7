import { backfillHotspots, dailyHotspots, hourlyIncidents, type Deliver } from './alert-job.js';
import type { Config } from './config.js';
import { ingestInbox } from './inbox.js';
import { deliver, DELIVERY_WORDS, retryPending } from './mail/send.js';
import { refreshIfStale, snapshotFolder } from './refresh.js';
import { buildRollups } from './rollups.js';
import type { Job } from './scheduler.js';
import { currentSnapshot, writeAnalystSnapshot } from './sql-console.js';

/** The service's mail path for the alert jobs: SMTP when configured, else .eml files in the outbox. */
const mailer = (config: Config): Deliver => (message, to) => deliver(message, to, config.mail);

/** Every job the service knows, by the name used in the config's job table. */
export const JOBS = {
  'ingest-inbox': async ({ warehouse, config, signal, progress }) => {
    const folder = snapshotFolder(config);
    const inbox = await ingestInbox(warehouse, config, Date.now(), {
      signal,
      onProgress: progress,
      // The console answers as soon as there is data: on a first load that is after the first file,
      // not after the last; afterIngest writes the complete snapshot at the end.
      afterFile: async (summary) => {
        if (summary.status === 'loaded' && !currentSnapshot(folder)) await writeAnalystSnapshot(warehouse, folder);
      },
    });
    if (signal.aborted) return inbox.message;
    progress({ step: 'refresh' });
    const mended = await refreshIfStale(warehouse, config);
    if (!mended.length) return inbox.message;
    return inbox.summaries.length ? `${inbox.message}；${mended.join('；')}` : `收件箱为空；${mended.join('；')}`;
  },
  'hotspots-daily': async ({ warehouse, config }) => {
    const message = await dailyHotspots(warehouse, config, { deliver: mailer(config) });
    await retryPending(config.mail);
    return message;
  },
  'incidents-hourly': async ({ warehouse, config }) => {
    const message = await hourlyIncidents(warehouse, config, { deliver: mailer(config) });
    await retryPending(config.mail);
    return message;
  },
  // Not scheduled by default: run at start-up after the demo is loaded, so the 预警 page and the
  // outbox show the last two weeks' incidents (the injected water outage) instead of waiting for
  // 06:30. A replay: one mail per incident at the end, never one per day. With args {last, mail:
  // false} (a city's own first export): the 14 days up to `last`, recorded only, nothing mailed.
  'hotspots-backfill': async ({ warehouse, config, signal, progress }, args = {}) => {
    const yesterday = new Date(Date.now() + 8 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
    const last = typeof args.last === 'string' ? args.last : yesterday;
    return (await backfillHotspots(warehouse, config, last, 14, { deliver: args.mail === false ? undefined : mailer(config), signal, progress })).message;
  },
  // Nightly: retrain the text models on the history, re-judge the tickets in scope.
  'text-models': async ({ warehouse, config, log }) => {
    const { trainTextModels } = await import('./text/train.js');
    // The suggestions change what stg_tickets counts: the rollup is rebuilt in their transaction.
    const outcome = await trainTextModels(warehouse, config, { log, alongside: () => buildRollups(warehouse, config) });
    await warehouse.checkpoint();
    return outcome.message;
  },
  /**
   * Last month's report into the archive, mailed to the leadership (the 08:00 schedule on the 1st);
   * with args {month, mail: false} a chosen month, archived only (the 报告 page, the first start).
   */
  'monthly-report': async ({ warehouse, config }, args = {}) => {
    const { monthlyReportJob } = await import('../reports/job.js');
    const month = typeof args.month === 'string' ? args.month : undefined;
    const result = await monthlyReportJob(warehouse, config, { month, mail: args.mail !== false });
    return `${result.month}: ${result.files.length} 个文件，邮件${result.delivery ? DELIVERY_WORDS[result.delivery.status] : '未发送 / not mailed'}`;
  },
} satisfies Record<string, Job>;

/** A job's name (the dashboard's 数据 page has a Chinese name for each). */
export type JobName = keyof typeof JOBS;
