import { usageError } from '../cli-error.js';
import { COMMON_HELP, commandConfig, openWarehouse, parseCommand, printJson } from './common.js';

const HELP = `hotline topics — 热点问题：把反映同一地点（或同一群体）同一事项的诉求归并，按热度排序
Groups the requests of a period about the same concrete problem (same place or group of people,
same matter) across categories, and ranks the groups by a heat index: people (distinct callers),
repeated requests, readers' likes and dislikes when the export has them, and growth over the last
third of the period.

Usage: hotline topics --from YYYY-MM-DD --to YYYY-MM-DD [--top N] [--no-consultations] [--json]
  --top N   how many issues (default 10)
  --no-consultations  不含咨询：leave out the requests filed as 咨询 (routine questions), so
            that the issues are problems to solve
  --json    an array of {rank, heat, firstDay, lastDay, place, description, count, ticketIds}
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, { from: { type: 'string' }, to: { type: 'string' }, top: { type: 'string' }, 'no-consultations': { type: 'boolean' } });
  if (values.help) return void process.stdout.write(HELP + '\n');
  const day = (name: 'from' | 'to') => {
    const value = values[name];
    if (!value) throw usageError(`topics 需要 --${name} YYYY-MM-DD`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw usageError(`--${name}: "${value}" 不是日期 YYYY-MM-DD / not a date`);
    return value;
  };
  const from = day('from');
  const to = day('to');
  if (from > to) throw usageError(`--from ${from} 晚于 --to ${to} / --from is after --to`);
  const top = values.top === undefined ? 10 : Number(values.top);
  if (!Number.isInteger(top) || top < 1) throw usageError('--top takes a whole number ≥ 1');
  const config = commandConfig(values);
  const warehouse = await openWarehouse(config);
  try {
    const { hotTopics } = await import('../text/topics.js');
    const topics = await hotTopics(warehouse, { from, to, top, consultations: !values['no-consultations'] });
    if (values.json) {
      printJson(topics.map(({ rank, heat, firstDay, lastDay, place, description, count, ticketIds }) => ({ rank, heat, firstDay, lastDay, place, description, count, ticketIds })));
      return;
    }
    if (!topics.length) return void process.stdout.write(`${from} — ${to} 没有热点话题：没有两件以上的诉求同属一事 / no issue of two or more requests in the period\n`);
    for (const t of topics) {
      const reactions = t.likes || t.dislikes ? `，点赞 ${t.likes}、反对 ${t.dislikes}` : '';
      process.stdout.write(
        `${String(t.rank).padStart(2)}. 热度 ${t.heat}  ${t.description}\n` +
          `    ${t.where || '（未识别地点）'} · ${t.count} 件，${t.callers} 人${reactions} · ${t.firstDay} — ${t.lastDay} · ${t.categories.map((c) => `${c.name} ${c.count}`).join('、')}\n`,
      );
    }
  } finally {
    warehouse.close();
  }
}
