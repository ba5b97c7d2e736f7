import { DEFAULT_FEATURES, normaliseText, textFeatures, Vocabulary, type FeatureOptions, type SparseVector } from './features.js';

/**
 * A text classifier for request categories, trained from labelled texts in one call.
 *
 * The default (chosen by `npm run bench:classify` on the 495 labelled messages of the 2020
 * message-board challenge, see README): character 1–2-grams plus jieba words, TF-IDF without
 * sublinear damping, L2-normalised; a one-vs-rest linear SVM (L2-regularised squared hinge, dual
 * coordinate descent as in LIBLINEAR) with class-balanced costs, so small categories are not
 * drowned by the big ones. Multinomial and complement naive Bayes remain as learners for
 * comparison (`--learner nb|cnb`). Scores become probabilities by a softmax whose temperature is
 * fitted on held-out texts (`calibrate`).
 */

export type Learner = 'svm' | 'nb' | 'cnb';
export type Weighting = 'tfidf' | 'counts';

export interface ClassifierOptions {
  features: FeatureOptions;
  learner: Learner;
  weighting: Weighting;
  /** 1 + log(tf) instead of tf (measured: worse on the message board, so off). */
  sublinear: boolean;
  /** Weigh each class's examples by n / (classes × class size). */
  balanced: boolean;
  /** SVM cost (inverse regularisation). */
  cost: number;
  /** NB additive smoothing. */
  alpha: number;
  /** Drop features seen in fewer training documents than this. */
  minCount: number;
  /** SVM passes over the data at most (it usually stops earlier, at LIBLINEAR's tolerance). */
  epochs: number;
  /** Seed of the SVM's visiting order (training is deterministic). */
  seed: number;
}

export const DEFAULT_CLASSIFIER: ClassifierOptions = {
  features: DEFAULT_FEATURES,
  learner: 'svm',
  weighting: 'tfidf',
  sublinear: false,
  balanced: true,
  cost: 0.5,
  alpha: 0.1,
  minCount: 1,
  epochs: 50,
  seed: 1,
};

export interface LabelledText {
  text: string;
  label: string;
}

export interface Prediction {
  label: string;
  /** Calibrated probability of `label` (0–1). */
  confidence: number;
}

/** What a trained classifier is made of, as stored in the model file. */
export interface ClassifierState {
  options: ClassifierOptions;
  labels: string[];
  features: number[];
  documentFrequency: number[];
  documents: number;
  /** Weights feature-major: weights[column × classes + class]; then one bias per class. */
  weights: Float32Array;
  bias: Float32Array;
  /** Softmax temperature applied to the scores (fitted by `calibrate`). */
  temperature: number;
}

/** A freshly trained classifier as plain data: its state and each training example's own share of its scores. */
export interface TrainedClassifier {
  state: ClassifierState;
  ownShare: Float32Array | null;
}

export class TextClassifier {
  private readonly vocabulary: Vocabulary;
  private readonly idf: Float32Array | null;

  /** Per training example (in the order given to train) and class: its own share of its score; not stored. */
  private ownShare: Float32Array | null = null;

  private constructor(private readonly state: ClassifierState) {
    this.vocabulary = Vocabulary.restore(state.features, state.documentFrequency, state.documents);
    this.idf = state.options.weighting === 'tfidf' ? this.vocabulary.inverseDocumentFrequency() : null;
  }

  get labels(): readonly string[] {
    return this.state.labels;
  }

  get options(): ClassifierOptions {
    return this.state.options;
  }

