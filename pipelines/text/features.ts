import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

/**
 * From request text to the bag of features the classifiers count: character n-grams (robust to
 * unknown words, place names and typos) and, optionally, jieba words (a dictionary shipped inside
 * the npm package; no download). Features are 32-bit hashes, so no string is built per n-gram.
 */

export interface FeatureOptions {
  /** Shortest and longest character n-gram (e.g. [1, 2]); [0, 0] for none. */
  charNgrams: readonly [number, number];
  /** Add jieba words. */
  words: boolean;
}

export const DEFAULT_FEATURES: FeatureOptions = { charNgrams: [1, 2], words: true };

let segmenter: Jieba | null = null;
/** The jieba segmenter with its shipped dictionary (loaded once, ≈ 0.3 s). */
export function jieba(): Jieba {
  segmenter ??= Jieba.withDict(dict);
  return segmenter;
}

/**
 * One form for the same text: full-width letters and digits folded (NFKC), lower case, digits
 * collapsed to one symbol (house numbers and amounts say little about the matter), and the
 * message-board exports' layout whitespace removed.
 */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\d+(?:\.\d+)?/g, '0')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Characters that carry meaning: CJK ideographs, Latin letters and the digit symbol. */
function isWordChar(code: number): boolean {
  return (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf) || (code >= 0x61 && code <= 0x7a) || code === 0x30;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function mix(hash: number, code: number): number {
  return Math.imul(hash ^ code, FNV_PRIME);
}

/** The hash of a word, distinct from any character n-gram's (different seed). */
export function wordHash(word: string): number {
  let h = mix(FNV_OFFSET, 0x5757);
  for (let i = 0; i < word.length; i++) h = mix(h, word.charCodeAt(i));
  return h >>> 0;
}

/**
 * The features of an already normalised text, appended to `out` as unsigned 32-bit hashes (with
 * repeats: counts matter). N-grams never cross punctuation or spaces.
 */
export function textFeatures(normalised: string, options: FeatureOptions, out: number[] = []): number[] {
  const [lo, hi] = options.charNgrams;
  if (hi > 0) {
    const n = normalised.length;
    let runStart = 0;
    for (let i = 0; i <= n; i++) {
      if (i < n && isWordChar(normalised.charCodeAt(i))) continue;
      // normalised[runStart, i) is a run of word characters
      for (let s = runStart; s < i; s++) {
        let h = mix(FNV_OFFSET, 0x4e47);
        for (let len = 1; len <= hi && s + len <= i; len++) {
          h = mix(h, normalised.charCodeAt(s + len - 1));
          if (len >= lo) out.push(h >>> 0);
        }
      }
      runStart = i + 1;
    }
  }
  if (options.words) {
    for (const word of jieba().cut(normalised, false)) {
      if (word.length < 2) continue; // single characters are already unigrams, or punctuation
      let meaningful = false;
      for (let i = 0; i < word.length && !meaningful; i++) meaningful = isWordChar(word.charCodeAt(i));
      if (meaningful) out.push(wordHash(word));
    }
  }
  return out;
}

/** A document as distinct feature columns with their weights. */
export interface SparseVector {
  ids: Int32Array;
  values: Float32Array;
}

/**
 * Feature hash → column number, as an open-addressing table on typed arrays: prediction looks up
 * every n-gram of every text, and a JS Map of a million numbers is several times slower.
 */
export class FeatureColumns {
  private keys: Uint32Array;
  private values: Int32Array;
  private mask: number;
  size = 0;

  constructor(expected = 1024) {
    let capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    this.keys = new Uint32Array(capacity);
    this.values = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
  }

  private slot(key: number): number {
    // The keys are hashes already; one more mix spreads FNV's low bits.
    let i = Math.imul(key ^ (key >>> 16), 0x45d9f3b) & this.mask;
    while (this.values[i] !== -1 && this.keys[i] !== key) i = (i + 1) & this.mask;
    return i;
  }

  get(key: number): number | undefined {
    const v = this.values[this.slot(key >>> 0)];
    return v === -1 ? undefined : v;
  }

  set(key: number, column: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const i = this.slot(key >>> 0);
    if (this.values[i] === -1) this.size++;
    this.keys[i] = key >>> 0;
    this.values[i] = column;
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Uint32Array(keys.length * 2);
    this.values = new Int32Array(keys.length * 2).fill(-1);
    this.mask = keys.length * 2 - 1;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (values[i] !== -1) this.set(keys[i], values[i]);
  }

  *[Symbol.iterator](): IterableIterator<[number, number]> {
    for (let i = 0; i < this.keys.length; i++) if (this.values[i] !== -1) yield [this.keys[i], this.values[i]];
  }
}

/**
 * Maps feature hashes to dense column numbers. Built while training (features seen in at least
 * `minCount` documents); at prediction time unknown features are skipped.
 */
export class Vocabulary {
  columns = new FeatureColumns();
  /** Documents containing each column's feature. */
  documentFrequency: Float64Array = new Float64Array(0);
  documents = 0;

  get size(): number {
    return this.columns.size;
  }

  /** Builds the vocabulary from documents' feature lists, keeping features seen in ≥ minCount documents. */
  static build(documents: readonly number[][], minCount = 1): Vocabulary {
    const df = new Map<number, number>();
    const seen = new Set<number>();
    for (const features of documents) {
      seen.clear();
      for (const f of features) {
        if (seen.has(f)) continue;
        seen.add(f);
        df.set(f, (df.get(f) ?? 0) + 1);
      }
    }
    const vocabulary = new Vocabulary();
    vocabulary.columns = new FeatureColumns(df.size);
    const kept: number[] = [];
    for (const [feature, count] of df) {
      if (count < minCount) continue;
      vocabulary.columns.set(feature, kept.length);
      kept.push(count);
    }
    vocabulary.documentFrequency = Float64Array.from(kept);
    vocabulary.documents = documents.length;
    return vocabulary;
  }

  static restore(features: ArrayLike<number>, documentFrequency: ArrayLike<number>, documents: number): Vocabulary {
    const vocabulary = new Vocabulary();
    vocabulary.columns = new FeatureColumns(features.length);
    for (let i = 0; i < features.length; i++) vocabulary.columns.set(features[i] >>> 0, i);
    vocabulary.documentFrequency = Float64Array.from(documentFrequency);
    vocabulary.documents = documents;
    return vocabulary;
  }

  /** Term counts of known features, as a sparse vector (columns in no particular order). */
  counts(features: readonly number[]): SparseVector {
    // Sorting the hashes puts repeats side by side: counting needs no map.
    const sorted = Uint32Array.from(features).sort();
    const ids: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < sorted.length; ) {
      let j = i + 1;
      while (j < sorted.length && sorted[j] === sorted[i]) j++;
      const column = this.columns.get(sorted[i]);
      if (column !== undefined) {
        ids.push(column);
        values.push(j - i);
      }
      i = j;
    }
    return { ids: Int32Array.from(ids), values: Float32Array.from(values) };
  }
  /**
   * Smoothed inverse document frequency of every column (as scikit-learn's smooth_idf). With
   * `atLeast`, a small collection is judged as if it had that many documents (the others without
   * the feature), so that in five requests about one outage the shared words still count as rare.
   */
  inverseDocumentFrequency(atLeast = 0): Float32Array {
    const idf = new Float32Array(this.size);
    const documents = Math.max(this.documents, atLeast);
    for (let i = 0; i < idf.length; i++) idf[i] = Math.log((1 + documents) / (1 + this.documentFrequency[i])) + 1;
    return idf;
  }
}
