import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchRoot } from '../../pipelines/ingest/ingest.js';

describe('scratch space for a file’s copies', () => {
  const folder = mkdtempSync(join(tmpdir(), 'hotline-scratch-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('uses the memory file system when a copy of the file fits with room to spare', () => {
    expect(scratchRoot(1024, folder)).toBe(folder);
  });

  it('falls back to the temp folder when the copy would not fit, or there is no such file system', () => {
    expect(scratchRoot(Number.MAX_SAFE_INTEGER / 4, folder)).toBe(tmpdir());
    expect(scratchRoot(1024, join(folder, 'missing'))).toBe(tmpdir());
  });
});
