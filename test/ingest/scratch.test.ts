import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchFolder, scratchRoot, sweepScratch } from '../../pipelines/ingest/scratch.js';

describe('scratch space for a file’s copies', () => {
  const folder = mkdtempSync(join(tmpdir(), 'hotline-test-scratch-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('uses the memory file system when a copy of the file fits with room to spare', () => {
    expect(scratchRoot(1024, folder)).toBe(folder);
  });

  it('falls back to the temp folder when the copy would not fit, or there is no such file system', () => {
    expect(scratchRoot(Number.MAX_SAFE_INTEGER / 4, folder)).toBe(tmpdir());
    expect(scratchRoot(1024, join(folder, 'missing'))).toBe(tmpdir());
  });

  it('gives each load a folder that names its process', () => {
    const work = scratchFolder(join(folder, 'missing.csv'), 'ingest');
    try {
      expect(basename(work)).toMatch(/^hotline-scratch-ingest-[A-Za-z0-9]{6}$/);
      expect(readFileSync(join(work, 'owner.pid'), 'utf8')).toBe(`${process.pid}@${hostname()}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('removes the folders of loads whose process died (a clear-text copy inside), and nothing else', () => {
    const root = join(folder, 'sweep');
    const make = (name: string, owner?: number | string, ageMs = 0) => {
      const path = join(root, name);
      mkdirSync(path, { recursive: true });
      writeFileSync(join(path, 'copy.csv'), '工单编号,联系电话\n1,13800000000\n');
      if (owner !== undefined) writeFileSync(join(path, 'owner.pid'), String(owner));
      const at = new Date(Date.now() - ageMs);
      utimesSync(path, at, at);
      return path;
    };
    const dead = spawnSync(process.execPath, ['-e', '']).pid!; // exited: its pid no longer runs
    const hour = 60 * 60 * 1000;
    const killed = make('hotline-scratch-ingest-Dead01', `${dead}@${hostname()}`);
    const killedBefore = make('hotline-scratch-ingest-Dead02', dead); // an owner file without its host
    const otherHost = make('hotline-scratch-ingest-Else01', `${dead}@another-host`, 2 * hour); // its pids are not ours to ask about
    const oldUnowned = make('hotline-ingest-Old001', undefined, 2 * hour); // an earlier version's, never owned
    const live = make('hotline-scratch-check-Live01', `${process.pid}@${hostname()}`, 2 * hour);
    const starting = make('hotline-scratch-ingest-New001'); // owner file not written yet
    const others = [otherHost, make('hotline-ingest-test-bad-Abc123', undefined, 2 * hour), make('hotline-bench-ingest-Abc123', undefined, 2 * hour), make('hotline-parquet-Abc123', dead)];
    expect(sweepScratch([root]).sort()).toEqual([killed, killedBefore, oldUnowned].sort());
    for (const kept of [live, starting, ...others]) expect(existsSync(join(kept, 'copy.csv'))).toBe(true);
    expect(existsSync(killed) || existsSync(killedBefore) || existsSync(oldUnowned)).toBe(false);
  });
});
