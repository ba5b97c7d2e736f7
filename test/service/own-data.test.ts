import { existsSync, mkdirSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataFolders } from '../../pipelines/config.js';
import { startService, type Service } from '../../pipelines/service.js';
import { addUser, usersFile } from '../../pipelines/users.js';
import { listArchivedReports } from '../../reports/archive.js';
import { tempSetup, ticketRow, writeTicketsCsv } from './helpers.js';

/** Polls `done` every 250 ms until it holds or `ms` have passed (the assertions after it tell what is missing). */
async function until(done: () => Promise<boolean>, ms: number): Promise<void> {
  for (let waited = 0; waited < ms && !(await done()); waited += 250) await new Promise((r) => setTimeout(r, 250));
}

/**
 * A city's first start with its own export in the inbox (no demo): 预警 must not stay an empty list
 * until the next 06:30. The start-up work looks back over the last 14 days of the data, records what
 * it finds without mailing anybody (days gone by), and the page says when the check ran and what it
 * said — here, that the data begins on 2025-07-01 and is too short to judge. Once only.
 */
describe('the first start on a city’s own export', () => {
  const setup = tempSetup('own-data');
  let service: Service | undefined;
  afterAll(async () => {
    await service?.stop();
    setup.cleanup();
  });

  async function hotspotRuns(s: Service) {
    return s.warehouse.all<{ trigger: string; status: string; message: string }>(`select trigger, status, message from job_runs where job = 'hotspots-backfill' order by run_id`);
  }

  async function startedUntilLookedBack(): Promise<Service> {
    const s = await startService(setup.config, { port: 0 });
    await s.ready;
    // the start-up work runs after the server listens: wait for its last step, the monthly report
    // (built on the first start only)
    await until(async () => Number((await s.warehouse.one<{ n: number }>(`select count(*) as n from job_runs where trigger = 'startup' and job = 'monthly-report'`))!.n) > 0, 60_000);
    return s;
  }

  it('looks back over the data’s last 14 days once, records only, and 预警 says what the check found', async () => {
    const { inbox, outbox } = dataFolders(setup.config);
    mkdirSync(inbox, { recursive: true });
    const file = join(inbox, 'tickets.csv');
    writeTicketsCsv(file, [ticketRow('2025070100001'), ticketRow('2025070100002', { 受理时间: '2025-07-01 10:00:00' })]);
    const past = new Date(Date.now() - 120_000);
    utimesSync(file, past, past);

    service = await startedUntilLookedBack();
    const [run] = await hotspotRuns(service);
    expect(run).toMatchObject({ trigger: 'startup', status: 'ok' });
    // the days before the export's first day are told as such, not as days after its end
    expect(run.message).toContain('数据始于 2025-07-01，2025-06-18 至 2025-06-30 没有工单数据，未检验');
    expect(run.message).not.toContain('数据截止于');
    expect(run.message).toContain('没有事件，未发送邮件');
    expect(existsSync(outbox) ? readdirSync(outbox).filter((f) => f.endsWith('.eml')) : []).toEqual([]);
    // The archive holds the report of the data's month (2025-07), not nothing because the calendar's
    // last month (long after the export) has no tickets.
    expect(listArchivedReports(setup.config.dataDir).map((r) => [r.kind, r.inputs.month])).toEqual([['monthly', '2025-07']]);

    addUser(usersFile(setup.config), 'leader', 'leader', 'a long enough password');
    const login = await fetch(new URL('api/login', service.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'leader', password: 'a long enough password' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const alerts = await (await fetch(new URL('api/alerts', service.url), { headers: { cookie } })).json();
    expect(alerts.incidents).toEqual([]);
    expect(alerts.dailyCheck).toBe('30 6 * * *');
    expect(alerts.lastCheck).toMatchObject({ job: 'hotspots-backfill', status: 'ok' });
    expect(alerts.lastCheck.message).toContain('数据始于 2025-07-01');

    // a second start finds the check has run: no second look-back
    await service.stop();
    service = await startedUntilLookedBack();
    expect(await hotspotRuns(service)).toHaveLength(1);
  }, 180_000);
});

describe('a city’s own export loaded into a running service (serve --no-demo, then the upload)', () => {
  const setup = tempSetup('own-data-later');
  let service: Service | undefined;
  afterAll(async () => {
    await service?.stop();
    setup.cleanup();
  });

  it('gets the same first look as at start-up — a look-back recorded only and a 月报 in the archive — once', async () => {
    service = await startService(setup.config, { port: 0, demo: false });
    await service.ready;
    const runs = () => service!.warehouse.all<{ job: string; trigger: string; status: string; message: string }>(`select job, trigger, status, message from job_runs order by run_id`);
    expect((await runs()).map((r) => r.job)).not.toContain('hotspots-backfill'); // nothing to look at yet

    const { inbox, outbox } = dataFolders(setup.config);
    const file = join(inbox, 'tickets.csv');
    writeTicketsCsv(file, [ticketRow('2025070100001'), ticketRow('2025070100002', { 受理时间: '2025-07-01 10:00:00' })]);
    const past = new Date(Date.now() - 120_000);
    utimesSync(file, past, past);
    // what the 数据 page's upload does
    expect((await service.scheduler.run('ingest-inbox', 'manual')).status).toBe('ok');
    await until(async () => (await runs()).some((r) => r.job === 'monthly-report' && r.status !== 'running'), 60_000);
    const after = (await runs()).filter((r) => r.trigger === 'after-load');
    expect(after.map((r) => r.job)).toEqual(['text-models', 'hotspots-backfill', 'ingest-inbox', 'monthly-report']);
    expect(after[1].message).toContain('数据始于 2025-07-01');
    expect(after[1].message).toContain('没有事件，未发送邮件');
    expect(existsSync(outbox) ? readdirSync(outbox).filter((f) => f.endsWith('.eml')) : []).toEqual([]);
    expect(listArchivedReports(setup.config.dataDir).map((r) => [r.kind, r.inputs.month])).toEqual([['monthly', '2025-07']]);

    // a second load finds it all done: only the text model is tried again (it had too few tickets)
    writeTicketsCsv(join(inbox, 'more.csv'), [ticketRow('2025070200001', { 受理时间: '2025-07-02 09:00:00' })]);
    utimesSync(join(inbox, 'more.csv'), past, past);
    await service.scheduler.run('ingest-inbox', 'manual');
    await until(async () => (await runs()).filter((r) => r.job === 'text-models' && r.status !== 'running').length === 2, 30_000);
    await new Promise((r) => setTimeout(r, 1000)); // (anything it would do next is queued by now)
    await service.scheduler.idle();
    expect((await runs()).filter((r) => r.trigger === 'after-load').map((r) => r.job)).toEqual(['text-models', 'hotspots-backfill', 'ingest-inbox', 'monthly-report', 'text-models']);
  }, 180_000);
});
