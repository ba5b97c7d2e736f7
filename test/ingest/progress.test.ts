import { afterAll, describe, expect, it } from 'vitest';
import { loadsInProgress, type LoadProgress } from '../../pipelines/ingest/progress.js';
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
    const read = seen.filter((p) => p.phase === 'reading').at(-1)!;
    expect(read.bytesDone).toBe(read.bytesTotal);
    expect(read.bytesTotal).toBeGreaterThan(0);
    expect(listed.every((files) => files.includes('progress.csv'))).toBe(true);
    expect(loadsInProgress()).toEqual([]);
  });
});
