import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../pipelines/config.js';

describe('configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-config-'));

  it('has defaults that need no file', () => {
    const config = loadConfig({ env: {}, cwd: dir });
    expect(config.db).toBe(join(dir, 'data', 'hotline.duckdb'));
    expect(config.keyFile).toBe(join(dir, 'data', 'hotline.key'));
    expect(config.kpi).toEqual({
      signLimitHours: 2,
      basicallySatisfiedCounts: true,
      minTicketsForRanking: 10,
      rankingWeights: { response: 0.3, resolution: 0.35, satisfaction: 0.35 },
    });
    expect(config.server.port).toBe(8080);
  });

  it('reads the file and lets the environment override it', () => {
    const file = join(dir, 'hotline.config.json');
    writeFileSync(file, JSON.stringify({ db: 'w/a.duckdb', server: { port: 9001 }, kpi: { signLimitHours: 4 } }));
    expect(loadConfig({ env: {}, cwd: dir }).db).toBe(join(dir, 'w', 'a.duckdb'));
    expect(loadConfig({ env: {}, cwd: dir }).kpi.signLimitHours).toBe(4);
    const overridden = loadConfig({ env: { HOTLINE_DB: '/elsewhere/b.duckdb', PORT: '9100' }, cwd: dir });
    expect(overridden.db).toBe('/elsewhere/b.duckdb');
    expect(overridden.server.port).toBe(9100);
  });

  it('names the bad key and the file in its message', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ kpi: { signLimitHours: 'two' }, colour: 'red' }));
    let message = '';
    try {
      loadConfig({ file, env: {}, cwd: dir });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(file);
    expect(message).toContain('kpi.signLimitHours');
    expect(message).toContain('colour');
  });

  it('refuses a port that is not a number', () => {
    expect(() => loadConfig({ env: { PORT: 'eighty' }, cwd: dir })).toThrow(/server\.port/);
  });

  it('refuses a config file that is not JSON, saying so', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "db": ');
    expect(() => loadConfig({ file, env: {}, cwd: dir })).toThrow(/不是合法的 JSON/);
  });
});
