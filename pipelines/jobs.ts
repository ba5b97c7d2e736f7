import { dailyHotspots, hourlyIncidents } from './alert-job.js';
import { ingestInbox } from './inbox.js';
import { refreshIfStale, snapshotFolder } from './refresh.js';
import type { Job } from './scheduler.js';
import { currentSnapshot, writeAnalystSnapshot } from './sql-console.js';

/** Every job the service knows, by the name used in the config's job table. */
export const JOBS: Record<string, Job> = {
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
  'hotspots-daily': async ({ warehouse, config }) => dailyHotspots(warehouse, config),
  'incidents-hourly': async ({ warehouse, config }) => hourlyIncidents(warehouse, config),
  // Not scheduled by default: run at start-up after the demo is loaded, so the 预警 page and the
  // outbox show the last two weeks' alerts (the injected water outage) instead of waiting for 06:30.
  'hotspots-backfill': async ({ warehouse, config, signal, progress }) => {
    const day = (offset: number) => new Date(Date.now() + 8 * 3600_000 - offset * 86_400_000).toISOString().slice(0, 10);
    const outcomes: string[] = [];
    for (let back = 14; back >= 1 && !signal.aborted; back--) {
      const d = day(back);
      progress({ step: `hotspots ${d}` });
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
  /**
   * Last month's report into the archive, mailed to the leadership (the 08:00 schedule on the 1st);
   * with args {month, mail: false} a chosen month, archived only (the 报告 page, the first start).
   */
  'monthly-report': async ({ warehouse, config }, args = {}) => {
    const { monthlyReportJob } = await import('../reports/job.js');
    const month = typeof args.month === 'string' ? args.month : undefined;
    const result = await monthlyReportJob(warehouse, config, { month, mail: args.mail !== false });
    return `${result.month}: ${result.files.length} 个文件，邮件 ${result.delivery?.status ?? '未发送 / not mailed'}`;
  },
};
