/**
 * Sign-in while the service does its start-up work: `npm run bench:service` (`-- --quick` for a smoke run).
 *
 * Starts the real service (`node bin/hotline.mjs serve`, a child process) on an empty data folder
 * with a demo (default 2 years at 300 tickets a day; --quick 1 year at 40), signs in again and again
 * from the first second while it writes the demo, loads it, looks back 14 days for hotspots and
 * builds last month's report; then as many times once it is idle. Prints the sign-in times of both
 * and their ratio to the idle median measured in the same run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signIn, startServiceProcess } from '../service/helpers.js';

const quick = process.argv.includes('--quick');
const demo = quick ? { years: 1, ticketsPerDay: 40 } : { years: 2, ticketsPerDay: 300 };

function summary(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.at(-1)! };
}

async function timedSignIn(url: string, password: string): Promise<number> {
  const started = performance.now();
  await signIn(url, 'admin', password);
  return performance.now() - started;
}

const dir = mkdtempSync(join(tmpdir(), 'hotline-bench-service-'));
const configFile = join(dir, 'hotline.config.json');
writeFileSync(configFile, JSON.stringify({ dataDir: join(dir, 'data'), db: join(dir, 'data', 'hotline.duckdb'), server: { port: 0 }, demo }));
const service = await startServiceProcess({ env: { HOTLINE_CONFIG: configFile }, cwd: dir });
try {
  let busy = true;
  const startupDone = service.waitFor(/月报 \/ monthly report: /, 1_800_000).then(() => (busy = false));
  const during: number[] = [];
  const started = performance.now();
  while (busy) {
    during.push(await timedSignIn(service.url, service.password!));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await startupDone;
  const startupSeconds = (performance.now() - started) / 1000;
  const idle: number[] = [];
  for (let i = 0; i < Math.max(20, Math.min(during.length, 100)); i++) {
    idle.push(await timedSignIn(service.url, service.password!));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const base = summary(idle);
  const load = summary(during);
  const row = (name: string, s: ReturnType<typeof summary>) =>
    `| ${name} | ${s.n} | ${s.p50.toFixed(0)} | ${s.p95.toFixed(0)} | ${s.max.toFixed(0)} | ${(s.p50 / base.p50).toFixed(2)} | ${(s.p95 / base.p50).toFixed(2)} |`;
  process.stdout.write(
    [
      `sign-in (scrypt N=16384) — demo ${demo.years} year(s) × ${demo.ticketsPerDay} a day; start-up work took ${startupSeconds.toFixed(0)} s`,
      '',
      '| when | sign-ins | p50 ms | p95 ms | max ms | p50 ratio | p95 ratio |',
      '|---|---:|---:|---:|---:|---:|---:|',
      row('idle (baseline)', base),
      row('during the start-up work', load),
      '',
    ].join('\n'),
  );
} finally {
  service.child.kill('SIGTERM');
  await service.exited;
  rmSync(dir, { recursive: true, force: true });
}
