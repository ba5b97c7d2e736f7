import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillHotspots, type HotspotRun } from '../../pipelines/alert-job.js';
import { loadConfig } from '../../pipelines/config.js';
import { generateDemoExports, type DemoIncident } from '../../pipelines/demo/generate.js';
import { filterOf, intersect, type SeriesFilter } from '../../pipelines/hotspots.js';
import { listIncidents, type IncidentWithMembers } from '../../pipelines/incidents.js';
import { ingestPaths } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import { deliver } from '../../pipelines/mail/send.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { startSmtp, type TestSmtp } from '../mail/smtp.js';

/**
 * The promise to a duty officer, on a fresh demo loaded through the real ingest path: each
 * injected incident in the 14-day look-back is exactly one incident and at most one e-mail (a real
 * SMTP server on loopback counts them). A smaller demo than `npm start`'s — five months at 250
 * tickets a day — with the same generator and incidents.
 */
const END = '2025-11-30';
const LOOK_BACK = 14;
const FIRST = new Date(Date.parse(`${END}T00:00:00Z`) - (LOOK_BACK - 1) * 86_400_000).toISOString().slice(0, 10);

/** What the injected incident's tickets are: its category, district and, for a compound, the compound. */
function injectedFilter(incident: DemoIncident): SeriesFilter {
  const rest = incident.address.slice(incident.district.length + incident.township.length);
  return { category_l1: incident.category_l1, category_l2: incident.category_l2, district: incident.district, ...(rest ? { place: rest } : {}) };
}

const days = (incident: DemoIncident) => {
  const start = incident.start.slice(0, 10);
  const end = new Date(Date.parse(`${incident.start.replace(' ', 'T')}Z`) + incident.hours * 3600_000).toISOString().slice(0, 10);
  return { start, end };
};

/** Incidents with an alarm on the injected incident's days in a series that shares its tickets and names a topic. */
function recordedFor(incident: DemoIncident, recorded: IncidentWithMembers[]): IncidentWithMembers[] {
  const { start, end } = days(incident);
  const tickets = injectedFilter(incident);
  return recorded.filter((r) => r.members.some((m) => m.day >= start && m.day <= end && m.category_l1 !== null && intersect(filterOf(m), tickets) !== null));
}

describe.each([12345, 2026])('a fresh demo, seed %i: one injected incident, one incident, at most one e-mail', (seed) => {
  const root = mkdtempSync(join(tmpdir(), `hotline-demo-incidents-${seed}-`));
  let warehouse: Warehouse;
  let smtp: TestSmtp;
  let injected: DemoIncident[];
  let run: HotspotRun;
  let recorded: IncidentWithMembers[];

  beforeAll(async () => {
    const demo = await generateDemoExports({ outDir: join(root, 'exports'), seed, endDate: END, years: 1, days: 150, ticketsPerDay: 250 });
    injected = demo.incidents.filter((i) => days(i).end >= FIRST && days(i).start <= END);
    warehouse = await Warehouse.open(join(root, 'demo.duckdb'));
    const summaries = await ingestPaths(warehouse, demo.files, { profiles: loadProfiles(), key: '34'.repeat(32), maxFieldBytes: 1_000_000 });
    expect(summaries.every((s) => s.status === 'loaded' && s.quarantined === 0)).toBe(true);
    smtp = await startSmtp();
    const base = loadConfig({ env: { HOTLINE_DATA_DIR: join(root, 'data') }, cwd: root });
    const config = { ...base, mail: { ...base.mail, smtp: { host: '127.0.0.1', port: smtp.port, secure: false, rejectUnauthorized: true }, to: ['值班室 <zhiban@example.gov.cn>'] } };
    // The start-up look-back, asked to notify (as the demo's start-up does).
    run = await backfillHotspots(warehouse, config, END, LOOK_BACK, { deliver: (message, to) => deliver(message, to, config.mail, { attempts: 1 }) });
    recorded = await listIncidents(warehouse, {});
  }, 300_000);
  afterAll(async () => {
    warehouse?.close();
    await smtp?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('has the water outage and the heating failure in the look-back window', () => {
    expect(injected.map((i) => i.kind).sort()).toEqual(['小区供暖故障', '小区停水']);
  });

  it('makes each injected incident exactly one incident, headed by its compound, named in full', () => {
    for (const incident of injected) {
      const found = recordedFor(incident, recorded);
      expect(found.map((r) => r.head_series), incident.kind).toHaveLength(1);
      const [one] = found;
      expect(one, incident.kind).toMatchObject({ level: 'burst', district: incident.district, township: incident.township, place: injectedFilter(incident).place, category_l2: incident.category_l2 });
      // Its wider series (the same tickets in 全辖区 / 区县 × 分类) are inside it, not incidents of their own.
      expect(new Set(one.members.map((m) => m.level)).size, incident.kind).toBeGreaterThanOrEqual(2);
    }
  });

  it('sends at most one e-mail per injected incident, with a To:, its compound in the subject and its own tickets as samples', () => {
    const byIncident = new Map<string, typeof smtp.received>();
    for (const mail of smtp.received) {
      const id = String(mail.mail.headers.get('x-hotline-incident'));
      byIncident.set(id, [...(byIncident.get(id) ?? []), mail]);
    }
    for (const [id, mails] of byIncident) expect(mails, `incident #${id}`).toHaveLength(1);
    expect(smtp.received).toHaveLength(run.mails.length);
    for (const incident of injected) {
      const [one] = recordedFor(incident, recorded);
      const mails = byIncident.get(String(one.incident_id)) ?? [];
      expect(mails.length, incident.kind).toBeLessThanOrEqual(1);
      expect(one.notified).toBe(mails.length);
      for (const { envelope, mail } of mails) {
        expect(envelope.to).toEqual(['zhiban@example.gov.cn']);
        expect(mail.subject).toContain(`${incident.category_l2} · ${incident.district} · ${one.place} · `);
        expect(mail.text).not.toContain('年一遇');
        const samples = mail.text!.slice(mail.text!.indexOf('工单示例：')).split('\n').filter((line) => /^ {2}\d/.test(line));
        expect(samples.length).toBeGreaterThan(0);
        for (const line of samples) expect(line, incident.kind).toContain(incident.address);
      }
    }
  });
});
