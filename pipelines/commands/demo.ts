import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from '../cli-error.js';
import { ingestPaths } from '../ingest/ingest.js';
import { loadProfiles } from '../ingest/profiles.js';
import { ensureHashKey } from '../privacy.js';
import { afterIngest } from '../refresh.js';
import { beijingYesterday } from '../service.js';
import { COMMON_HELP, commandConfig, log, openWarehouse, parseCommand, printJson } from './common.js';
import { printSummaries } from './ingest.js';
import { progressBar } from './progress.js';

const HELP = `hotline demo — 生成昌吉州 12345 演示导出文件，并经正式导入流程装入数据仓库
Writes realistic export files (tickets as GBK CSV per year plus the last month as XLSX, calls as
CSV, the unit directory) and loads them through the real ingest path. Deterministic with --seed.

Usage: hotline demo [--seed N] [--years N] [--per-day N] [--end YYYY-MM-DD] [--out DIR] [--no-load]
  --seed N       random seed (default from config demo.seed: 12345)
  --years N      years of history (default 4)
  --per-day N    mean tickets a day in the last year (default 800)
  --end DATE     last day of history (default: yesterday, Beijing time)
  --out DIR      where the export files go (default: <dataDir>/demo-exports, replaced)
  --no-load      only write the files
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, {
    seed: { type: 'string' },
    years: { type: 'string' },
    'per-day': { type: 'string' },
    end: { type: 'string' },
    out: { type: 'string' },
    'no-load': { type: 'boolean', default: false },
  });
  if (values.help) return void process.stdout.write(HELP + '\n');
  const config = commandConfig(values);
  const whole = (name: string, value: string | undefined, fallback: number, min: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw usageError(`--${name} takes a whole number ≥ ${min}`);
    return n;
  };
  const seed = whole('seed', values.seed, config.demo.seed, 0);
  const years = whole('years', values.years, config.demo.years, 1);
  const perDay = whole('per-day', values['per-day'], config.demo.ticketsPerDay, 10);
  const end = values.end ?? beijingYesterday();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(end) || Number.isNaN(Date.parse(end))) throw usageError(`--end: "${end}" is not a date YYYY-MM-DD`);
  const out = values.out ?? join(config.dataDir, 'demo-exports');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  const { generateDemoExports } = await import('../demo/generate.js');
  const started = Date.now();
  const result = await generateDemoExports({ outDir: out, seed, endDate: end, years, ticketsPerDay: perDay, onProgress: log });
  log(`已生成 ${result.files.length} 个导出文件（${result.tickets} 条工单，${result.calls} 条话务）用时 ${((Date.now() - started) / 1000).toFixed(1)} s → ${out}`);
  if (values['no-load']) {
    if (values.json) printJson(result);
    return;
  }
  const { key } = ensureHashKey(config.keyFile);
  const warehouse = await openWarehouse(config);
  try {
    const bar = progressBar();
    const summaries = await ingestPaths(warehouse, result.files, {
      profiles: loadProfiles(config.ingest.profileDirs),
      key,
      maxFieldBytes: config.ingest.maxFieldBytes,
      onProgress: bar.update,
    });
    bar.done();
    await afterIngest(warehouse, config);
    if (values.json) printJson({ ...result, summaries });
    else printSummaries(summaries);
  } finally {
    warehouse.close();
  }
}
