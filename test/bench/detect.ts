/**
 * Early-warning benchmark (npm run bench:detect): every detector on the same simulated hotline
 * series with injected outbreaks of known start, size and shape.
 *
 * Series: 4–7 years of daily counts ending 2025-12-31, at levels from 0.3 to 300 a day, each with
 * a random category profile (trend, yearly season, weekday pattern, holidays and make-up days,
 * Spring Festival build-up and dip, NB over-dispersion, autocorrelated day noise; see
 * test/detect/simulate.ts). Outbreaks every 45–95 days over the whole span — those in the
 * training years are what the down-weighting has to cope with — sized k = 2, 3, 5, 10 standard
 * deviations of the ordinary count summed over their days (NB and day noise: for a spike, k × sd),
 * shaped as a 1-day spike, 3 equal days, a 7-day plateau or a 14-day linear ramp. The last two
 * years are judged.
 *
 * Printed: per method the false-positive rate per series-day on days outside outbreaks and the
 * probability of detection (an alarm on any outbreak day) at the method's own threshold; then
 * POD at a matched FPR of 0.5 % — each method's score cut at the value that 0.5 % of its
 * outbreak-free days exceed, one cut for all series — by outbreak size, series level and shape,
 * with the median delay (days from the outbreak's first day to its first alarm). Last, the
 * throughput of our method: 1,000 series × 7 years with every day judged (two processes), and
 * 860 series × 4 years with the last 14 days and the last day judged (the hotspot job's look-back
 * and daily run, one process), each against EARS C2 on the same series.
 *
 * --oracle adds a reference row no detector can reach: pulse's day and rise channels (its shares
 * and windows, its restart after an alarm at α) on the simulation's true expected counts and true
 * variances (NB and the wandering day noise, its autocorrelation included), so with nothing
 * estimated. It is what a perfect fit would give pulse's tests at the matched FPR: what pulse
 * loses to it is what its model costs.
 *
 * Usage: npx tsx test/bench/detect.ts [--seed N] [--quick] [--alpha A] [--methods a,b] [--oracle] [--detail] [--no-timing]
 *        [--throughput-only] [--jobs backfill,lookBack,daily]
 *        [--pulse key=value,…]   (settings of our detector to try, e.g. --pulse cusumShift=1.5)
 * --throughput-only skips the detection part (simulation, POD, FPR) and prints only the
 * throughput table, of the jobs named by --jobs (default all).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ss from 'simple-statistics';
import { dayIndex, dayString } from '../../pipelines/detect/calendar.js';
import { detect, METHODS, type MethodName } from '../../pipelines/detect/detect.js';
import { nbUpperTail, normalQuantile } from '../../pipelines/detect/negbin.js';
import { PULSE_DEFAULTS } from '../../pipelines/detect/pulse.js';
import { nestedCorrelation, scanPValue } from '../../pipelines/detect/rise.js';
import type { CountSeries } from '../../pipelines/detect/series.js';
import { baselineMeans, injectOutbreak, OUTBREAK_SHAPES, Random, randomProfile, simulateCounts, type HotlineProfile, type OutbreakShape } from '../detect/simulate.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    quick: { type: 'boolean', default: false },
    alpha: { type: 'string', default: '0.005' },
    methods: { type: 'string' },
    'no-timing': { type: 'boolean', default: false },
    detail: { type: 'boolean', default: false },
    oracle: { type: 'boolean', default: false },
    pulse: { type: 'string' },
    'timing-part': { type: 'string' },
    'throughput-only': { type: 'boolean', default: false },
    jobs: { type: 'string' },
  },
});
const seed = Number(values.seed);
const quick = values.quick;
const alpha = Number(values.alpha);
const detectors = values.methods ? (values.methods.split(',') as MethodName[]) : [...METHODS];
for (const m of detectors) if (!METHODS.includes(m)) throw new Error(`unknown method ${m}`);
/** The rows of the tables: the detectors, and the oracle reference when asked for. */
type Row = MethodName | 'oracle';
const methods: Row[] = values.oracle ? [...detectors, 'oracle'] : detectors;
/** --pulse cusumShift=1.5,guardDays=14,riseWindows=3-7-14: settings of our detector to try. */
const pulseSettings = Object.fromEntries(
  (values.pulse ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const [key, value] = pair.split('=');
      // riseWindows=3-7-14: a list of numbers
      return [key, /^\d+(-\d+)+$/.test(value) ? value.split('-').map(Number) : Number.isNaN(Number(value)) ? value : Number(value)];
    }),
);

