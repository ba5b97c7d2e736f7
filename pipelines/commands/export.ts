import { usageError } from '../cli-error.js';
import { exportParquet } from '../export.js';
import { COMMON_HELP, commandConfig, log, openWarehouse, parseCommand, printJson } from './common.js';

const HELP = `hotline export — 导出为按月分区的 Parquet 数据湖
Writes tickets and calls as Hive-style month partitions (tickets/month=YYYY-MM/part_0.parquet),
plus ticket_units, units and categories, for Spark, Trino, ClickHouse or DuckDB elsewhere.
The folder is replaced as a whole.

Usage: hotline export --parquet DIR [--json]
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, { parquet: { type: 'string' } });
  if (values.help) return void process.stdout.write(HELP + '\n');
  if (!values.parquet) throw usageError('--parquet DIR is required');
  const warehouse = await openWarehouse(commandConfig(values));
  try {
    const written = await exportParquet(warehouse, values.parquet);
    if (values.json) printJson(written);
    else for (const w of written) log(`${w.table}: ${w.rows} 行 → ${w.path}`);
  } finally {
    warehouse.close();
  }
}
