/**
 * `npm run bench`: every benchmark in turn, each in its own process so that one's memory does not
 * skew the next. Each prints its figures as ratios against a baseline measured in the same run.
 * Pass --quick for smaller sizes (a smoke run, not figures to quote).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const benches: [string, string[]][] = [
  ['ingest.ts', quick ? ['--rows', '200000', '--xlsx', '--xlsx-rows', '20000'] : ['--xlsx']],
  ['kpi.ts', quick ? ['--tickets', '2000000'] : []],
  ['detect.ts', quick ? ['--quick'] : []],
  ['alerts.ts', quick ? ['--quick'] : []],
  ['api.ts', quick ? ['--tickets', '2000000'] : []],
  ['service.ts', quick ? ['--quick'] : []],
  ['classify.ts', quick ? ['--quick'] : []],
];
let failed = 0;
for (const [file, args] of benches) {
  const path = join(here, file);
  if (!existsSync(path)) continue;
  process.stderr.write(`\n=== ${file} ${args.join(' ')}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path, ...args], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
