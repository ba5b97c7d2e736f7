import { usageError } from '../cli-error.js';
import { backfillHotspots } from '../alert-job.js';
import { deliver } from '../mail/send.js';
import { COMMON_HELP, commandConfig, log, openWarehouse, parseCommand, printJson } from './common.js';

const HELP = `hotline hotspots — 运行热点预警：逐日检验各序列、检测地址集中突发与一周集中，合并为预警事件并记录
Judges a day (default: yesterday, Beijing time) or each of the last N days ending on it (a
backfill) for every series, for bursts at one place (hours) and for weeks at one place far above
its month before, groups the alarms into incidents and records them. Mails go out only with
--notify, one per incident that needs one (a new incident, or one whose excess has doubled since
its last mail), after all days are judged.

Usage: hotline hotspots [--day YYYY-MM-DD] [--days N] [--notify] [--json]
  --day D     the last day to judge (default: yesterday)
  --days N    judge the N days ending on --day (default 1)
  --notify    mail the incidents that need it (SMTP, or .eml files in the outbox)
  --json      the run as JSON: days, incidents, mails and the time each step took (ms)
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, { day: { type: 'string' }, days: { type: 'string' }, notify: { type: 'boolean', default: false } });
  if (values.help) return void process.stdout.write(HELP + '\n');
  const last = values.day ?? new Date(Date.now() + 8 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(last) || Number.isNaN(Date.parse(last))) throw usageError('--day takes YYYY-MM-DD');
  const count = values.days === undefined ? 1 : Number(values.days);
  if (!Number.isInteger(count) || count < 1 || count > 400) throw usageError('--days takes a whole number from 1 to 400');
  const config = commandConfig(values);
  const warehouse = await openWarehouse(config);
  try {
    const run = await backfillHotspots(warehouse, config, last, count, { deliver: values.notify ? (message, to) => deliver(message, to, config.mail) : undefined });
    if (values.json) printJson(run);
    else log(run.message);
  } finally {
    warehouse.close();
  }
}
