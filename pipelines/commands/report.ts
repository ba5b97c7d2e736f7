import { CliError, usageError } from '../cli-error.js';
import { isMonth } from '../kpi.js';
import { COMMON_HELP, commandConfig, commandPath, log, openWarehouse, parseCommand, printJson } from './common.js';

const HELP = `hotline report — 月报与专报（HTML、PDF、Word），写入报告归档
Monthly and special reports for leadership: self-contained HTML, A4 PDF (headless Chromium) and DOCX.

Usage: hotline report monthly --month YYYY-MM [--format html,pdf,docx] [--out DIR] [--json]
       hotline report special --topic NAME --from YYYY-MM-DD --to YYYY-MM-DD [--format …] [--out DIR] [--json]
       hotline report special --hot-topic RANK --from YYYY-MM-DD --to YYYY-MM-DD [--no-consultations] [--format …] [--out DIR] [--json]
       hotline report topics
  --month YYYY-MM    the month of the monthly report (Beijing time)
  --topic NAME       a topic: noise 噪声扰民, heating 供暖, wage-arrears 欠薪, property 物业, water 供水
  --from / --to      first and last day of the special report (both included)
  --hot-topic RANK   the RANK-th hot issue (热点话题) of [--from, --to], as hotline topics ranks it:
                     the report covers exactly its requests over its own first to last day, titled
                     with its description; with --no-consultations, as hotline topics
                     --no-consultations ranks it (the requests filed as 咨询 left out)
  --format LIST      comma-separated formats (default html,pdf,docx)
  --out DIR          folder to write to (default: <dataDir>/reports/monthly or …/special, the archive)
Prints the paths written (one per line), or with --json {"files": [...], "month"|"topic": …}
(a hot issue: also "title" and "tickets", its description and number of requests).
${COMMON_HELP}`;

