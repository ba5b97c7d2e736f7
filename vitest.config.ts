import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // DuckDB files and child processes: keep files isolated, run them in forks.
    pool: 'forks',
    env: { TZ: 'Asia/Shanghai' },
  },
});
