import { dailyHotspots, hourlyIncidents } from './alert-job.js';
import { ingestInbox } from './inbox.js';
import type { Job } from './scheduler.js';

/** Every job the service knows, by the name used in the config's job table. */
export const JOBS: Record<string, Job> = {
  'ingest-inbox': async ({ warehouse, config }) => (await ingestInbox(warehouse, config)).message,
  'hotspots-daily': async ({ warehouse, config }) => dailyHotspots(warehouse, config),
  'incidents-hourly': async ({ warehouse, config }) => hourlyIncidents(warehouse, config),
  'monthly-report': async ({ warehouse, config }) => {
    const { monthlyReportJob } = await import('../reports/job.js');
    const result = await monthlyReportJob(warehouse, config);
    return `${result.month}: ${result.files.length} 个文件，邮件 ${result.delivery.status}`;
  },
};