const LEVELS = [0.3, 0.7, 2, 5, 15, 40, 120, 300];
const LEVEL_GROUPS = [
  { name: '< 1 a day', test: (level: number) => level < 1 },
  { name: '1–10 a day', test: (level: number) => level >= 1 && level < 10 },
  { name: '10–100 a day', test: (level: number) => level >= 10 && level < 100 },
  { name: '≥ 100 a day', test: (level: number) => level >= 100 },
];
const SIZES = [2, 3, 5, 10];
const SHAPES = Object.keys(OUTBREAK_SHAPES) as OutbreakShape[];
const SERIES_PER_LEVEL = quick ? 6 : 30;
const MATCHED_FPR = 0.005;
const END = dayIndex('2025-12-31');
const JUDGED_FROM = dayIndex('2024-01-01');

interface BenchSeries {
  level: number;
  series: CountSeries;
  /** Per judged day: 0 outside outbreaks. */
  inOutbreak: Uint8Array;
  outbreaks: { start: number; days: number; shape: OutbreakShape; size: number }[];
  /** What the simulation knows and a detector must estimate: the profile and the ordinary days' expected counts. */
  profile: HotlineProfile;
  means: Float64Array;
}

function simulate(): BenchSeries[] {
  const random = new Random(seed);
  const all: BenchSeries[] = [];
  for (const level of LEVELS) {
    for (let s = 0; s < SERIES_PER_LEVEL; s++) {
      const years = 4 + Math.floor(random.uniform() * 4);
      const start = END - years * 365 + 1;
      const days = END - start + 1;
      const profile = randomProfile(random, level);
      const means = baselineMeans(profile, start, days);
      const counts = simulateCounts(random, profile, means);
      const judgedOffset = JUDGED_FROM - start;
      const inOutbreak = new Uint8Array(days - judgedOffset);
      const outbreaks: BenchSeries['outbreaks'] = [];
      for (let at = 30 + Math.floor(random.uniform() * 40); at + 14 < days; at += 45 + Math.floor(random.uniform() * 50)) {
        const shape = random.pick(SHAPES);
        const size = random.pick(SIZES);
        injectOutbreak(random, counts, means, profile, at, shape, size);
        const length = OUTBREAK_SHAPES[shape].length;
        if (at >= judgedOffset) {
          outbreaks.push({ start: at - judgedOffset, days: length, shape, size });
          for (let d = 0; d < length; d++) inOutbreak[at - judgedOffset + d] = 1;
        }
      }
      const dates = Array.from({ length: days }, (_, i) => dayString(start + i));
      all.push({ level, series: { dates, counts }, inOutbreak, outbreaks, profile, means });
    }
  }
  return all;
}

