import { usageError } from '../cli-error.js';
import { missingOutlookReason, seasonalOutlook } from '../outlook.js';
import { isMonth } from '../kpi.js';
import { COMMON_HELP, commandConfig, log, openWarehouse, parseCommand, printJson } from './common.js';
import { defaultMonth } from './kpi.js';

const HELP = `hotline outlook — 季节性热点与下月展望（未诉先办）
For each category: the months that run above the yearly mean, whether the season is stable across
years, and next month's expected volume with an interval, as a sentence for reports.

Usage: hotline outlook [--month YYYY-MM] [--level l1|l2] [--limit N] [--json]
  --month   the last complete month (default: the last complete month with data); the outlook is for the month after it
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, { month: { type: 'string' }, level: { type: 'string' }, limit: { type: 'string' } });
  if (values.help) return void process.stdout.write(HELP + '\n');
  if (values.month !== undefined && !isMonth(values.month)) throw usageError(`--month expects a month as YYYY-MM, e.g. 2025-07 (got "${values.month}")`);
  if (values.level && !['l1', 'l2'].includes(values.level)) throw usageError('--level takes l1 or l2');
  const warehouse = await openWarehouse(commandConfig(values));
  try {
    const month = values.month ?? (await defaultMonth(warehouse));
    const level = (values.level as 'l1' | 'l2' | undefined) ?? 'l2';
    const outlooks = await seasonalOutlook(warehouse, month, { level, limit: values.limit ? Number(values.limit) : 15 });
    // Nothing to say is said, not printed as nothing (on stderr: stdout stays data).
    if (!outlooks.length) log(await missingOutlookReason(warehouse, month, { level }));
    if (values.json) return printJson(outlooks);
    for (const o of outlooks) {
      const months = o.highMonths.map((m) => `${m.month}月×${m.index.toFixed(2)}`).join(' ');
      process.stdout.write(`${o.sentence}\n    旺季：${months || '—'}；季节${o.stable ? '稳定' : '不稳定或历史不足'}\n`);
    }
  } finally {
    warehouse.close();
  }
}
