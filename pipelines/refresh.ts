import { join } from 'node:path';
import type { Config } from './config.js';
import { writeAnalystSnapshot } from './sql-console.js';
import type { Warehouse } from './warehouse.js';

export function snapshotFolder(config: Config): string {
  return join(config.dataDir, 'snapshots');
}

/** What runs after new data lands: the summary tables behind every monthly view, and the analysts' snapshot. */
export async function afterIngest(warehouse: Warehouse, config: Config): Promise<void> {
  try {
    const { refreshRollups } = await import('./rollups.js');
    await refreshRollups(warehouse, config);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
  }
  await warehouse.checkpoint();
  await writeAnalystSnapshot(warehouse, snapshotFolder(config));
}
