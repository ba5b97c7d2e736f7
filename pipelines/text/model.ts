import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TextClassifier, type ClassifierOptions, type ClassifierState, type LabelledText, type TrainedClassifier } from './classifier.js';
import { runOffThread } from '../off-thread.js';
import { UnitRouter, type RoutingQuery, type UnitRouterState, type UnitSuggestion } from './units.js';

/**
 * The text model of one warehouse: 一级 category from the text, 二级 within the predicted 一级
 * (one small classifier per 一级, so training cost grows with the number of categories, not its
 * square), and the unit router. Stored as one JSON file in the data folder, with the held-out
 * metrics of the run that trained it.
 */

export interface CategorySuggestion {
  category_l1: string;
  category_l2: string | null;
  /** P(一级) × P(二级 | 一级). */
  confidence: number;
  l1Confidence: number;
}

export interface HeldOutMetrics {
  /** Tickets the metrics were computed on (never seen in training). */
  tickets: number;
  macroF1: number;
  accuracy: number;
}

export interface TextModelMetrics {
  trainingTickets: number;
  trainingSeconds: number;
  categoryL1: HeldOutMetrics;
  categoryL2: HeldOutMetrics | null;
  units: {
    tickets: number;
    /** Router with the operator's category and the ticket's place. */
    accuracy: number;
    /** Router with the category predicted from the text, and the place: text + place → unit. */
    fromTextAccuracy: number;
    /** The unit most often used for the operator's category, ignoring the place. */
    categoryOnlyAccuracy: number;
  } | null;
}

export interface TextModelFile {
  version: string;
  trainedAt: string;
  /** Newest ticket the model saw (received_at). */
  dataAsOf: string | null;
  metrics: TextModelMetrics;
  l1: EncodedClassifier;
  l2: Record<string, EncodedClassifier | { only: string }>;
  units: UnitRouterState | null;
}

type EncodedClassifier = Omit<ClassifierState, 'weights' | 'bias'> & { weights: string; bias: string };

/** Where a training ticket sits in the training sets of the 一级 model and of its 一级's 二级 model. */
interface TrainingPosition {
  l1: number;
  l2: number | null;
}

type CategoryExample = LabelledText & { l2: string | null; id?: string };
type CategoryPriors = { l1: LabelledText[]; l2: Map<string, LabelledText[]> };

/** TextModel.trainCategories as plain data (structured-clonable): what a worker thread sends back. */
interface TrainedCategories {
  l1: TrainedClassifier;
  l2: [string, TrainedClassifier | string][];
  positions: Map<string, TrainingPosition>;
}

/** Trains both levels and calibrates each on the held-out texts (`heldOut`: 一级 label and 二级). */
export function trainedCategories(examples: readonly CategoryExample[], priors: CategoryPriors, heldOut: readonly CategoryExample[], options: Partial<ClassifierOptions> = {}): TrainedCategories {
  const { l1, l2, positions } = TextModel.trainCategories(examples, priors, options);
  // Calibration only rescales confidences; it changes no prediction.
  l1.calibrate(heldOut);
  for (const [label, sub] of l2) {
    if (typeof sub !== 'string') sub.calibrate(heldOut.filter((e) => e.label === label && e.l2).map((e) => ({ text: e.text, label: e.l2! })));
  }
  return { l1: l1.toTrained(), l2: [...l2].map(([label, sub]) => [label, typeof sub === 'string' ? sub : sub.toTrained()]), positions };
}

export class TextModel {
  /** Training tickets by id, right after training (not stored): judged as if unseen. */
  private training = new Map<string, TrainingPosition>();

  constructor(
    readonly l1: TextClassifier,
    readonly l2: Map<string, TextClassifier | string>,
    readonly units: UnitRouter | null,
    readonly info: { version: string; trainedAt: string; dataAsOf: string | null; metrics: TextModelMetrics },
  ) {}

  /** Trains the two category levels (the unit router is built separately from routing counts). */
  static trainCategories(examples: readonly CategoryExample[], priors: CategoryPriors, options: Partial<ClassifierOptions> = {}) {
    const l1 = TextClassifier.train(examples, options, priors.l1);
    const l2 = new Map<string, TextClassifier | string>();
    const positions = new Map<string, TrainingPosition>();
    examples.forEach((e, i) => e.id !== undefined && positions.set(e.id, { l1: i, l2: null }));
    for (const label of l1.labels) {
      const members = examples.filter((e) => e.label === label && e.l2);
      const subLabels = new Set(members.map((e) => e.l2!));
      if (subLabels.size === 1) l2.set(label, [...subLabels][0]);
      else if (subLabels.size > 1) {
        l2.set(label, TextClassifier.train(members.map((e) => ({ text: e.text, label: e.l2! })), options, (priors.l2.get(label) ?? []).filter((p) => subLabels.has(p.label))));
        members.forEach((e, i) => e.id !== undefined && (positions.get(e.id)!.l2 = i));
      }
    }
    return { l1, l2, positions };
  }

