import { TextClassifier, type ClassifierOptions, type LabelledText } from './classifier.js';

/** How well predicted labels match the true ones. */
export interface Scores {
  /** Unweighted mean over the true labels of each label's F1: small categories count as much as big ones. */
  macroF1: number;
  accuracy: number;
  /** Per label: F1 and how many true examples. */
  perLabel: Record<string, { f1: number; support: number }>;
}

export function scorePredictions(predicted: readonly string[], truth: readonly string[]): Scores {
  if (predicted.length !== truth.length) throw new Error(`${predicted.length} predictions for ${truth.length} labels`);
  const labels = [...new Set(truth)].sort();
  const perLabel: Scores['perLabel'] = {};
  let f1Sum = 0;
  for (const label of labels) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < truth.length; i++) {
      if (predicted[i] === label && truth[i] === label) tp++;
      else if (predicted[i] === label) fp++;
      else if (truth[i] === label) fn++;
    }
    const f1 = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
    perLabel[label] = { f1, support: tp + fn };
    f1Sum += f1;
  }
  const correct = truth.reduce((n, t, i) => n + (predicted[i] === t ? 1 : 0), 0);
  return { macroF1: labels.length ? f1Sum / labels.length : 0, accuracy: truth.length ? correct / truth.length : 0, perLabel };
}

/**
 * Stratified k-fold assignment: each label's examples, shuffled by a seeded generator, dealt
 * round-robin to the folds, so every fold has the label mix of the whole.
 */
export function stratifiedFolds(labels: readonly string[], k: number, seed = 1): Int32Array {
  let state = (seed * 2654435761) >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const byLabel = new Map<string, number[]>();
  labels.forEach((label, i) => byLabel.set(label, [...(byLabel.get(label) ?? []), i]));
  const fold = new Int32Array(labels.length);
  let next = 0;
  for (const label of [...byLabel.keys()].sort()) {
    const members = byLabel.get(label)!;
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [members[i], members[j]] = [members[j], members[i]];
    }
    for (const i of members) fold[i] = next++ % k;
  }
  return fold;
}

/** k-fold cross-validated predictions of every example (priors join every training fold). */
export function crossValidate(examples: readonly LabelledText[], options: Partial<ClassifierOptions>, k = 5, seed = 1, priors: readonly LabelledText[] = []): { predicted: string[]; scores: Scores } {
  const fold = stratifiedFolds(examples.map((e) => e.label), k, seed);
  const predicted = new Array<string>(examples.length);
  for (let f = 0; f < k; f++) {
    const model = TextClassifier.train(examples.filter((_, i) => fold[i] !== f), options, priors);
    examples.forEach((e, i) => {
      if (fold[i] === f) predicted[i] = model.predict(e.text).label;
    });
  }
  return { predicted, scores: scorePredictions(predicted, examples.map((e) => e.label)) };
}
