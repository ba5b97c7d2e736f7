import type { Config } from '../config.js';
import { sqlFile, type Warehouse } from '../warehouse.js';
import type { LabelledText } from './classifier.js';
import { mapInSlices } from '../off-thread.js';
import { scorePredictions } from './evaluate.js';
import { modelPath, TextModel, type HeldOutMetrics, type TextModelMetrics } from './model.js';
import { suggestTickets, type SuggestOptions } from './suggest.js';
import { UnitRouter, type RoutingCount, type RoutingQuery } from './units.js';

/**
 * The text-model job: trains the category classifiers and the unit router on the warehouse's own
 * history, measures them on held-out tickets, stores the model in the data folder
 * (`models/text-model.json`) and re-suggests the tickets in scope. Scheduled nightly
 * (`text-models`); after each load, `suggestTickets` only judges the new tickets.
 */

export interface TrainOutcome {
  status: 'trained' | 'skipped';
  message: string;
  metrics?: TextModelMetrics;
  path?: string;
}

interface TrainingRow {
  ticket_id: string;
  content: string;
  category_l1: string;
  category_l2: string | null;
  held_out: boolean;
}

type HeldOutRouting = RoutingQuery & { ticket_id: string; content: string | null; unit: string };

export async function trainTextModels(
  warehouse: Warehouse,
  config: Config,
  options: { now?: Date; log?: (message: string) => void; suggest?: boolean } & SuggestOptions = {},
): Promise<TrainOutcome> {
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const rows = await warehouse.all<TrainingRow>(sqlFile('text/training_texts.sql'), { per_class: config.text.perClass, held_out: config.text.heldOut });
  const training = rows.filter((r) => !r.held_out);
  const heldOut = rows.filter((r) => r.held_out);
  const categories = new Set(training.map((r) => r.category_l1));
  if (training.length < 20 || categories.size < 2) {
    return { status: 'skipped', message: `skipped: 有分类的工单太少（${training.length} 条，${categories.size} 个一级分类），暂不训练 / too few categorised tickets to train on` };
  }
  log(`文本模型：训练 ${training.length} 条（${categories.size} 个一级分类），留出 ${heldOut.length} 条 / training the text model`);

  const priors = await categoryPriors(warehouse);
  const asExample = (r: TrainingRow) => ({ text: r.content, label: r.category_l1, l2: r.category_l2, id: r.ticket_id });
  // Trained and calibrated on a worker thread: the service keeps answering meanwhile.
  const { l1, l2, positions } = await TextModel.trainCategoriesOffThread(training.map(asExample), priors, heldOut.map(asExample));
  const trainingSeconds = (performance.now() - started) / 1000;

  const now = options.now ?? new Date();
  const version = now.toISOString();
  const provisional = new TextModel(l1, l2, null, { version, trainedAt: version, dataAsOf: null, metrics: null as never });
  const suggested = await mapInSlices(heldOut, (r) => provisional.suggestCategory(r.content));
  const categoryL1 = heldOutMetrics(suggested.map((s) => s.category_l1), heldOut.map((r) => r.category_l1));
  const withL2 = heldOut.map((r, i) => [r, suggested[i]] as const).filter(([r]) => r.category_l2);
  const categoryL2 = withL2.length ? heldOutMetrics(withL2.map(([, s]) => `${s.category_l1}/${s.category_l2}`), withL2.map(([r]) => `${r.category_l1}/${r.category_l2}`)) : null;

  const counts = await warehouse.all<RoutingCount>(sqlFile('text/routing_counts.sql'));
  const units = counts.length ? UnitRouter.build(counts) : null;
  const unitMetrics = units ? await measureUnits(warehouse, units, provisional) : null;

  const newest = await warehouse.one<{ as_of: string | null }>(`select strftime(max(received_at), '%Y-%m-%d %H:%M:%S') as as_of from tickets`);
  const metrics: TextModelMetrics = { trainingTickets: training.length, trainingSeconds: round(trainingSeconds, 1), categoryL1, categoryL2, units: unitMetrics };
  const model = new TextModel(l1, l2, units, { version, trainedAt: version, dataAsOf: newest?.as_of ?? null, metrics });
  const path = modelPath(config.dataDir);
  model.save(path);
  model.rememberTraining(positions);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  let message =
    `文本模型已训练：${training.length} 条，用时 ${metrics.trainingSeconds} s；留出 ${categoryL1.tickets} 条上一级分类 macro-F1 ${pct(categoryL1.macroF1)}、准确率 ${pct(categoryL1.accuracy)}` +
    (categoryL2 ? `，二级分类准确率 ${pct(categoryL2.accuracy)}` : '') +
    (unitMetrics ? `；承办单位建议准确率 ${pct(unitMetrics.accuracy)}（按分类最常用单位 ${pct(unitMetrics.categoryOnlyAccuracy)}）` : '');
  if (options.suggest !== false) {
    const outcome = await suggestTickets(warehouse, config, model, { alongside: options.alongside });
    message += `；${outcome.message}`;
  }
  return { status: 'trained', message, metrics, path };
}

function heldOutMetrics(predicted: string[], truth: string[]): HeldOutMetrics {
  const scores = scorePredictions(predicted, truth);
  return { tickets: truth.length, macroF1: round(scores.macroF1, 4), accuracy: round(scores.accuracy, 4) };
}

/** Category names as extra labelled texts: for 一级, each 二级 name with its 三级 names; for 二级, its 三级 names. */
async function categoryPriors(warehouse: Warehouse): Promise<{ l1: LabelledText[]; l2: Map<string, LabelledText[]> }> {
  const pairs = await warehouse.all<{ category_l1: string; category_l2: string | null; category_l3_names: string | null }>(sqlFile('text/category_priors.sql'));
  const l1: LabelledText[] = [];
  const l2 = new Map<string, LabelledText[]>();
  for (const l1Name of new Set(pairs.map((p) => p.category_l1))) l1.push({ text: l1Name, label: l1Name });
  for (const p of pairs) {
    const text = [p.category_l2, p.category_l3_names].filter(Boolean).join(' ');
    if (!text) continue;
    l1.push({ text, label: p.category_l1 });
    if (p.category_l2) l2.set(p.category_l1, [...(l2.get(p.category_l1) ?? []), { text, label: p.category_l2 }]);
  }
  return { l1, l2 };
}

/** Unit suggestion on held-out dispatched tickets, next to "the unit most often used for that category". */
async function measureUnits(warehouse: Warehouse, units: UnitRouter, model: TextModel): Promise<NonNullable<TextModelMetrics['units']>> {
  const rows = await warehouse.all<HeldOutRouting>(sqlFile('text/routing_held_out.sql'), { limit: 5000 });
  let right = 0;
  let fromText = 0;
  let baseline = 0;
  await mapInSlices(rows, (row) => {
    if (units.suggest(row)?.unit === row.unit) right++;
    if (units.categoryOnly(row)?.unit === row.unit) baseline++;
    // (a ticket without text — a 311 request often has none — gives the text nothing to go by)
    const guessed = row.content ? model.suggestCategory(row.content) : null;
    if (guessed && units.suggest({ ...row, category_l1: guessed.category_l1, category_l2: guessed.category_l2 })?.unit === row.unit) fromText++;
  });
  const share = (n: number) => (rows.length ? round(n / rows.length, 4) : 0);
  return { tickets: rows.length, accuracy: share(right), fromTextAccuracy: share(fromText), categoryOnlyAccuracy: share(baseline) };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
