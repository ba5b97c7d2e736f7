import type { Warehouse } from './warehouse.js';

export interface StatusReport {
  tickets: { count: number; first: string | null; last: string | null };
  calls: number;
  units: number;
  quarantined: number;
  ingestRuns: Record<string, unknown>[];
  jobRuns: Record<string, unknown>[];
}

/** What is in the warehouse and what the pipeline did lately: one read, shared by CLI and web. */
export async function statusReport(warehouse: Warehouse, limit = 20): Promise<StatusReport> {
  const tickets = (await warehouse.one<{ count: number; first: string | null; last: string | null }>(
    `select count(*) as count, min(received_at) as first, max(received_at) as last from tickets`,
  ))!;
  const counts = (await warehouse.one<{ calls: number; units: number; quarantined: number }>(
    `select (select count(*) from calls) as calls, (select count(*) from units) as units, (select count(*) from quarantine) as quarantined`,
  ))!;
  const ingestRuns = await warehouse.all(
    `select run_id, file_name, status, profile, kind, rows_read, loaded, updated, unchanged, quarantined, finished_at, duration_ms, message
     from ingest_runs order by run_id desc limit $limit`,
    { limit },
  );
  const jobRuns = await warehouse.all(
    `select run_id, job, trigger, started_at, finished_at, status, message from job_runs order by run_id desc limit $limit`,
    { limit },
  );
  return { tickets, ...counts, ingestRuns, jobRuns };
}

export async function quarantineRows(warehouse: Warehouse, options: { runId?: number; limit: number }) {
  return warehouse.all(
    `select q.run_id, q.file_name, q.row_number, q.reason, q.record
     from quarantine as q
     where $run is null or q.run_id = $run
     order by q.run_id desc, q.row_number
     limit $limit`,
    { run: options.runId ?? null, limit: options.limit },
  );
}
