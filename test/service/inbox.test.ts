import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFolders } from '../../pipelines/config.js';
import { ingestInbox } from '../../pipelines/inbox.js';
import type { JobProgress } from '../../pipelines/scheduler.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { tempSetup, ticketRow, writeTicketsCsv } from './helpers.js';

describe('inbox job', () => {
  const setup = tempSetup('inbox');
  const folders = dataFolders(setup.config);
  let warehouse: Warehouse;
  beforeAll(async () => {
    warehouse = await Warehouse.open(setup.config.db);
    mkdirSync(folders.inbox, { recursive: true });
  });
  afterAll(() => {
    warehouse.close();
    setup.cleanup();
  });

  const age = (path: string) => utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

  it('loads settled files, archives them, rejects what it cannot read with a reason file, and leaves files still arriving', async () => {
    const good = join(folders.inbox, '工单导出_2025-07.csv');
    writeTicketsCsv(good, [ticketRow('2025070100001'), ticketRow('2025070100002')], 'gbk');
    age(good);
    const garbage = join(folders.inbox, 'garbage.csv');
    writeFileSync(garbage, Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00, 0x10]));
    age(garbage);
    const arriving = join(folders.inbox, 'arriving.csv');
    writeTicketsCsv(arriving, [ticketRow('2025070100003')]);

    const { summaries, message } = await ingestInbox(warehouse, setup.config);
    expect(summaries.map((s) => s.status).sort()).toEqual(['loaded', 'refused']);
    expect(message).toContain('拒绝 1');
    expect((await warehouse.one<{ n: number }>('select count(*) as n from tickets'))!.n).toBe(2);
    expect(readdirSync(folders.inbox)).toEqual(['arriving.csv']);
    const archived = readdirSync(folders.archive, { recursive: true }).map(String);
    expect(archived.some((p) => p.endsWith('工单导出_2025-07.csv'))).toBe(true);
    expect(existsSync(join(folders.rejected, 'garbage.csv'))).toBe(true);
    expect(readFileSync(join(folders.rejected, 'garbage.csv.reason.txt'), 'utf8')).toMatch(/不是文本文件/);
  });

  it('archives an identical file again without loading it twice, and never overwrites the earlier copy', async () => {
    const again = join(folders.inbox, '工单导出_2025-07.csv');
    writeTicketsCsv(again, [ticketRow('2025070100001'), ticketRow('2025070100002')], 'gbk');
    age(again);
    const arriving = join(folders.inbox, 'arriving.csv');
    age(arriving);
    const { summaries } = await ingestInbox(warehouse, setup.config);
    expect(summaries.find((s) => s.file.endsWith('工单导出_2025-07.csv'))!.status).toBe('unchanged');
    expect((await warehouse.one<{ n: number }>('select count(*) as n from tickets'))!.n).toBe(3);
    const archived = readdirSync(folders.archive, { recursive: true }).map(String);
    expect(archived.filter((p) => p.includes('工单导出_2025-07')).length).toBe(2);
  });

  it('tells the service each file, its load phase in words, the rows processed and their rate (the 数据 page shows them)', async () => {
    const file = join(folders.inbox, '工单导出_2025-08.csv');
    writeTicketsCsv(file, Array.from({ length: 2000 }, (_, i) => ticketRow(`20250702${String(10000 + i)}`)));
    age(file);
    const updates: JobProgress[] = [];
    const { summaries } = await ingestInbox(warehouse, setup.config, Date.now(), { onProgress: (update) => updates.push({ ...update }) });
    expect(summaries.map((s) => s.status)).toEqual(['loaded']);
    expect(updates[0]).toMatchObject({ step: 'ingest', filesDone: 0, filesTotal: 1, file: '工单导出_2025-08.csv' });
    const phases = new Set(updates.map((u) => u.phase).filter(Boolean));
    expect(phases).toContain('读取');
    expect(phases).toContain('导入');
    const read = updates.filter((u) => u.phase === '读取').at(-1)!;
    expect(read.bytesDone).toBe(read.bytesTotal);
    expect(updates.at(-1)).toMatchObject({ step: 'refresh', rows: 2000 });
  });

  it('says it was skipped when the inbox is empty', async () => {
    expect((await ingestInbox(warehouse, setup.config)).message).toMatch(/^skipped:/);
  });
});
