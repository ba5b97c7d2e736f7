import { basename } from 'node:path';

/**
 * Loads in progress in this process, for whoever wants to show them: the CLI's progress line and
 * the service's 数据 page (`loadsInProgress()`), without a write to the warehouse per tick.
 */

export type LoadPhase = 'reading' | 'masking' | 'scanning' | 'loading' | 'checking' | 'merging';

export const PHASE_LABELS: Record<LoadPhase, string> = {
  reading: '读取',
  masking: '脱敏',
  scanning: '逐行检查',
  loading: '导入',
  checking: '核对',
  merging: '合并',
};

export interface LoadProgress {
  file: string;
  phase: LoadPhase;
  /** Bytes of the file read so far, and its size. */
  bytesDone: number;
  bytesTotal: number;
  /** Rows processed by the current phase, when known. */
  rows: number | null;
  /** Rows per second of the current phase, when known. */
  rowsPerSecond: number | null;
  startedAt: string;
}

const active = new Map<number, LoadProgress>();
let nextId = 1;

/** Every load in progress in this process, oldest first. */
export function loadsInProgress(): LoadProgress[] {
  return [...active.values()].map((load) => ({ ...load }));
}

/**
 * The rows to show for DuckDB's share done of a statement that reads the whole file: that share of
 * the records the file holds (DuckDB's own row figure is an estimate in units of its own). None
 * while DuckDB has no share yet (-1) or the records are not counted yet.
 */
export function rowsFromShare(percentage: number, records: number | null): number | null {
  if (!(percentage >= 0) || records === null) return null;
  return Math.round((Math.min(percentage, 100) / 100) * records);
}

export interface LoadTracker {
  readonly progress: LoadProgress;
  phase(phase: LoadPhase): void;
  bytes(done: number): void;
  rows(processed: number): void;
  finish(): void;
}

/** Registers a load; `listener` hears every change (the CLI draws its line from it). */
export function trackLoad(file: string, bytesTotal: number, listener?: (progress: LoadProgress) => void): LoadTracker {
  const id = nextId++;
  const progress: LoadProgress = { file: basename(file), phase: 'reading', bytesDone: 0, bytesTotal, rows: null, rowsPerSecond: null, startedAt: new Date().toISOString() };
  active.set(id, progress);
  let phaseStarted = performance.now();
  const changed = () => listener?.({ ...progress });
  return {
    progress,
    phase(phase) {
      progress.phase = phase;
      progress.rows = null;
      progress.rowsPerSecond = null;
      phaseStarted = performance.now();
      changed();
    },
    bytes(done) {
      progress.bytesDone = done;
      changed();
    },
    rows(processed) {
      progress.rows = processed;
      const seconds = (performance.now() - phaseStarted) / 1000;
      progress.rowsPerSecond = seconds > 0 ? Math.round(processed / seconds) : null;
      changed();
    },
    finish() {
      active.delete(id);
    },
  };
}