  /**
   * Trains on `examples`; `priors` are extra labelled texts from outside the tickets (category
   * names, the reference taxonomy's sub-category names) that teach the words of a class the
   * examples may lack.
   */
  static train(examples: readonly LabelledText[], options: Partial<ClassifierOptions> = {}, priors: readonly LabelledText[] = []): TextClassifier {
    const opts: ClassifierOptions = { ...DEFAULT_CLASSIFIER, ...options };
    const all = [...examples, ...priors];
    if (!examples.length) throw new Error('没有可训练的样本 / no training examples');
    const labels = [...new Set(all.map((e) => e.label))].sort();
    const classOf = new Map(labels.map((l, i) => [l, i]));
    const target = Int32Array.from(all, (e) => classOf.get(e.label)!);
    const bags = all.map((e) => textFeatures(normaliseText(e.text), opts.features));
    const vocabulary = Vocabulary.build(bags, opts.minCount);
    const idf = opts.weighting === 'tfidf' ? vocabulary.inverseDocumentFrequency() : null;
    const vectors = bags.map((bag) => weigh(vocabulary.counts(bag), idf, opts));
    const dim = vocabulary.size;
    const K = labels.length;
    const { weights, bias, ownShare } = K === 1 ? { weights: new Float32Array(dim), bias: new Float32Array(1), ownShare: undefined } : LEARNERS[opts.learner](vectors, target, K, dim, opts);
    const features = new Array<number>(dim);
    for (const [feature, column] of vocabulary.columns) features[column] = feature;
    const model = new TextClassifier({ options: opts, labels, features, documentFrequency: [...vocabulary.documentFrequency], documents: vocabulary.documents, weights, bias, temperature: opts.learner === 'svm' ? 5 : 1 });
    model.ownShare = ownShare ?? null;
    return model;
  }

  static restore(state: ClassifierState): TextClassifier {
    return new TextClassifier(state);
  }

  toState(): ClassifierState {
    return this.state;
  }

  /** The classifier as plain data, with what it knows of its own training examples (for a worker thread). */
  toTrained(): TrainedClassifier {
    return { state: this.state, ownShare: this.ownShare };
  }

  static fromTrained(trained: TrainedClassifier): TextClassifier {
    const model = new TextClassifier(trained.state);
    model.ownShare = trained.ownShare;
    return model;
  }

  /** The weighted sparse vector of a text, as the model sees it. */
  vectorOf(text: string): SparseVector {
    return weigh(this.vocabulary.counts(textFeatures(normaliseText(text), this.state.options.features)), this.idf, this.state.options);
  }

  /** Raw class scores (higher is more likely). */
  scores(text: string): Float64Array {
    const { weights, bias, labels } = this.state;
    const K = labels.length;
    const x = this.vectorOf(text);
    const out = Float64Array.from(bias);
    for (let i = 0; i < x.ids.length; i++) {
      const v = x.values[i];
      const row = x.ids[i] * K;
      for (let c = 0; c < K; c++) out[c] += v * weights[row + c];
    }
    return out;
  }

  /** Class probabilities (softmax of the scores at the calibrated temperature). */
  probabilities(text: string): Float64Array {
    return softmax(this.scores(text), this.state.temperature);
  }

  /**
   * The probabilities of training example `index` as if the model had not seen it (its own share
   * of its scores taken away). A linear model can learn a mis-filed ticket by heart; judged this
   * way the ticket's text speaks only through the other tickets. Null after a restore.
   */
  heldOutProbabilities(text: string, index: number): Float64Array | null {
    if (!this.ownShare) return null;
    const K = this.state.labels.length;
    const scores = this.scores(text);
    for (let c = 0; c < K; c++) scores[c] -= this.ownShare[index * K + c];
    return softmax(scores, this.state.temperature);
  }

  predict(text: string): Prediction {
    const p = this.probabilities(text);
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
    return { label: this.state.labels[best], confidence: p[best] };
  }

  /** Probability of one label (0 when the model never saw it). */
  probabilityOf(probabilities: Float64Array, label: string): number {
    const index = this.state.labels.indexOf(label);
    return index < 0 ? 0 : probabilities[index];
  }

  /**
   * Fits the softmax temperature on held-out labelled texts (minimum log loss over a grid), so
   * that "90 % confident" means right about 90 % of the time.
   */
  calibrate(heldOut: readonly LabelledText[]): number {
    const known = heldOut.filter((e) => this.state.labels.includes(e.label));
    if (known.length < 20 || this.state.labels.length < 2) return this.state.temperature;
    const scored = known.map((e) => ({ scores: this.scores(e.text), target: this.state.labels.indexOf(e.label) }));
    let best = this.state.temperature;
    let bestLoss = Infinity;
    for (let t = 0.25; t <= 64; t *= 1.15) {
      let loss = 0;
      for (const { scores, target } of scored) loss -= Math.log(Math.max(1e-12, softmax(scores, t)[target]));
      if (loss < bestLoss) [best, bestLoss] = [t, loss];
    }
    this.state.temperature = best;
    return best;
  }
}

