/**
 * Alert benchmark (npm run bench:alerts): how long the hotspot jobs take on the demo, and how many
 * false incidents a month the current settings give on quiet data.
 *
 * The demo: `hotline demo`'s generator and the real ingest path (seed 12345, four years at 800
 * tickets a day, ending 2025-11-30 so that the water outage and the heating failure fall in the
 * last 14 days), or --db FILE --manifest FILE for one already built (copied, never changed).
 *
 * Timings, each a ratio against a baseline measured in the same run — judging one day without
 * recording anything (the series query and the detector on every series):
 *   - the daily job for one day (judge, record incidents, mail them to an outbox);
 *   - the start-up 14-day look-back (a replay of 14 days, one mail per incident at the end).
 *
 * False incidents: (a) the demo replayed over its last --days days (default 365) — an incident
 * none of whose series shares tickets with an injected incident on its days is false; (b)
 * simulated quiet series (test/detect/simulate.ts: trend, seasons, weekdays, holidays, Spring
 * Festival, NB noise, no outbreak at all), one for each demo series at that series' own level,
 * judged over the same number of days. Both per 30 days. --write stores the figures in
 * pipelines/false-incidents.json, which the e-mails and the 预警 page quote.
 *
 * Usage: npx tsx test/bench/alerts.ts [--quick] [--days N] [--write] [--db FILE --manifest FILE] [--keep]
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { backfillHotspots, dailyHotspots, pulseDetector, type Deliver } from '../../pipelines/alert-job.js';
import { loadConfig, type Config } from '../../pipelines/config.js';
import { dayIndex } from '../../pipelines/detect/calendar.js';
import { generateDemoExports, MANIFEST_FILE, type DemoIncident, type DemoManifest } from '../../pipelines/demo/generate.js';
import { FALSE_INCIDENTS_FILE, falseIncidentSentence, type FalseIncidentRate } from '../../pipelines/false-incidents.js';
import { addDays, DEFAULT_HOTSPOT_SETTINGS, filterOf, intersect, judgeDays, loadSeries, type SeriesFilter, type SeriesSet } from '../../pipelines/hotspots.js';
import { groupAlarms, listIncidents, memberOfAlarm, seriesName, type IncidentWithMembers } from '../../pipelines/incidents.js';
import { ingestPaths } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import { deliver } from '../../pipelines/mail/send.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { baselineMeans, Random, randomProfile, simulateCounts } from '../detect/simulate.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    days: { type: 'string' },
    write: { type: 'boolean', default: false },
    db: { type: 'string' },
    manifest: { type: 'string' },
    keep: { type: 'boolean', default: false },
    seed: { type: 'string', default: '12345' },
  },
});
const quick = values.quick;
const END = '2025-11-30';
const replayDays = Number(values.days ?? (quick ? 60 : 365));
const seed = Number(values.seed);
const dir = mkdtempSync(join(tmpdir(), 'hotline-bench-alerts-'));
const seconds = (ms: number) => (ms / 1000).toFixed(2);
const log = (message: string) => process.stderr.write(`  ${message}\n`);

/** A fresh copy of the demo warehouse (the jobs write incidents into it). */
async function demoCopy(source: string, name: string, key: string): Promise<{ warehouse: Warehouse; config: Config }> {
  const db = join(dir, `${name}.duckdb`);
  copyFileSync(source, db);
  const config = loadConfig({ env: { HOTLINE_DATA_DIR: join(dir, name), HOTLINE_DB: db, HOTLINE_KEY_FILE: key }, cwd: dir });
  return { warehouse: await Warehouse.open(db), config };
}

async function buildDemo(): Promise<{ db: string; manifest: DemoManifest; key: string }> {
  if (values.db) {
    if (!values.manifest) throw new Error('--db needs --manifest (the demo export folder\'s .demo-manifest.json)');
    return { db: values.db, manifest: JSON.parse(readFileSync(values.manifest, 'utf8')), key: join(dir, 'hotline.key') };
  }
  const exports = join(dir, 'exports');
  const years = quick ? 1 : 4;
  const perDay = quick ? 300 : 800;
  log(`generating the demo (seed ${seed}, ${years} years × ${perDay} a day, ending ${END}) …`);
  const demo = await generateDemoExports({ outDir: exports, seed, endDate: END, years, ticketsPerDay: perDay });
  const db = join(dir, 'demo.duckdb');
  const warehouse = await Warehouse.open(db);
  await ingestPaths(warehouse, demo.files, { profiles: loadProfiles(), key: 'be'.repeat(32), maxFieldBytes: 1_000_000 });
  await warehouse.checkpoint();
  warehouse.close();
  return { db, manifest: JSON.parse(readFileSync(join(exports, MANIFEST_FILE), 'utf8')), key: join(dir, 'hotline.key') };
}

