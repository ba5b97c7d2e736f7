/**
 * The command-line contracts: `hotline classify eval … --json` run as a person would (a child
 * process, with its exit codes for bad input), and `hotline classify train` / `hotline topics
 * … --json` on a warehouse.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as classify } from '../../pipelines/commands/classify.js';
import { run as topics } from '../../pipelines/commands/topics.js';
import { fixtureTickets, textWarehouse } from './fixture.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'hotline-text-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hotline(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'pipelines', 'cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function csv(path: string, rows: string[][]): string {
  const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  writeFileSync(path, rows.map((r) => r.map(quote).join(',')).join('\n') + '\n');
  return path;
}

const tickets = fixtureTickets();
const train = csv(join(dir, 'train.csv'), [['id', '诉求内容', '一级分类'], ...tickets.slice(0, 300).map((t) => [t.ticket_id, t.content, t.category_l1])]);
// A test file in another order of columns, one row without a label, one "unseen" wording.
const testRows = tickets.slice(300, 330);
const test = csv(join(dir, 'test.csv'), [
  ['一级分类', '诉求内容'],
  ...testRows.map((t) => [t.category_l1, t.content]),
  ['', '工地老板拖欠工资，讨薪无门'],
]);

describe('hotline classify eval', () => {
  it('prints one prediction per test row, in order, with macro-F1 and accuracy on the labelled rows', () => {
    const { code, stdout, stderr } = hotline(['classify', 'eval', '--train', train, '--test', test, '--text', '诉求内容', '--label', '一级分类', '--json']);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.predictions).toHaveLength(testRows.length + 1);
    expect(result.predictions.slice(0, testRows.length)).toEqual(testRows.map((t) => t.category_l1));
    expect(result.predictions.at(-1)).toBe('劳动和社会保障');
    expect(result).toMatchObject({ macroF1: 1, accuracy: 1, labelled: testRows.length });
    expect(stderr).toMatch(/没有标签/);
  });

  it('without labels in the test file prints only the predictions', () => {
    const unlabelled = csv(join(dir, 'unlabelled.csv'), [['诉求内容'], ['暖气不热，室温很低'], ['晚上施工噪音太大']]);
    const { code, stdout } = hotline(['classify', 'eval', '--train', train, '--test', unlabelled, '--text', '诉求内容', '--label', '一级分类', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ predictions: ['城乡建设', '环境保护'] });
  });

  it('names a missing column and the columns the file has (exit 2), and a missing file (exit 1)', () => {
    const missing = hotline(['classify', 'eval', '--train', train, '--test', test, '--text', '内容', '--label', '一级分类', '--json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/没有列“内容”；现有列：id、诉求内容、一级分类/);
    expect(missing.stdout).toBe('');
    const absent = hotline(['classify', 'eval', '--train', join(dir, 'nope.csv'), '--test', test, '--text', '诉求内容', '--label', '一级分类']);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toMatch(/nope\.csv/);
    expect(hotline(['classify', 'eval', '--train', train]).code).toBe(2);
  });

  it('skips training rows without text or label, saying which lines', () => {
    const holes = csv(join(dir, 'holes.csv'), [['诉求内容', '一级分类'], ...tickets.slice(0, 40).map((t) => [t.content, t.category_l1]), ['', '城乡建设'], ['暖气不热', '']]);
    const { code, stderr } = hotline(['classify', 'eval', '--train', holes, '--test', test, '--text', '诉求内容', '--label', '一级分类', '--json']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/2 行缺文本或标签.*行 42, 43/);
  });
});

describe('hotline topics and classify train on a warehouse (in this process: it holds the file)', () => {
  let db: string;
  let dataDir: string;
  beforeAll(async () => {
    const { config, dir: folder } = await textWarehouse('cli');
    afterAll(() => rmSync(folder, { recursive: true, force: true }));
    db = config.db;
    dataDir = config.dataDir;
  }, 120_000);

  /** Runs a command in this process and returns what it wrote on stdout. */
  async function stdout(command: (argv: string[]) => Promise<void>, argv: string[]): Promise<string> {
    const previous = process.env.HOTLINE_DATA_DIR;
    process.env.HOTLINE_DATA_DIR = dataDir;
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    try {
      await command([...argv, '--db', db]);
    } finally {
      spy.mockRestore();
      if (previous === undefined) delete process.env.HOTLINE_DATA_DIR;
      else process.env.HOTLINE_DATA_DIR = previous;
    }
    return chunks.join('');
  }

  it('classify train stores the model and prints its held-out figures; status reads them back', async () => {
    expect(JSON.parse(await stdout(classify, ['train', '--json']))).toMatchObject({ status: 'trained' });
    const status = JSON.parse(await stdout(classify, ['status', '--json']));
    expect(status.metrics.categoryL1.macroF1).toBeGreaterThan(0.9);
  });

  it('topics --json follows the contract', async () => {
    const result = JSON.parse(await stdout(topics, ['--from', '2025-06-01', '--to', '2025-07-31', '--top', '3', '--json']));
    expect(result).toHaveLength(3);
    for (const [i, t] of result.entries()) {
      expect(Object.keys(t)).toEqual(['rank', 'heat', 'firstDay', 'lastDay', 'place', 'description', 'count', 'ticketIds']);
      expect(t.rank).toBe(i + 1);
      expect(t.ticketIds).toHaveLength(t.count);
    }
    expect(result[0].heat).toBeGreaterThanOrEqual(result[1].heat);
    await expect(stdout(topics, ['--from', '2025-07-31', '--to', '2025-06-01'])).rejects.toMatchObject({ exitCode: 2 });
    await expect(stdout(topics, ['--from', '2025-06-01'])).rejects.toThrow(/--to/);
  });
});