  /**
   * trainCategories on a worker thread, so that the service keeps answering: training on 80,000
   * tickets computes for 20–50 s. Each level is calibrated on `heldOut` there too; the classifiers
   * come back as plain data (trainedCategories).
   */
  static async trainCategoriesOffThread(examples: readonly CategoryExample[], priors: CategoryPriors, heldOut: readonly CategoryExample[], options: Partial<ClassifierOptions> = {}) {
    const trained = await runOffThread<TrainedCategories>(new URL(import.meta.url), 'trainedCategories', [examples, priors, heldOut, options]);
    const l2 = new Map<string, TextClassifier | string>(trained.l2.map(([label, sub]) => [label, typeof sub === 'string' ? sub : TextClassifier.fromTrained(sub)]));
    return { l1: TextClassifier.fromTrained(trained.l1), l2, positions: trained.positions };
  }

  /** Remembers where the training tickets are, so that judging them leaves each one out. */
  rememberTraining(positions: Map<string, TrainingPosition>): void {
    this.training = positions;
  }

  /** The categories the text suggests; for a ticket the model trained on, as if it had not. */
  suggestCategory(text: string, ticketId?: string): CategorySuggestion & { l1Probabilities: Float64Array } {
    const position = ticketId === undefined ? undefined : this.training.get(ticketId);
    const l1Probabilities = (position && this.l1.heldOutProbabilities(text, position.l1)) ?? this.l1.probabilities(text);
    let best = 0;
    for (let c = 1; c < l1Probabilities.length; c++) if (l1Probabilities[c] > l1Probabilities[best]) best = c;
    const category_l1 = this.l1.labels[best];
    const l1Confidence = l1Probabilities[best];
    const sub = this.l2.get(category_l1);
    if (sub === undefined) return { category_l1, category_l2: null, confidence: l1Confidence, l1Confidence, l1Probabilities };
    if (typeof sub === 'string') return { category_l1, category_l2: sub, confidence: l1Confidence, l1Confidence, l1Probabilities };
    const p = sub.predict(text);
    return { category_l1, category_l2: p.label, confidence: l1Confidence * p.confidence, l1Confidence, l1Probabilities };
  }

  /** The probability of the operator's 二级 given its 一级, by that 一级's classifier (leaving the ticket out when it trained on it). */
  l2ProbabilityOf(text: string, l1: string, l2: string, ticketId?: string): number | null {
    const sub = this.l2.get(l1);
    if (sub === undefined) return null;
    if (typeof sub === 'string') return sub === l2 ? 1 : 0;
    const position = ticketId === undefined ? undefined : this.training.get(ticketId);
    const own = position && position.l2 !== null ? sub.heldOutProbabilities(text, position.l2) : null;
    return sub.probabilityOf(own ?? sub.probabilities(text), l2);
  }

  suggestUnit(query: RoutingQuery): UnitSuggestion | null {
    return this.units?.suggest(query) ?? null;
  }

  save(path: string): void {
    const encode = (c: TextClassifier): EncodedClassifier => {
      const state = c.toState();
      return { ...state, weights: base64(state.weights), bias: base64(state.bias) };
    };
    const file: TextModelFile = {
      ...this.info,
      l1: encode(this.l1),
      l2: Object.fromEntries([...this.l2].map(([k, v]) => [k, typeof v === 'string' ? { only: v } : encode(v)])),
      units: this.units?.toState() ?? null,
    };
    mkdirSync(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(file));
    renameSync(temp, path);
  }

  static load(path: string): TextModel {
    const file = JSON.parse(readFileSync(path, 'utf8')) as TextModelFile;
    const decode = (e: EncodedClassifier) => TextClassifier.restore({ ...e, weights: float32(e.weights), bias: float32(e.bias) });
    const l2 = new Map<string, TextClassifier | string>(Object.entries(file.l2).map(([k, v]) => [k, 'only' in v ? v.only : decode(v)]));
    return new TextModel(decode(file.l1), l2, file.units ? UnitRouter.restore(file.units) : null, { version: file.version, trainedAt: file.trainedAt, dataAsOf: file.dataAsOf, metrics: file.metrics });
  }
}

function base64(array: Float32Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

function float32(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

export function modelPath(dataDir: string): string {
  return join(dataDir, 'models', 'text-model.json');
}

const cache = new Map<string, { mtimeMs: number; model: TextModel }>();

/** The stored model of a data folder (read once per file change), or null before the first training. */
export function loadTextModel(dataDir: string): TextModel | null {
  const path = modelPath(dataDir);
  if (!existsSync(path)) return null;
  const { mtimeMs } = statSync(path);
  const hit = cache.get(path);
  if (hit && hit.mtimeMs === mtimeMs) return hit.model;
  const model = TextModel.load(path);
  cache.set(path, { mtimeMs, model });
  return model;
}
