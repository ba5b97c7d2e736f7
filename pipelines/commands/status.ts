import { usageError } from '../cli-error.js';
import { quarantineRows, statusReport } from '../status.js';
import { COMMON_HELP, commandConfig, openWarehouse, parseCommand, printJson } from './common.js';

const HELP = `hotline status — 仓库概况、最近的导入与任务、隔离行
Usage: hotline status [--quarantine [--run N] [--limit N]] [--json]
  --quarantine   list quarantined rows with their reasons (newest runs first)
  --run N        only rows of ingest run N
  --limit N      at most N rows (default 50)
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, { quarantine: { type: 'boolean', default: false }, run: { type: 'string' }, limit: { type: 'string' } });
  if (values.help) return void process.stdout.write(HELP + '\n');
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw usageError('--limit takes a whole number ≥ 1');
  const runId = values.run === undefined ? undefined : Number(values.run);
  if (runId !== undefined && !Number.isInteger(runId)) throw usageError('--run takes an ingest run number');
  const warehouse = await openWarehouse(commandConfig(values));
  try {
    if (values.quarantine) {
      const rows = await quarantineRows(warehouse, { runId, limit });
      if (values.json) return printJson(rows);
      if (!rows.length) return void process.stdout.write('没有隔离行 / no quarantined rows\n');
      for (const row of rows) process.stdout.write(`#${row.run_id} ${row.file_name} 第 ${row.row_number} 行: ${row.reason}\n    ${String(row.record).slice(0, 300)}\n`);
      return;
    }
    const report = await statusReport(warehouse, limit);
    if (values.json) return printJson(report);
    const t = report.tickets;
    process.stdout.write(
      `工单 tickets: ${t.count}（${t.first ?? '—'} … ${t.last ?? '—'}）  话务 calls: ${report.calls}  单位 units: ${report.units}  隔离 quarantined: ${report.quarantined}\n\n最近导入 / ingest runs:\n`,
    );
    for (const r of report.ingestRuns) {
      process.stdout.write(`  #${r.run_id} ${r.status} ${r.file_name} [${r.profile ?? '—'}/${r.kind ?? '—'}] +${r.loaded} ~${r.updated} =${r.unchanged} !${r.quarantined}${r.message ? '  ' + String(r.message).slice(0, 120) : ''}\n`);
    }
    process.stdout.write('\n定时任务 / job runs:\n');
    for (const r of report.jobRuns) process.stdout.write(`  #${r.run_id} ${r.job} ${r.trigger} ${r.started_at} ${r.status} ${r.message ?? ''}\n`);
  } finally {
    warehouse.close();
  }
}
