/**
 * How long the full demo takes and how big its files are (printed, never asserted):
 *   npx tsx test/demo/bench.ts [--years 4] [--per-day 800] [--end 2026-11-27] [--keep]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateDemoExports } from '../../pipelines/demo/generate.js';

const { values } = parseArgs({ options: { years: { type: 'string', default: '4' }, 'per-day': { type: 'string', default: '800' }, end: { type: 'string', default: '2026-11-27' }, seed: { type: 'string', default: '12345' }, keep: { type: 'boolean', default: false } } });
const outDir = mkdtempSync(join(tmpdir(), 'hotline-demo-bench-'));
const started = process.hrtime.bigint();
const cpu = process.cpuUsage();
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
try {
  const result = await generateDemoExports({ outDir, seed: Number(values.seed), endDate: values.end, years: Number(values.years), ticketsPerDay: Number(values['per-day']), onProgress: (m) => process.stderr.write(`  ${m}\n`) });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  let total = 0;
  for (const file of result.files) {
    const size = statSync(file).size;
    total += size;
    console.log(`${basename(file).padEnd(24)} ${(size / 1e6).toFixed(1).padStart(7)} MB`);
  }
  console.log(`${result.tickets} tickets, ${result.calls} calls, ${result.units} units, ${result.incidents.length} incidents`);
  console.log(`${seconds.toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU, peak RSS ≈ ${Math.round(Math.max(peak, process.memoryUsage().rss) / 1e6)} MB, ${(total / 1e6).toFixed(0)} MB written`);
  if (values.keep) console.log(`kept in ${outDir}`);
} finally {
  clearInterval(sampler);
  if (!values.keep) rmSync(outDir, { recursive: true, force: true });
}