interface MethodRun {
  scores: Float64Array[];
  alarms: Uint8Array[];
  cpuSeconds: number;
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

function run(method: MethodName, data: BenchSeries[]): MethodRun {
  const started = process.cpuUsage();
  const scores: Float64Array[] = [];
  const alarms: Uint8Array[] = [];
  for (const b of data) {
    const results = detect(b.series, { from: dayString(JUDGED_FROM), method, alpha, pulse: pulseSettings });
    if (results.length !== b.inOutbreak.length) throw new Error(`${method}: ${results.length} results for ${b.inOutbreak.length} days`);
    scores.push(Float64Array.from(results, (r) => (Number.isFinite(r.score) ? r.score : r.score > 0 ? 1e9 : -1e9)));
    alarms.push(Uint8Array.from(results, (r) => (r.alarm ? 1 : 0)));
  }
  return { scores, alarms, cpuSeconds: cpuSeconds(started) };
}

/**
 * The oracle reference (see --oracle): pulse's day and rise channels with nothing estimated — the
 * day's NB tail and each of its rise windows' with the true expected total and the true
 * variance of the sum (Σ φμ plus the wandering noise's Σᵢ Σⱼ μᵢμⱼ(exp(σ²ρ^|i−j|) − 1)), the best
 * window's p-value by the same Hunter–Worsley bound on the true correlations of nested windows,
 * combined with pulse's shares (the CUSUM's share left unused); windows start after its own last
 * alarm at α.
 */
function runOracle(data: BenchSeries[]): MethodRun {
  const started = process.cpuUsage();
  const { riseWindows, riseShare, cusumShare } = { ...PULSE_DEFAULTS, ...pulseSettings } as typeof PULSE_DEFAULTS;
  const dayShare = 1 - riseShare - cusumShare;
  const longest = riseWindows[riseWindows.length - 1];
  const scores: Float64Array[] = [];
  const alarms: Uint8Array[] = [];
  const correlations = new Float64Array(riseWindows.length);
  for (const b of data) {
    const { means, profile } = b;
    const counts = b.series.counts;
    const offset = JUDGED_FROM - dayIndex(b.series.dates[0]);
    const sigma2 = profile.noiseSd * profile.noiseSd;
    const covariance = Array.from({ length: longest }, (_, lag) => Math.expm1(sigma2 * profile.noiseCorrelation ** lag));
    // Var of the sum of days [i, j]: the days' own variance and their noise's covariances.
    const sumVariance = (i: number, j: number) => {
      let v = 0;
      for (let a = i; a <= j; a++) {
        v += profile.dispersion * means[a] + means[a] * means[a] * covariance[0];
        for (let c = a + 1; c <= j; c++) v += 2 * means[a] * means[c] * covariance[c - a];
      }
      return v;
    };
    const score = new Float64Array(b.inOutbreak.length);
    const alarm = new Uint8Array(b.inOutbreak.length);
    // Like pulse's, the restarts reach back before the first judged day (three CUSUM memories).
    let earliest = Math.max(0, offset - 84);
    for (let t = earliest; t < counts.length; t++) {
      const pDay = nbUpperTail(counts[t], means[t], sumVariance(t, t) / means[t]);
      let observed = counts[t];
      let expected = means[t];
      let best = 0;
      let scanned = 0;
      let previous = 0;
      let previousLength = 1;
      for (let length = 2; length <= longest && t - length + 1 >= earliest; length++) {
        const i = t - length + 1;
        observed += counts[i];
        expected += means[i];
        if (length !== riseWindows[scanned]) continue;
        const variance = sumVariance(i, t);
        if (scanned > 0) correlations[scanned] = nestedCorrelation(previous, variance, sumVariance(i, t - previousLength));
        previous = variance;
        previousLength = length;
        scanned++;
        best = Math.max(best, -normalQuantile(Math.max(1e-300, nbUpperTail(observed, expected, variance / expected))));
      }
      const pRise = best >= 1 ? scanPValue(best, correlations, scanned) : 1;
      const p = Math.min(1, pDay / dayShare, pRise / riseShare);
      if (p <= alpha) earliest = t + 1;
      if (t >= offset) {
        score[t - offset] = -Math.log10(Math.max(p, 1e-300));
        alarm[t - offset] = p <= alpha ? 1 : 0;
      }
    }
    scores.push(score);
    alarms.push(alarm);
  }
  return { scores, alarms, cpuSeconds: cpuSeconds(started) };
}

/** The score cut that at most `rate` of the outbreak-free days exceed (ties stay below it). */
function matchedCut(runResult: MethodRun, data: BenchSeries[], rate: number): { cut: number; achieved: number } {
  const quiet: number[] = [];
  data.forEach((b, i) => runResult.scores[i].forEach((score, t) => b.inOutbreak[t] === 0 && quiet.push(score)));
  quiet.sort((a, b) => b - a);
  const allowed = Math.floor(rate * quiet.length);
  const cut = quiet[allowed];
  const achieved = quiet.filter((s) => s > cut).length / quiet.length;
  return { cut, achieved };
}

interface Verdict {
  level: number;
  shape: OutbreakShape;
  size: number;
  /** Days to the first alarm at the own threshold (−1: missed), and at the matched cut. */
  delay: number;
  matchedDelay: number;
}

function verdicts(runResult: MethodRun, data: BenchSeries[], cut: number): Verdict[] {
  const out: Verdict[] = [];
  data.forEach((b, i) => {
    for (const o of b.outbreaks) {
      let delay = -1;
      let matchedDelay = -1;
      for (let d = 0; d < o.days; d++) {
        const t = o.start + d;
        if (delay < 0 && runResult.alarms[i][t]) delay = d;
        if (matchedDelay < 0 && runResult.scores[i][t] > cut) matchedDelay = d;
      }
      out.push({ level: b.level, shape: o.shape, size: o.size, delay, matchedDelay });
    }
  });
  return out;
}

function falsePositiveRate(runResult: MethodRun, data: BenchSeries[]): number {
  let alarms = 0;
  let days = 0;
  data.forEach((b, i) =>
    b.inOutbreak.forEach((flag, t) => {
      if (flag) return;
      days++;
      alarms += runResult.alarms[i][t];
    }),
  );
  return alarms / days;
}

const pct = (x: number) => (Number.isNaN(x) ? '–' : `${(100 * x).toFixed(1)}%`);
const pod = (vs: Verdict[], matched: boolean) => vs.filter((v) => (matched ? v.matchedDelay : v.delay) >= 0).length / vs.length;
const medianDelay = (vs: Verdict[], matched: boolean) => {
  const delays = vs.map((v) => (matched ? v.matchedDelay : v.delay)).filter((d) => d >= 0);
  return delays.length ? ss.median(delays) : Number.NaN;
};
const isShort = (v: Verdict) => v.shape === 'spike 1d' || v.shape === 'short 3d';

function table(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const data = simulate();
  const judgedDays = data.reduce((sum, b) => sum + b.inOutbreak.length, 0);
  const outbreakCount = data.reduce((sum, b) => sum + b.outbreaks.length, 0);
  console.log(`Early-warning benchmark — seed ${seed}${quick ? ' (quick)' : ''}, α = ${alpha}`);
  console.log(`${data.length} series (${SERIES_PER_LEVEL} per level at ${LEVELS.join(', ')} a day), 4–7 years each, last 2 years judged: ${judgedDays} series-days, ${outbreakCount} outbreaks judged\n`);
  const results = new Map<Row, { run: MethodRun; cut: number; achieved: number; fpr: number; verdicts: Verdict[] }>();
  for (const method of methods) {
    const r = method === 'oracle' ? runOracle(data) : run(method, data);
    const { cut, achieved } = matchedCut(r, data, MATCHED_FPR);
    results.set(method, { run: r, cut, achieved, fpr: falsePositiveRate(r, data), verdicts: verdicts(r, data, cut) });
    process.stderr.write(`  ${method}: ${r.cpuSeconds.toFixed(1)} s CPU\n`);
  }

  console.log(`Overall (own threshold: α for pulse and farrington${values.oracle ? ' and the oracle' : ''}, the CDC thresholds for EARS; matched: score cut at 0.5 % FPR)\n`);
  console.log(
    table(
      ['method', 'FPR own', 'POD own', 'median delay own, short', 'POD at FPR 0.5%', 'FPR achieved', 'median delay at 0.5%, short', 'score cut', 'CPU s'],
      methods.map((m) => {
        const r = results.get(m)!;
        const short = r.verdicts.filter(isShort);
        return [m, pct(r.fpr), pct(pod(r.verdicts, false)), String(medianDelay(short, false)), pct(pod(r.verdicts, true)), pct(r.achieved), String(medianDelay(short, true)), r.cut.toFixed(2), r.run.cpuSeconds.toFixed(1)];
      }),
    ),
  );

  const grouped = (title: string, groups: { name: string; test: (v: Verdict) => boolean }[], withDelay: boolean) => {
    console.log(`\n${title}\n`);
    const header = ['group', 'n', ...methods.map((m) => `${m}`)];
    const rows = groups.map((g) => {
      const first = results.get(methods[0])!.verdicts.filter(g.test);
      return [
        g.name,
        String(first.length),
        ...methods.map((m) => {
          const vs = results.get(m)!.verdicts.filter(g.test);
          const cell = `${pct(pod(vs, true))} (${pct(pod(vs, false))})`;
          return withDelay ? `${cell} d=${medianDelay(vs, true)}` : cell;
        }),
      ];
    });
    console.log(table(header, rows));
  };
  const legend = 'cells: POD at matched FPR 0.5% (POD at own threshold)';
  grouped(`By outbreak size k (${legend})`, SIZES.map((k) => ({ name: `k = ${k}`, test: (v: Verdict) => v.size === k })), false);
  grouped(`By series level (${legend})`, LEVEL_GROUPS.map((g) => ({ name: g.name, test: (v: Verdict) => g.test(v.level) })), false);
  grouped(`By outbreak shape (${legend}; d = median delay in days at the matched cut)`, SHAPES.map((s) => ({ name: s, test: (v: Verdict) => v.shape === s })), true);
  grouped(
    `By size, short outbreaks only (spike, 3 days) (${legend}; d = median delay at the matched cut)`,
    SIZES.map((k) => ({ name: `k = ${k}`, test: (v: Verdict) => v.size === k && isShort(v) })),
    true,
  );

  if (values.detail) {
    for (const m of methods) {
      console.log(`\n${m}: POD at matched FPR by level (rows) and size (columns), all shapes\n`);
      const vs = results.get(m)!.verdicts;
      console.log(table(['level', ...SIZES.map((k) => `k = ${k}`)], LEVELS.map((level) => [String(level), ...SIZES.map((k) => pct(pod(vs.filter((v) => v.level === level && v.size === k), true)))])));
      console.log(`\n${m}: POD at matched FPR by shape (rows) and size (columns), all levels\n`);
      console.log(table(['shape', ...SIZES.map((k) => `k = ${k}`)], SHAPES.map((shape) => [shape, ...SIZES.map((k) => pct(pod(vs.filter((v) => v.shape === shape && v.size === k), true)))])));
    }
  }

  // False alarms by level: a single cut must not spend the whole budget on one kind of series.
  console.log('\nFPR at the matched cut by series level (the cut is shared by all series)\n');
  console.log(
    table(
      ['level', ...methods],
      LEVEL_GROUPS.map((g) => [
        g.name,
        ...methods.map((m) => {
          const r = results.get(m)!;
          let alarms = 0;
          let days = 0;
          data.forEach((b, i) => {
            if (!g.test(b.level)) return;
            b.inOutbreak.forEach((flag, t) => {
              if (flag) return;
              days++;
              if (r.run.scores[i][t] > r.cut) alarms++;
            });
          });
          return pct(alarms / days);
        }),
      ]),
    ),
  );

  if (!values['no-timing']) await timing();
  console.log(`\nbenchmark wall time ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

/**
 * Throughput jobs: what the hotspot job and a backfill ask of the detector. The series are the
 * benchmark's kind (levels in turn, a random profile each), generated in the process that judges
 * them, each from its own seed so that a process makes only its share.
 */
const THROUGHPUT_JOBS = {
  backfill: { label: 'every day of 7 years judged (a backfill: weekly refits throughout)', series: 1000, years: 7, judged: 'all', processes: 2 },
  lookBack: { label: 'the last 14 days judged (the hotspot job’s start-up look-back)', series: 860, years: 4, judged: 14, processes: 1 },
  daily: { label: 'the last day judged (the daily hotspot job)', series: 860, years: 4, judged: 1, processes: 1 },
} as const;
type ThroughputJob = keyof typeof THROUGHPUT_JOBS;
/** --quick measures a tenth of the series and scales the times up. */
const THROUGHPUT_SHARE = quick ? 0.1 : 1;

function throughputSeries(job: ThroughputJob, s: number): CountSeries {
  const { years } = THROUGHPUT_JOBS[job];
  const days = years * 365;
  const start = END - days + 1;
  const random = new Random(seed * 100_003 + s);
  const profile = randomProfile(random, LEVELS[s % LEVELS.length]);
  const dates = Array.from({ length: days }, (_, i) => dayString(start + i));
  return { dates, counts: simulateCounts(random, profile, baselineMeans(profile, start, days)) };
}

interface ThroughputReport {
  days: number;
  pulse: { cpu: number; wall: number };
  baseline: { cpu: number; wall: number };
}

/** Child process: judges every `parts`-th series of the job from `part`, with pulse and with the baseline (EARS C2). */
function throughputPart(job: ThroughputJob, part: number, parts: number): void {
  const spec = THROUGHPUT_JOBS[job];
  const count = Math.round(spec.series * THROUGHPUT_SHARE);
  const mine: CountSeries[] = [];
  for (let s = part; s < count; s += parts) mine.push(throughputSeries(job, s));
  const fromOf = (series: CountSeries) => series.dates[spec.judged === 'all' ? 28 : series.dates.length - spec.judged];
  const measure = (method: MethodName) => {
    const since = process.cpuUsage();
    const wall = performance.now();
    let days = 0;
    for (const series of mine) days += detect(series, { from: fromOf(series), method }).length;
    return { days, cpu: cpuSeconds(since), wall: (performance.now() - wall) / 1000 };
  };
  const baseline = measure('ears-c2');
  const pulse = measure('pulse');
  process.send!({ days: pulse.days, pulse: { cpu: pulse.cpu, wall: pulse.wall }, baseline: { cpu: baseline.cpu, wall: baseline.wall } } satisfies ThroughputReport);
}

/**
 * Our method's throughput on the jobs above, each in fresh processes (a backfill split over two,
 * one per core of the target machine; the hotspot job is one process), against a baseline
 * measured in the same processes: EARS C2 on the same series and days, the cheapest method that
 * still reads every day.
 */
async function timing(): Promise<void> {
  const scale = 1 / THROUGHPUT_SHARE;
  console.log(`\nThroughput of pulse (baseline: EARS C2 on the same series and days, in the same processes${quick ? `; measured on ${THROUGHPUT_SHARE * 100} % of the series and scaled ×${scale}` : ''}):\n`);
  const rows: string[][] = [];
  const allJobs = Object.keys(THROUGHPUT_JOBS) as ThroughputJob[];
  const jobs = values.jobs ? (values.jobs.split(',') as ThroughputJob[]) : allJobs;
  for (const job of jobs) if (!allJobs.includes(job)) throw new Error(`unknown throughput job ${job} (${allJobs.join(', ')})`);
  for (const job of jobs) {
    const spec = THROUGHPUT_JOBS[job];
    const reports = await Promise.all(
      Array.from({ length: spec.processes }, (_, part) => {
        const child = fork(fileURLToPath(import.meta.url), ['--seed', String(seed), '--timing-part', `${job}/${part}/${spec.processes}`, ...(quick ? ['--quick'] : [])], {
          execArgv: process.execArgv,
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        return new Promise<ThroughputReport>((resolve, reject) => {
          child.once('message', (message) => resolve(message as ThroughputReport));
          child.once('exit', (code) => code !== 0 && reject(new Error(`throughput process ${job} ${part} exited with ${code}`)));
        });
      }),
    );
    const total = (which: 'pulse' | 'baseline') => ({
      cpu: reports.reduce((sum, r) => sum + r[which].cpu, 0) * scale,
      wall: Math.max(...reports.map((r) => r[which].wall)) * scale,
    });
    const days = reports.reduce((sum, r) => sum + r.days, 0) * scale;
    const pulse = total('pulse');
    const baseline = total('baseline');
    rows.push([
      `${spec.series.toLocaleString('en')} series × ${spec.years} years, ${spec.label}`,
      days.toLocaleString('en'),
      String(spec.processes),
      pulse.wall.toFixed(1),
      pulse.cpu.toFixed(1),
      baseline.wall.toFixed(2),
      (pulse.cpu / baseline.cpu).toFixed(0),
    ]);
  }
  console.log(table(['job', 'days judged', 'processes', 'pulse wall s', 'pulse CPU s', 'EARS C2 wall s', 'CPU ratio pulse / EARS C2'], rows));
}

if (values['timing-part']) {
  const [job, part, parts] = values['timing-part'].split('/');
  throughputPart(job as ThroughputJob, Number(part), Number(parts));
} else if (values['throughput-only']) {
  const started = performance.now();
  await timing();
  console.log(`\nbenchmark wall time ${((performance.now() - started) / 1000).toFixed(0)} s`);
} else {
  await main();
}