const outboxOnly = (config: Config): Deliver => (message, to) => deliver(message, to, { ...config.mail, smtp: undefined });

// ---------------------------------------------------------------------------------------------
// Timings

/** Wall-clock and CPU time (this process, DuckDB's threads included) of `run`. */
async function measured<T>(run: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = await run();
  const used = process.cpuUsage(cpu);
  return { value, wall: performance.now() - t, cpu: (used.user + used.system) / 1000 };
}

async function timings(source: string, key: string) {
  const detector = await pulseDetector();
  // Baseline: judge the last day for every series, nothing recorded. Twice, before and after the
  // jobs, the faster counted: the first run also pays for warming up the JIT and the file cache.
  const judgeOnly = async (name: string) => {
    const { warehouse } = await demoCopy(source, name, key);
    try {
      return await measured(async () => {
        const t = performance.now();
        const set = await loadSeries(warehouse, END);
        const loaded = performance.now() - t;
        await judgeDays(set, [END], detector);
        return { set, loaded };
      });
    } finally {
      warehouse.close();
    }
  };
  const before = await judgeOnly('baseline-1');
  let copy = await demoCopy(source, 'daily', key);
  const daily = await measured(() => dailyHotspots(copy.warehouse, copy.config, { day: END, detector, deliver: outboxOnly(copy.config) }));
  copy.warehouse.close();
  copy = await demoCopy(source, 'lookback', key);
  const lookback = await measured(() => backfillHotspots(copy.warehouse, copy.config, END, 14, { detector, deliver: outboxOnly(copy.config) }));
  copy.warehouse.close();
  const after = await judgeOnly('baseline-2');
  const baseline = after.wall < before.wall ? after : before;
  const { set, loaded } = baseline.value;

  console.log(`\nAlert jobs on the demo (${set.series.length} series judged, ${set.dates.length} days of history, ending ${END}):`);
  console.log('| run | seconds | CPU seconds | ratio |');
  console.log('|---|---:|---:|---:|');
  const row = (name: string, m: { wall: number; cpu: number }) => console.log(`| ${name} | ${seconds(m.wall)} | ${seconds(m.cpu)} | ${(m.wall / baseline.wall).toFixed(2)} |`);
  row(`baseline: judge one day, record nothing (series query ${seconds(loaded)} s + detector)`, baseline);
  row('daily job, one day (judge, bursts, incidents, mail, digest)', daily);
  row('start-up look-back, 14 days (replay, one mail per incident)', lookback);
  console.log(`  look-back steps (ms): ${JSON.stringify(lookback.value.timings)}; mails: ${lookback.value.mails.map((m) => m.subject).join(' / ') || 'none'}`);
  console.log(`  daily job: ${daily.value.split('\n')[0]}`);
}

// ---------------------------------------------------------------------------------------------
// False incidents on the demo's quiet days

/** The tickets of an injected incident: its topic and district, and its compound when it has one. */
function injectedFilter(incident: DemoIncident): SeriesFilter {
  const rest = incident.address.slice(incident.district.length + incident.township.length);
  return { category_l1: incident.category_l1, category_l2: incident.category_l2, district: incident.district, ...(rest ? { place: rest } : {}) };
}

/** A topic member's requests of its day: category, district and compound (a topic names no category). */
type TopicTickets = Map<string, SeriesFilter[]>;
const topicKey = (m: { incident_id?: number; series_key: string; day: string }) => `${m.incident_id}|${m.series_key}|${m.day}`;

