/**
 * Start-up time of the service (`hotline serve`) on an existing warehouse: from spawning the process
 * until /healthz answers, then the first GET /assets/app.js (the browser bundle, built at start).
 * The baseline, measured in the same run, is spawning tsx with an empty script: what any start costs.
 *
 *   npx tsx test/bench/startup.ts --data DIR [--runs 5] [--port 8107] [--root CHECKOUT]
 *
 * DIR holds hotline.duckdb (e.g. made by `hotline demo` with HOTLINE_DATA_DIR=DIR); --root runs
 * another checkout (e.g. an older commit) against the same data, for a before/after comparison.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { data: { type: 'string' }, runs: { type: 'string', default: '5' }, port: { type: 'string', default: '8107' }, root: { type: 'string' } } });
if (!values.data || !existsSync(join(values.data, 'hotline.duckdb'))) {
  process.stderr.write('--data DIR with a hotline.duckdb is required (HOTLINE_DATA_DIR=DIR npx hotline demo --years 1)\n');
  process.exit(2);
}
const root = resolve(values.root ?? join(import.meta.dirname, '..', '..'));
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const port = Number(values.port);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * CPU time (user + system, ms) of a process and all its descendants, from /proc (Linux): unlike
 * wall-clock time it barely moves when other work shares the machine. null elsewhere.
 */
function cpuMs(root: number): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended meanwhile
    }
  }
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, stat] of stats) if (!tree.has(pid) && tree.has(stat.ppid)) grew = tree.add(pid).size > 0;
  }
  const ticks = [...tree].reduce((sum, pid) => sum + (stats.get(pid)?.ticks ?? 0), 0);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

async function timed(args: string[], env: NodeJS.ProcessEnv, ready: () => Promise<boolean>): Promise<{ ms: number; child: ReturnType<typeof spawn> }> {
  const start = performance.now();
  const child = spawn(tsx, args, { cwd: root, env: { ...process.env, ...env }, stdio: 'ignore' });
  while (!(await ready())) {
    if (performance.now() - start > 120_000) throw new Error('not ready after 120 s');
    await wait(20);
  }
  return { ms: performance.now() - start, child };
}

const baseline: number[] = [];
const health: number[] = [];
const bundle: number[] = [];
const cpu: number[] = [];
let bundleBytes = 0;
for (let run = 0; run < Number(values.runs); run++) {
  const bare = spawn(tsx, ['-e', ''], { cwd: root, stdio: 'ignore' });
  const t0 = performance.now();
  await new Promise((r) => bare.on('exit', r));
  baseline.push(performance.now() - t0);

  const env = { PORT: String(port), HOTLINE_DATA_DIR: values.data, HOTLINE_DB: join(values.data, 'hotline.duckdb') };
  const { ms, child } = await timed(['pipelines/cli.ts', 'serve'], env, async () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false));
  health.push(ms);
  const used = cpuMs(child.pid!);
  if (used !== null) cpu.push(used);
  const t1 = performance.now();
  bundleBytes = (await (await fetch(`http://127.0.0.1:${port}/assets/app.js`)).text()).length;
  bundle.push(performance.now() - t1);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  await wait(500);
}
const b = median(baseline);
console.log(`checkout ${root}, ${values.runs} runs (median; min–max)`);
console.log(`baseline: tsx with an empty script   ${Math.round(b)} ms  1.00`);
console.log(`hotline serve until /healthz answers  ${Math.round(median(health))} ms  ${(median(health) / b).toFixed(2)}  (${Math.round(Math.min(...health))}–${Math.round(Math.max(...health))} ms)`);
if (cpu.length) console.log(`CPU time of the service until then     ${Math.round(median(cpu))} ms  (${Math.round(Math.min(...cpu))}–${Math.round(Math.max(...cpu))} ms)`);
console.log(`first /assets/app.js                  ${Math.round(median(bundle))} ms  (${bundleBytes.toLocaleString('en-US')} bytes)`);
