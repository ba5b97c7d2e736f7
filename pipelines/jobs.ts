import { dailyHotspots, hourlyIncidents } from './alert-job.js';
import { ingestInbox } from './inbox.js';
import type { Job } from './scheduler.js';

/** Every job the service knows, by the name used in the config's job table. */
export const JOBS: Record<string, Job> = {
  'ingest-inbox': async ({ warehouse, config }) => (await ingestInbox(warehouse, config)).message,
  'hotspots-daily': async ({ warehouse, config }) => dailyHotspots(warehouse, config),
  'incidents-hourly': async ({ warehouse, config }) => hourlyIncidents(warehouse, config),
  // Not scheduled by default: run at start-up after the demo is loaded, so the 预警 page and the
  // outbox show the last two weeks' alerts (the injected water outage) instead of waiting for 06:30.
  'hotspots-backfill': async ({ warehouse, config }) => {
    const day = (offset: number) => new Date(Date.now() + 8 * 3600_000 - offset * 86_400_000).toISOString().slice(0, 10);
    const outcomes: string[] = [];
    for (let back = 14; back >= 1; back--) {
      const d = day(back);
      outcomes.push(await dailyHotspots(warehouse, config, { day: d }));
      for (const hour of [6, 12, 18, 24]) await hourlyIncidents(warehouse, config, new Date(Date.parse(`${d}T00:00:00Z`) + (hour - 8) * 3600_000), { surges: false });
    }
    return outcomes.filter((o) => !/告警 0 个/.test(o)).join('；') || '最近 14 天没有告警';
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
