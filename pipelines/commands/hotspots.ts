import { usageError } from '../cli-error.js';
import { dailyHotspots, hourlyIncidents } from '../alert-job.js';
import { COMMON_HELP, commandConfig, log, openWarehouse, parseCommand, printJson } from './common.js';

const HELP = `hotline hotspots — 运行热点预警（按日检验各序列、地址集中突发），记录预警事件并发送邮件
Runs the daily hotspot job for a day (default: yesterday, Beijing time), or for each of the last
N days (a backfill), then the address-burst check for each of those days' evening.

Usage: hotline hotspots [--day YYYY-MM-DD] [--days N] [--json]
${COMMON_HELP}`;

const DAY_MS = 86_400_000;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, { day: { type: 'string' }, days: { type: 'string' } });
  if (values.help) return void process.stdout.write(HELP + '\n');
  const last = values.day ?? new Date(Date.now() + 8 * 3600_000 - DAY_MS).toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(last)) throw usageError('--day takes YYYY-MM-DD');
  const count = values.days === undefined ? 1 : Number(values.days);
  if (!Number.isInteger(count) || count < 1 || count > 400) throw usageError('--days takes a whole number from 1 to 400');
  const config = commandConfig(values);
  const warehouse = await openWarehouse(config);
  const outcomes: { day: string; hotspots: string; incidents: string }[] = [];
  try {
    for (let i = count - 1; i >= 0; i--) {
      const day = new Date(Date.parse(`${last}T00:00:00Z`) - i * DAY_MS).toISOString().slice(0, 10);
      const hotspots = await dailyHotspots(warehouse, config, { day });
      // The burst check looks back six hours; run it at a few points of the day.
      const incidents: string[] = [];
      for (const hour of [6, 12, 18, 24]) incidents.push(await hourlyIncidents(warehouse, config, new Date(Date.parse(`${day}T00:00:00Z`) + (hour - 8) * 3600_000), { surges: false }));
      outcomes.push({ day, hotspots, incidents: incidents.filter((m) => !m.startsWith('skipped')).join('；') || '无' });
      if (!values.json) log(`${hotspots}；集中突发：${outcomes.at(-1)!.incidents}`);
    }
  } finally {
    warehouse.close();
  }
  if (values.json) printJson(outcomes);
}