export function softmax(scores: Float64Array, temperature: number): Float64Array {
  let max = -Infinity;
  for (const s of scores) max = Math.max(max, s);
  const out = new Float64Array(scores.length);
  let sum = 0;
  for (let c = 0; c < scores.length; c++) sum += out[c] = Math.exp((scores[c] - max) * temperature);
  for (let c = 0; c < scores.length; c++) out[c] /= sum;
  return out;
}

function weigh(counts: SparseVector, idf: Float32Array | null, options: ClassifierOptions): SparseVector {
  const values = new Float32Array(counts.values.length);
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    let v = counts.values[i];
    if (options.sublinear) v = 1 + Math.log(v);
    if (idf) v *= idf[counts.ids[i]];
    values[i] = v;
    squares += v * v;
  }
  // Naive Bayes counts words; only the tf-idf linear model wants unit-length documents.
  if (options.weighting === 'tfidf' && squares > 0) {
    const r = 1 / Math.sqrt(squares);
    for (let i = 0; i < values.length; i++) values[i] *= r;
  }
  return { ids: counts.ids, values };
}

type Fit = (x: SparseVector[], y: Int32Array, classes: number, dim: number, options: ClassifierOptions) => { weights: Float32Array; bias: Float32Array; ownShare?: Float32Array };

/**
 * One-vs-rest L2-loss linear SVM by dual coordinate descent with shrinking (Hsieh et al., ICML
 * 2008; LIBLINEAR's solver 1): each step solves one example's dual variable exactly; examples
 * that are clearly on the right side drop out of the active set, so on easy data later passes
 * touch few of them. Stops when the projected gradients' spread is below 0.1 (LIBLINEAR's default).
 */
const svm: Fit = (x, y, K, dim, options) => {
  const n = x.length;
  // Flattened rows (CSR): one pass over contiguous memory per sweep.
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + x[i].ids.length;
  const columns = new Int32Array(offsets[n]);
  const values = new Float64Array(offsets[n]);
  const squaredNorm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    columns.set(x[i].ids, offsets[i]);
    let s = 1; // the bias is the weight of a constant feature 1
    for (let f = 0; f < x[i].values.length; f++) s += (values[offsets[i] + f] = x[i].values[f]) ** 2;
    squaredNorm[i] = s;
  }
  const size = new Float64Array(K);
  for (const c of y) size[c]++;
  const diagonalOf = Float64Array.from(size, (s) => 0.5 / (options.balanced ? (options.cost * n) / (K * s) : options.cost));
  const weights = new Float32Array(dim * K);
  const bias = new Float32Array(K);
  const w = new Float64Array(dim + 1);
  const alpha = new Float64Array(n);
  const active = new Int32Array(n);
  const epsilon = 0.1;
  // What each training example adds to its own score in each class (α·y·(‖x‖² + 1)): taken away,
  // it gives the example's leave-one-out score (approximately: the other α are not refitted).
  const ownShare = new Float32Array(n * K);
  for (let c = 0; c < K; c++) {
    w.fill(0);
    alpha.fill(0);
    for (let i = 0; i < n; i++) active[i] = i;
    let activeSize = n;
    let upper = Infinity; // shrinking bound on the gradient (LIBLINEAR's PGmax_old; no upper bound on alpha here)
    let state = (options.seed * 2654435761 + c * 40503) >>> 0 || 1;
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      for (let k = activeSize - 1; k > 0; k--) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        const j = (state >>> 0) % (k + 1);
        const t = active[k];
        active[k] = active[j];
        active[j] = t;
      }
      let maxGradient = -Infinity;
      let minGradient = Infinity;
      for (let k = 0; k < activeSize; k++) {
        const i = active[k];
        const sign = y[i] === c ? 1 : -1;
        const diagonal = diagonalOf[y[i]];
        let g = w[dim];
        for (let f = offsets[i]; f < offsets[i + 1]; f++) g += w[columns[f]] * values[f];
        g = sign * g - 1 + diagonal * alpha[i];
        let projected = g;
        if (alpha[i] === 0) {
          if (g > upper) {
            // Clearly right and at the bound: out of the active set until the final check.
            activeSize--;
            active[k] = active[activeSize];
            active[activeSize] = i;
            k--;
            continue;
          }
          if (g > 0) projected = 0;
        }
        if (projected > maxGradient) maxGradient = projected;
        if (projected < minGradient) minGradient = projected;
        if (projected === 0) continue;
        const old = alpha[i];
        alpha[i] = Math.max(0, old - g / (squaredNorm[i] + diagonal));
        const d = (alpha[i] - old) * sign;
        for (let f = offsets[i]; f < offsets[i + 1]; f++) w[columns[f]] += d * values[f];
        w[dim] += d;
      }
      if (maxGradient - minGradient <= epsilon) {
        if (activeSize === n) break;
        // Converged on the active set: check everyone once more before stopping.
        activeSize = n;
        upper = Infinity;
        continue;
      }
      upper = maxGradient <= 0 ? Infinity : maxGradient;
    }
    for (let f = 0; f < dim; f++) weights[f * K + c] = w[f];
    bias[c] = w[dim];
    for (let i = 0; i < n; i++) if (alpha[i] > 0) ownShare[i * K + c] = alpha[i] * (y[i] === c ? 1 : -1) * squaredNorm[i];
  }
  return { weights, bias, ownShare };
};

