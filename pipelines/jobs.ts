import { backfillHotspots, dailyHotspots, hourlyIncidents, type Deliver } from './alert-job.js';
import type { Config } from './config.js';
import { ingestInbox } from './inbox.js';
import { deliver, retryPending } from './mail/send.js';
import type { Job } from './scheduler.js';

/** The service's mail path for the alert jobs: SMTP when configured, else .eml files in the outbox. */
const mailer = (config: Config): Deliver => (message, to) => deliver(message, to, config.mail);

/** Every job the service knows, by the name used in the config's job table. */
export const JOBS: Record<string, Job> = {
  'ingest-inbox': async ({ warehouse, config }) => (await ingestInbox(warehouse, config)).message,
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
  // 06:30. A replay: one mail per incident at the end, never one per day.
  'hotspots-backfill': async ({ warehouse, config }) => {
    const yesterday = new Date(Date.now() + 8 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
    return (await backfillHotspots(warehouse, config, yesterday, 14, { deliver: mailer(config) })).message;
  },
  // Nightly: retrain the text models on the history, re-judge the tickets in scope.
  'text-models': async ({ warehouse, config, log }) => {
    const { trainTextModels } = await import('./text/train.js');
    return (await trainTextModels(warehouse, config, { log })).message;
  },
  'monthly-report': async ({ warehouse, config }) => {
    const { monthlyReportJob } = await import('../reports/job.js');
    const result = await monthlyReportJob(warehouse, config);
    return `${result.month}: ${result.files.length} 个文件，邮件 ${result.delivery.status}`;
  },
};
