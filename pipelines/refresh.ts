import { join } from 'node:path';
import type { Config } from './config.js';
import { rollupStatus } from './kpi.js';
import { refreshRollups } from './rollups.js';
import { snapshotIsCurrent, writeAnalystSnapshot } from './sql-console.js';
import { suggestTickets } from './text/suggest.js';
import type { Warehouse } from './warehouse.js';

export function snapshotFolder(config: Config): string {
  return join(config.dataDir, 'snapshots');
}

/** What runs after new data lands: the summary tables behind every monthly view, and the analysts' snapshot. */
export async function afterIngest(warehouse: Warehouse, config: Config): Promise<void> {
  // The new tickets get the stored text model's suggestions (cheap; retraining is the nightly job)
  // first: stg_tickets takes a missing category from them, so the rollups must see them.
  await suggestTickets(warehouse, config);
  await refreshRollups(warehouse, config);
  await warehouse.checkpoint();
  await writeAnalystSnapshot(warehouse, snapshotFolder(config));
}

/**
 * Rebuilds whatever is behind the data: the rollup when it no longer matches the tickets (or was
 * never built, as on an empty warehouse, so the pages can answer), the analysts' snapshot when it
 * is missing or older than the last load or alarm. Run on every inbox tick, whatever the inbox
 * holds, so an interrupted or failed refresh mends itself. Returns what it rebuilt, in words.
 */
export async function refreshIfStale(warehouse: Warehouse, config: Config): Promise<string[]> {
  const done: string[] = [];
  if (!(await rollupStatus(warehouse, config.kpi)).usable) {
    await refreshRollups(warehouse, config);
    done.push('汇总表已重建 / rollup rebuilt');
  }
  const folder = snapshotFolder(config);
  if (!(await snapshotIsCurrent(warehouse, folder))) {
    await writeAnalystSnapshot(warehouse, folder);
    done.push('分析快照已更新 / analyst snapshot written');
  }
  if (done.length) await warehouse.checkpoint();
  return done;
}