async function topicTickets(warehouse: Warehouse): Promise<TopicTickets> {
  const rows = await warehouse.all<{ incident_id: number; series_key: string; day: string; category_l1: string | null; category_l2: string | null; district: string | null; place: string | null }>(
    `select d.incident_id, d.series_key, strftime(d.day, '%Y-%m-%d') as day, t.category_l1, t.category_l2, t.district, t.place
     from (select incident_id, series_key, day, unnest(ticket_ids) as ticket_id from alert_days where series_key like 'topic=%') as d
     join stg_tickets as t on t.ticket_id = d.ticket_id and t.received_at::date = d.day`,
  );
  const out: TopicTickets = new Map();
  for (const r of rows) {
    const key = topicKey({ incident_id: Number(r.incident_id), series_key: r.series_key, day: r.day });
    const list = out.get(key) ?? [];
    list.push({ category_l1: r.category_l1 ?? undefined, category_l2: r.category_l2 ?? undefined, district: r.district ?? undefined, ...(r.place ? { place: r.place } : {}) });
    out.set(key, list);
  }
  return out;
}

function isInjected(recorded: IncidentWithMembers, injected: DemoIncident[], topics: TopicTickets): boolean {
  return injected.some((incident) => {
    const start = incident.start.slice(0, 10);
    const end = addDays(start, Math.ceil(incident.hours / 24) + 1);
    const tickets = injectedFilter(incident);
    const inside = (f: SeriesFilter) => f.category_l2 === tickets.category_l2 && f.district === tickets.district && (!tickets.place || f.place === tickets.place);
    return recorded.members.some((m) => {
      if (m.day < start || m.day > end) return false;
      // A topic names no category: it is the incident's when at least half of its day's requests are.
      if (m.level === 'topic') {
        const own = topics.get(topicKey({ incident_id: recorded.incident_id, series_key: m.series_key, day: m.day })) ?? [];
        return own.length > 0 && 2 * own.filter(inside).length >= own.length;
      }
      // A series that shares its tickets: the incident's district or category, or one compound of a street's noise.
      return intersect(filterOf(m), tickets) !== null;
    });
  });
}

