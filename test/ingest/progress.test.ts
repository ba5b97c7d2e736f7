import { afterAll, describe, expect, it } from 'vitest';
import { loadsInProgress, rowsFromShare, type LoadProgress } from '../../pipelines/ingest/progress.js';
import { Warehouse, ingest, tempFolder, ticket, writeCsv } from './helpers.js';

/**
 * Progress of a load (issue 12): every phase is reported with the bytes read and, while DuckDB
 * works, the rows processed; `loadsInProgress()` lists the load while it runs (the service's 数据
 * page reads it) and forgets it when it ends.
 */

const temp = tempFolder('progress');
afterAll(() => temp.cleanup());

describe('load progress', () => {
  it('reports reading with bytes and the later phases, and lists the load only while it runs', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ticket(`2025070${String(100000 + i)}`));
    const path = writeCsv(temp.file('progress.csv'), rows);
    const warehouse = await Warehouse.open(temp.file('progress.duckdb'));
    const seen: LoadProgress[] = [];
    const listed: string[][] = [];
    try {
      const summary = await ingest(warehouse, path, {
        onProgress: (progress) => {
          seen.push(progress);
          listed.push(loadsInProgress().map((load) => load.file));
        },
      });
      expect(summary).toMatchObject({ status: 'loaded', loaded: 3000 });
    } finally {
      warehouse.close();
    }
    const phases = [...new Set(seen.map((p) => p.phase))];
    expect(phases[0]).toBe('reading');
    expect(phases).toContain('loading');
    // (the pass that masks the texts before DuckDB reads them has a phase of its own: 脱敏)
    expect(phases.indexOf('masking')).toBeGreaterThan(0);
    expect(phases.indexOf('masking')).toBeLessThan(phases.indexOf('loading'));
    const read = seen.filter((p) => p.phase === 'reading').at(-1)!;
    expect(read.bytesDone).toBe(read.bytesTotal);
    expect(read.bytesTotal).toBeGreaterThan(0);
    expect(listed.every((files) => files.includes('progress.csv'))).toBe(true);
    expect(loadsInProgress()).toEqual([]);
  });

  it('shows rows as the share DuckDB has read of the records the file holds, never more than it has', async () => {
    // DuckDB's own row figure is an estimate in units of its own (5.3 M for a file of 2 M
    // records); the 数据 page showed it as rows. Polled every 10 ms, on a file large enough that DuckDB reports a share before it is through.
    const count = 200_000;
    const rows = Array.from({ length: count }, (_, i) => ticket(`20250701${String(100000 + i)}`));
    const path = writeCsv(temp.file('rows.csv'), rows);
    const warehouse = await Warehouse.open(temp.file('rows.duckdb'));
    const loading: number[] = [];
    try {
      const summary = await ingest(warehouse, path, {
        progressEveryMs: 10,
        onProgress: (progress) => {
          if (progress.phase === 'loading' && progress.rows !== null) loading.push(progress.rows);
        },
      });
      expect(summary).toMatchObject({ status: 'loaded', loaded: count });
    } finally {
      warehouse.close();
    }
    // (DuckDB's own figure was 36 here, on a file of 200,000 records, and 5.3 M on one of 2 M)
    expect(loading.length).toBeGreaterThan(0);
    expect(Math.max(...loading)).toBeLessThanOrEqual(count);
    expect(Math.max(...loading)).toBeGreaterThan(count / 2);
    // A load ends showing every record read, even when DuckDB's share never moved off 0 % while
    // it was polled (its share moves in coarse steps: 0 % for most of this file, then 91 %).
    expect(loading.at(-1)).toBe(count);
  });

  it('turns DuckDB’s share done into rows of the file: capped at its records, none before a share or a count', () => {
    // DuckDB's figures on the 200,000-record file above: -1 before it starts, 0, 90.9, 95.45.
    expect(rowsFromShare(-1, 200_000)).toBeNull();
    expect(rowsFromShare(0, 200_000)).toBe(0);
    expect(rowsFromShare(90.909, 200_000)).toBe(181_818);
    expect(rowsFromShare(104, 200_000)).toBe(200_000);
    expect(rowsFromShare(50, null)).toBeNull();
    expect(rowsFromShare(Number.NaN, 10)).toBeNull();
  });
});

