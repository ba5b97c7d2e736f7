import { describe, expect, it } from 'vitest';
import { isMainThread } from 'node:worker_threads';
import { runOffThread } from '../../pipelines/off-thread.js';
import { findTopics, hotTopics, type TopicTicket } from '../../pipelines/text/topics.js';
import { sqlFile } from '../../pipelines/warehouse.js';
import { insertTickets, tempWarehouse, ticket } from '../kpi/helpers.js';

const probe = new URL('./thread-probe.ts', import.meta.url);

describe('runOffThread', () => {
  it('runs the named function of a TypeScript module on another thread and returns its result', async () => {
    const result = await runOffThread<{ isMainThread: boolean; threadId: number; echoed: string[] }>(probe, 'whereAmI', [{ tickets: ['a', '停水'] }]);
    expect(isMainThread).toBe(true);
    expect(result.isMainThread).toBe(false);
    expect(result.threadId).toBeGreaterThan(0);
    expect(result.echoed).toEqual(['a', '停水']);
  });

  it("rejects with the function's own error message", async () => {
    await expect(runOffThread(probe, 'fails', ['翠苑'])).rejects.toThrow('探针失败：翠苑');
  });

  it('hot issues computed off the thread are those of the same clustering on the main thread', async () => {
    const { warehouse, close } = await tempWarehouse('off-thread');
    try {
      // 240 requests over four weeks: a water outage at one compound, street lights at another, a lost card anywhere.
      const matters = [
        ['翠苑华府整个小区停水了，什么时候恢复供水', '昌吉市延安北路街道翠苑华府3号楼'],
        ['明珠小区门口路灯不亮，晚上出行不便', '昌吉市宁边路街道明珠小区'],
        ['社保卡丢失了，怎么补办', null],
      ] as const;
      const rows = Array.from({ length: 240 }, (_, i) => ticket({ received_at: `2026-11-${String(1 + (i % 28)).padStart(2, '0')} ${String(8 + (i % 10)).padStart(2, '0')}:00:00` }));
      await insertTickets(warehouse, rows);
      for (const [i, row] of rows.entries()) {
        const [content, address] = matters[i % 3];
        await warehouse.run('update tickets set content = $content, address = $address where ticket_id = $id', { content: `来电人反映：${content}。`, address, id: row.ticket_id });
      }
      const options = { from: '2026-11-01', to: '2026-11-28', top: 5 };
      const tickets = await warehouse.all<TopicTicket>(sqlFile('text/topic_tickets.sql'), { from: options.from, to: options.to, consultations: true, praise: true });
      const offThread = await hotTopics(warehouse, options);
      expect(offThread.length).toBeGreaterThan(0);
      expect(offThread).toEqual(findTopics(tickets, options));
    } finally {
      close();
    }
  });
});
