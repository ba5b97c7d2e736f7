import { CliError, usageError } from '../cli-error.js';
import type { ClassifierOptions, LabelledText, Learner } from '../text/classifier.js';
import type { TextTable } from '../text/table.js';
import { COMMON_HELP, commandConfig, log, openWarehouse, parseCommand, printJson } from './common.js';

const HELP = `hotline classify — 诉求文本自动分类与承办单位建议 / request text classification
Subcommands:
  eval --train A.csv --test B.csv --text COLUMN --label COLUMN [--taxonomy FILE] [--learner svm|nb|cnb] [--json]
        trains on A, predicts every row of B (in order); with labels in B also macro-F1 and accuracy.
        Files: CSV (UTF-8 or GBK, with a header), XLSX, JSON or Parquet; --text may join columns
        (--text 留言主题,留言详情). --taxonomy: a category list
        (一级分类, 二级分类, 三级分类 columns, e.g. 附件1.xlsx) whose names teach the classes' words.
        --json prints {"predictions": [...], "macroF1": …, "accuracy": …}.
  train [--json]
        trains the warehouse's text model (一级/二级 category from the text, unit from category and
        place) on its own history, stores it with held-out metrics in <dataDir>/models/, and
        suggests categories and units for the tickets in scope (the nightly job text-models).
  suggest [--json]
        judges the tickets the stored model has not seen yet (runs after every load).
  status [--json]
        the stored model: when trained, on what, and its held-out metrics.
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    process.stdout.write(HELP + '\n');
    if (!sub) throw usageError('classify 需要子命令 eval / train / suggest / status');
    return;
  }
  switch (sub) {
    case 'eval':
      return evaluate(rest);
    case 'train':
    case 'suggest':
    case 'status':
      return warehouseCommand(sub, rest);
    default:
      throw usageError(`未知子命令 / unknown subcommand: classify ${sub}（eval / train / suggest / status）`);
  }
}

async function evaluate(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, {
    train: { type: 'string' },
    test: { type: 'string' },
    text: { type: 'string' },
    label: { type: 'string' },
    taxonomy: { type: 'string' },
    learner: { type: 'string', default: 'svm' },
  });
  if (values.help) return void process.stdout.write(HELP + '\n');
  for (const name of ['train', 'test', 'text', 'label'] as const) if (!values[name]) throw usageError(`classify eval 需要 --${name}`);
  const learner = values.learner as Learner;
  if (!['svm', 'nb', 'cnb'].includes(learner)) throw usageError('--learner takes svm, nb or cnb');
  const { readTextTable, taxonomyPriors } = await import('../text/table.js');
  const { TextClassifier } = await import('../text/classifier.js');
  const { scorePredictions } = await import('../text/evaluate.js');

  const trainPath = values.train!;
  const testPath = values.test!;
  const train = await readTextTable(trainPath);
  const textOf = await textColumns(train, values.text!, trainPath);
  const labelAt = (await import('../text/table.js')).columnIndex(train, values.label!, trainPath);
  const examples: LabelledText[] = [];
  const skipped: number[] = [];
  train.rows.forEach((row, i) => {
    const text = textOf(row);
    const label = row[labelAt].trim();
    if (text && label) examples.push({ text, label });
    else skipped.push(train.lines[i]);
  });
  reportRejected(trainPath, train.rejected);
  if (skipped.length) log(`${trainPath}: ${skipped.length} 行缺文本或标签，未用于训练（行 ${preview(skipped)}）/ rows without text or label skipped`);
  if (new Set(examples.map((e) => e.label)).size < 2) throw usageError(`${trainPath}: 训练数据至少要有两个不同的标签 / the training file needs at least two labels`);

  const test = await readTextTable(testPath);
  const testTextOf = await textColumns(test, values.text!, testPath);
  const testLabelAt = test.headers.indexOf(values.label!);
  reportRejected(testPath, test.rejected);

  const labels = new Set(examples.map((e) => e.label));
  const priors = values.taxonomy ? taxonomyPriors(await readTextTable(values.taxonomy), labels) : [];
  if (values.taxonomy && !priors.length) log(`${values.taxonomy}: 分类表中没有与训练标签相同的一级分类，未使用 / no taxonomy row matches the training labels`);
  const options: Partial<ClassifierOptions> = learner === 'svm' ? {} : { learner, weighting: 'counts', balanced: false };
  const started = performance.now();
  const model = TextClassifier.train(examples, options, priors);
  log(`训练 ${examples.length} 条${priors.length ? `（另有 ${priors.length} 条分类名称先验）` : ''}，用时 ${((performance.now() - started) / 1000).toFixed(2)} s / trained`);
  const predictions = test.rows.map((row) => model.predict(testTextOf(row)).label);

  const result: { predictions: string[]; macroF1?: number; accuracy?: number; labelled?: number } = { predictions };
  let perLabel: Record<string, { f1: number; support: number }> | null = null;
  if (testLabelAt >= 0) {
    const labelled = test.rows.map((row, i) => [row[testLabelAt].trim(), predictions[i]] as const).filter(([truth]) => truth);
    if (labelled.length) {
      const scores = scorePredictions(labelled.map(([, p]) => p), labelled.map(([t]) => t));
      result.macroF1 = round4(scores.macroF1);
      result.accuracy = round4(scores.accuracy);
      perLabel = scores.perLabel;
      if (labelled.length < test.rows.length) {
        result.labelled = labelled.length;
        log(`${testPath}: ${test.rows.length - labelled.length} 行没有标签，只在 ${labelled.length} 行上计算指标 / metrics on the labelled rows only`);
      }
    }
  }
  if (values.json) return printJson(result);
  if (perLabel) {
    const width = Math.max(...Object.keys(perLabel).map((l) => l.length));
    for (const [label, { f1, support }] of Object.entries(perLabel)) process.stdout.write(`${label.padEnd(width + 2, '\u3000')}F1 ${f1.toFixed(3)}  (${support})\n`);
    process.stdout.write(`macro-F1 ${result.macroF1!.toFixed(4)}  accuracy ${result.accuracy!.toFixed(4)}  (${testLabelAt >= 0 ? (result.labelled ?? test.rows.length) : 0} 行 / rows)\n`);
  } else {
    for (const p of predictions) process.stdout.write(p + '\n');
  }
}

/** --text names one column, or several joined by commas (e.g. 留言主题,留言详情: title and body). */
async function textColumns(table: TextTable, spec: string, path: string): Promise<(row: string[]) => string> {
  const { columnIndex } = await import('../text/table.js');
  const names = table.headers.includes(spec) ? [spec] : spec.split(',').map((s) => s.trim());
  const indexes = names.map((name) => columnIndex(table, name, path));
  return (row) => indexes.map((i) => row[i].trim()).filter(Boolean).join('：');
}

function reportRejected(path: string, rejected: { row: number; reason: string }[]): void {
  if (!rejected.length) return;
  log(`${path}: ${rejected.length} 条记录无法读取，已跳过 / unreadable records skipped:`);
  for (const r of rejected.slice(0, 5)) log(`  第 ${r.row} 行 / line ${r.row}: ${r.reason}`);
}

function preview(lines: number[]): string {
  return lines.length > 8 ? `${lines.slice(0, 8).join(', ')} …` : lines.join(', ');
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

async function warehouseCommand(sub: 'train' | 'suggest' | 'status', argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, {});
  if (values.help) return void process.stdout.write(HELP + '\n');
  const config = commandConfig(values);
  if (sub === 'status') {
    const { loadTextModel, modelPath } = await import('../text/model.js');
    const model = loadTextModel(config.dataDir);
    if (!model) throw new CliError(`还没有文本模型（${modelPath(config.dataDir)}）；先运行 hotline classify train / no text model yet`);
    if (values.json) return printJson(model.info);
    const m = model.info.metrics;
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    process.stdout.write(
      [
        `训练时间 trained: ${model.info.trainedAt}（数据截至 data as of ${model.info.dataAsOf ?? '—'}）`,
        `训练样本 training tickets: ${m.trainingTickets}，用时 ${m.trainingSeconds} s`,
        `一级分类 (留出 ${m.categoryL1.tickets} 条): macro-F1 ${pct(m.categoryL1.macroF1)}, accuracy ${pct(m.categoryL1.accuracy)}`,
        m.categoryL2 ? `二级分类 (留出 ${m.categoryL2.tickets} 条): macro-F1 ${pct(m.categoryL2.macroF1)}, accuracy ${pct(m.categoryL2.accuracy)}` : '二级分类: —',
        m.units
          ? `承办单位 (留出 ${m.units.tickets} 条): 分类+地点 ${pct(m.units.accuracy)}，文本+地点 ${pct(m.units.fromTextAccuracy)}，按分类最常用单位 ${pct(m.units.categoryOnlyAccuracy)}`
          : '承办单位: —',
      ].join('\n') + '\n',
    );
    return;
  }
  const warehouse = await openWarehouse(config);
  // The suggestions change what stg_tickets counts: the rollup is rebuilt in their transaction.
  const { buildRollups } = await import('../rollups.js');
  try {
    if (sub === 'train') {
      const { trainTextModels } = await import('../text/train.js');
      const outcome = await trainTextModels(warehouse, config, { log, alongside: () => buildRollups(warehouse, config) });
      if (values.json) return printJson(outcome);
      process.stdout.write(outcome.message + '\n');
    } else {
      const { suggestTickets } = await import('../text/suggest.js');
      const outcome = await suggestTickets(warehouse, config, undefined, { alongside: () => buildRollups(warehouse, config) });
      if (values.json) return printJson(outcome);
      process.stdout.write(outcome.message + '\n');
    }
  } finally {
    warehouse.close();
  }
}