async function demoFalseIncidents(source: string, key: string, manifest: DemoManifest) {
  const { warehouse, config } = await demoCopy(source, 'replay', key);
  const first = addDays(END, -(replayDays - 1));
  log(`replaying the demo's last ${replayDays} days (${first} … ${END}) …`);
  const t = performance.now();
  const run = await backfillHotspots(warehouse, config, END, replayDays, { detector: await pulseDetector() });
  const ms = performance.now() - t;
  const incidents = await listIncidents(warehouse, {});
  const topics = await topicTickets(warehouse);
  warehouse.close();
  const injected = manifest.incidents.filter((i) => i.start.slice(0, 10) >= addDays(first, -3) && i.start.slice(0, 10) <= END);
  const falseOnes = incidents.filter((i) => !isInjected(i, injected, topics)).sort((a, b) => a.first_day.localeCompare(b.first_day));
  const found = injected.filter((incident) => incidents.some((i) => isInjected(i, [incident], topics)));
  const perMonth = (falseOnes.length / replayDays) * 30.44;
  console.log(`\nFalse incidents on the demo's quiet days (${replayDays} days replayed in ${seconds(ms)} s; ${run.days[0]?.tested ?? 0} series a day):`);
  // Each injected incident should be exactly one recorded incident.
  const recordedFor = (incident: DemoIncident) => incidents.filter((i) => isInjected(i, [incident], topics)).length;
  console.log(`  injected incidents in the span: ${injected.length}, found: ${found.length} (${found.map((i) => `${i.kind} ×${recordedFor(i)}`).join('、')}; ×n: recorded as n incidents)`);
  console.log(`  other incidents: ${falseOnes.length} → ${perMonth.toFixed(2)} a month`);
  for (const i of falseOnes) console.log(`    #${i.incident_id} ${i.first_day}${i.last_day !== i.first_day ? `–${i.last_day.slice(5)}` : ''} ${seriesName(i)}: ${i.peak_count} 件，预期 ${i.peak_expected.toFixed(1)}，校正后 p ${i.p_value?.toExponential(1)}`);
  const lookbackFirst = addDays(END, -13);
  console.log(`  of which in the 14-day look-back (${lookbackFirst} … ${END}): ${falseOnes.filter((i) => i.last_day >= lookbackFirst).map((i) => `#${i.incident_id} ${seriesName(i)}`).join('；') || 'none'}`);
  return { days: replayDays, falseIncidents: falseOnes.length, perMonth, series: run.days[0]?.tested ?? 0 };
}

// ---------------------------------------------------------------------------------------------
// False incidents on simulated quiet series

async function simulatedFalseIncidents(levels: number[], detector: Awaited<ReturnType<typeof pulseDetector>>) {
  const random = new Random(seed);
  const historyDays = DEFAULT_HOTSPOT_SETTINGS.historyDays + replayDays;
  const start = dayIndex(END) - historyDays + 1;
  const dates = Array.from({ length: historyDays }, (_, i) => addDays(END, i - historyDays + 1));
  const set: SeriesSet = {
    dates,
    series: levels.map((level, i) => {
      const profile = randomProfile(random, level);
      const counts = simulateCounts(random, profile, baselineMeans(profile, start, historyDays));
      return { info: { level: 'l1', series_key: `l1=模拟${i}`, category_l1: `模拟${i}`, category_l2: null, district: null }, counts, total: counts.reduce((a, b) => a + b, 0) };
    }),
    skipped: {},
    dataStart: dates[0],
    dataEnd: END,
  };
  const judged = dates.slice(-replayDays);
  log(`judging ${levels.length} simulated quiet series over ${replayDays} days …`);
  const t = performance.now();
  const verdicts = await judgeDays(set, judged, detector);
  // Incidents as the job makes them: a day's groups, continued while the same series alarms again within the quiet days.
  const lastAlarm = new Map<string, string>();
  let incidents = 0;
  for (const verdict of verdicts) {
    for (const group of groupAlarms(verdict.day, verdict.alarms.map((a) => memberOfAlarm(a, verdict.tested)), verdict.observed)) {
      const continued = group.members.some((m) => {
        const last = lastAlarm.get(m.series_key);
        return last !== undefined && last >= addDays(verdict.day, -DEFAULT_HOTSPOT_SETTINGS.quietDays);
      });
      if (!continued) incidents++;
      for (const m of group.members) lastAlarm.set(m.series_key, verdict.day);
    }
  }
  const alarms = verdicts.reduce((s, v) => s + v.alarms.length, 0);
  const tested = verdicts.reduce((s, v) => s + v.tested, 0);
  const perMonth = (incidents / replayDays) * 30.44;
  console.log(`\nFalse incidents on simulated quiet series (${levels.length} series at the demo series' levels, ${replayDays} days, ${seconds(performance.now() - t)} s):`);
  console.log(`  alarming series-days: ${alarms} of ${tested} (${((alarms / Math.max(tested, 1)) * 100).toFixed(3)} %); incidents: ${incidents} → ${perMonth.toFixed(2)} a month`);
  return { seed, days: replayDays, series: levels.length, falseIncidents: incidents, perMonth };
}

// ---------------------------------------------------------------------------------------------

try {
  const demo = await buildDemo();
  await timings(demo.db, demo.key);
  const onDemo = await demoFalseIncidents(demo.db, demo.key, demo.manifest);
  // One simulated series per demo series, at its mean level over the last year.
  const { warehouse } = await demoCopy(demo.db, 'levels', demo.key);
  const levels = (await loadSeries(warehouse, END)).series.map((s) => s.counts.slice(-365).reduce((a, b) => a + b, 0) / 365);
  warehouse.close();
  const simulated = await simulatedFalseIncidents(levels, await pulseDetector());
  const rate: FalseIncidentRate = {
    command: `npm run bench:alerts -- --write${quick ? ' --quick' : ''}${values.days ? ` --days ${values.days}` : ''}`,
    measuredOn: new Date().toISOString().slice(0, 10),
    settings: Object.fromEntries(Object.entries(DEFAULT_HOTSPOT_SETTINGS)),
    demo: { seed, ...onDemo },
    simulated,
  };
  console.log(`\n${falseIncidentSentence(rate)}`);
  if (values.write) {
    writeFileSync(FALSE_INCIDENTS_FILE, JSON.stringify(rate, null, 2) + '\n');
    console.log(`written to ${FALSE_INCIDENTS_FILE}`);
  }
} finally {
  if (values.keep) console.log(`kept in ${dir}`);
  else if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}
