import { join } from 'node:path';
import type { Config } from './config.js';
import { refreshRollups } from './rollups.js';
import { writeAnalystSnapshot } from './sql-console.js';
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