function formatsFrom(value: string | undefined) {
  const all = ['html', 'pdf', 'docx'] as const;
  if (value === undefined) return [...all];
  const wanted = value.split(',').map((f) => f.trim().toLowerCase()).filter(Boolean);
  for (const format of wanted) if (!(all as readonly string[]).includes(format)) throw usageError(`--format: unknown format "${format}" (html, pdf, docx)`);
  if (!wanted.length) throw usageError('--format needs at least one of html, pdf, docx');
  return [...new Set(wanted)] as (typeof all)[number][];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    { month: { type: 'string' }, topic: { type: 'string' }, 'hot-topic': { type: 'string' }, 'no-consultations': { type: 'boolean' }, from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } },
    true,
  );
  if (values.help) return void process.stdout.write(HELP + '\n');
  const [kind, ...extra] = positionals;
  if (extra.length) throw usageError(`unexpected argument: ${extra[0]}`);
  const { findTopic } = await import('../../reports/topics.js');
  const config = commandConfig(values);
  // Topics are configured (reports.topics in hotline.config.json); the defaults cover noise, heating, wages, property, water.
  const REPORT_TOPICS = config.reports.topics;
  if (kind === 'topics') {
    if (values.json) printJson(REPORT_TOPICS);
    else for (const t of REPORT_TOPICS) process.stdout.write(`${t.name}\t${t.title}\t分类 ${t.categories.join('、')}；关键词 ${t.keywords.join('、')}\n`);
    return;
  }
  if (kind !== 'monthly' && kind !== 'special') throw usageError('which report? hotline report monthly --month YYYY-MM, or hotline report special --topic NAME --from DATE --to DATE');
  const formats = formatsFrom(values.format);
  if (kind === 'monthly') {
    if (values.topic !== undefined || values['hot-topic'] !== undefined || values.from !== undefined || values.to !== undefined) throw usageError('monthly takes --month only (--topic/--hot-topic/--from/--to are for special)');
    if (values.month === undefined) throw usageError('monthly needs --month YYYY-MM');
    if (!isMonth(values.month)) throw usageError(`--month expects a month as YYYY-MM, e.g. 2025-07 (got "${values.month}")`);
  } else {
    if (values.month !== undefined) throw usageError('special takes --from/--to, not --month');
    const hot = values['hot-topic'];
    if (values.topic !== undefined && hot !== undefined) throw usageError('special takes --topic NAME or --hot-topic RANK, not both');
    if (hot !== undefined && !/^[1-9]\d*$/.test(hot)) throw usageError(`--hot-topic expects a rank 1, 2, … as hotline topics prints it (got "${hot}")`);
    if (values.topic === undefined && hot === undefined) throw usageError(`special needs --topic NAME (${REPORT_TOPICS.map((t) => t.name).join(', ')}) or --hot-topic RANK`);
    if (values.topic !== undefined && !findTopic(values.topic, REPORT_TOPICS)) throw usageError(`unknown topic "${values.topic}" (${REPORT_TOPICS.map((t) => `${t.name} ${t.title}`).join(', ')})`);
    for (const [flag, value] of [['--from', values.from], ['--to', values.to]] as const) {
      if (value === undefined) throw usageError(`special needs ${flag} YYYY-MM-DD`);
      if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
        throw usageError(`${flag} expects a date as YYYY-MM-DD (got "${value}")`);
      }
    }
    if (values.to! < values.from!) throw usageError(`--to (${values.to}) is before --from (${values.from})`);
  }
  const { archiveFolder, writeReport, hasChromium, CHROMIUM_PATH } = await import('../../reports/output.js');
  const warehouse = await openWarehouse(config);
  try {
    if (formats.includes('pdf') && !hasChromium()) log(`警告：找不到 ${CHROMIUM_PATH}，无法生成 PDF（apt-get install chromium fonts-noto-cjk）`);
    if (kind === 'monthly') {
      const month = values.month!;
      const { buildMonthlyReport } = await import('../../reports/monthly.js');
      log(`生成 ${month} 月报 …`);
      const report = await buildMonthlyReport(warehouse, month, config);
      const files = await writeReport(report.document, {
        outDir: values.out === undefined ? archiveFolder(config.dataDir, 'monthly') : commandPath(values.out),
        name: month,
        formats: formats.filter((f) => f !== 'pdf' || hasChromium()),
        kind: 'monthly',
        inputs: { month, settings: config.kpi },
        dataAsOf: report.data.dataAsOf,
        html: report.html,
      });
      if (values.json) printJson({ files, month });
      else process.stdout.write(files.join('\n') + '\n');
    } else if (values['hot-topic'] !== undefined) {
      const rank = Number(values['hot-topic']);
      const { buildHotTopicReport } = await import('../../reports/special.js');
      log(`查找 ${values.from} 至 ${values.to} 的第 ${rank} 个热点话题，生成专报 …`);
      const built = await buildHotTopicReport(warehouse, { from: values.from!, to: values.to!, rank, consultations: !values['no-consultations'] }, config);
      if (!built) throw new CliError(`${values.from} 至 ${values.to} 没有第 ${rank} 个热点话题（hotline topics --from ${values.from} --to ${values.to} 列出它们）/ no hot issue of that rank`, 1);
      const files = await writeReport(built.report.document, {
        outDir: values.out === undefined ? archiveFolder(config.dataDir, 'special') : commandPath(values.out),
        name: `${built.topic.name}_${built.from}_${built.to}`,
        formats: formats.filter((f) => f !== 'pdf' || hasChromium()),
        kind: 'special',
        inputs: { hotTopic: { from: values.from, to: values.to, rank, description: built.hot.description, count: built.hot.count }, from: built.from, to: built.to, settings: config.kpi },
        dataAsOf: built.report.data.dataAsOf,
        html: built.report.html,
      });
      if (values.json) printJson({ files, topic: built.topic.name, title: built.topic.title, tickets: built.report.data.summary.received, from: built.from, to: built.to });
      else process.stdout.write(files.join('\n') + '\n');
    } else {
      const topic = findTopic(values.topic!, REPORT_TOPICS)!;
      const { buildSpecialReport } = await import('../../reports/special.js');
      log(`生成${topic.title}专报 ${values.from} 至 ${values.to} …`);
      const report = await buildSpecialReport(warehouse, topic, values.from!, values.to!, config);
      const files = await writeReport(report.document, {
        outDir: values.out === undefined ? archiveFolder(config.dataDir, 'special') : commandPath(values.out),
        name: `${topic.name}_${values.from}_${values.to}`,
        formats: formats.filter((f) => f !== 'pdf' || hasChromium()),
        kind: 'special',
        inputs: { topic, from: values.from, to: values.to, settings: config.kpi },
        dataAsOf: report.data.dataAsOf,
        html: report.html,
      });
      if (values.json) printJson({ files, topic: topic.name, from: values.from, to: values.to });
      else process.stdout.write(files.join('\n') + '\n');
    }
  } finally {
    warehouse.close();
  }
}