function classCounts(x: SparseVector[], y: Int32Array, K: number, dim: number) {
  const counts = new Float64Array(dim * K);
  const totals = new Float64Array(K);
  const docs = new Float64Array(K);
  for (let i = 0; i < x.length; i++) {
    const c = y[i];
    docs[c]++;
    const { ids, values } = x[i];
    for (let f = 0; f < ids.length; f++) {
      counts[ids[f] * K + c] += values[f];
      totals[c] += values[f];
    }
  }
  return { counts, totals, docs };
}

/** Multinomial naive Bayes: log P(feature | class) with additive smoothing, log prior as bias. */
const nb: Fit = (x, y, K, dim, options) => {
  const { counts, totals, docs } = classCounts(x, y, K, dim);
  const weights = new Float32Array(dim * K);
  for (let c = 0; c < K; c++) {
    const denominator = Math.log(totals[c] + options.alpha * dim);
    for (let f = 0; f < dim; f++) weights[f * K + c] = Math.log(counts[f * K + c] + options.alpha) - denominator;
  }
  const bias = Float32Array.from(docs, (d) => (options.balanced ? 0 : Math.log(d / x.length)));
  return { weights, bias };
};

/**
 * Complement naive Bayes (Rennie et al., 2003): each class is described by the counts of all the
 * other classes, which behaves better on skewed classes; weights normalised per class, negated
 * so that a higher score is more likely like the other learners.
 */
const cnb: Fit = (x, y, K, dim, options) => {
  const { counts, totals } = classCounts(x, y, K, dim);
  const all = new Float64Array(dim);
  let total = 0;
  for (let f = 0; f < dim; f++) for (let c = 0; c < K; c++) all[f] += counts[f * K + c];
  for (const t of totals) total += t;
  const weights = new Float32Array(dim * K);
  for (let c = 0; c < K; c++) {
    const denominator = Math.log(total - totals[c] + options.alpha * dim);
    let norm = 0;
    for (let f = 0; f < dim; f++) norm += Math.abs((weights[f * K + c] = Math.log(all[f] - counts[f * K + c] + options.alpha) - denominator));
    for (let f = 0; f < dim; f++) weights[f * K + c] = -weights[f * K + c] / norm;
  }
  return { weights, bias: new Float32Array(K) };
};

const LEARNERS: Record<Learner, Fit> = { svm, nb, cnb };
