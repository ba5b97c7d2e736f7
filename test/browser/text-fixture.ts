/**
 * What the text models need in the browser tests' warehouse: tickets no operator categorised, two
 * filed under a category their text plainly contradicts, one returned by a unit that never handles
 * its matter, and a trained text model (so that 诉求分析
 * lists 疑似分类不符, 承办单位 lists the returned tickets with a suggested unit, and 热点话题 has
 * issues across categories).
 */
import type { Config } from '../../pipelines/config.js';
import { trainTextModels } from '../../pipelines/text/train.js';
import type { Warehouse } from '../../pipelines/warehouse.js';

export const MISFILED_TICKETS = ['TXT-M1', 'TXT-M2'];

export async function addTextCases(warehouse: Warehouse, config: Config): Promise<void> {
  const rows: [string, string, string, string | null, string][] = [
    // filed as 欠薪, about building noise; filed as 停水, about unpaid wages
    ['TXT-M1', '2025-07-18 09:30:00', '劳动和社会保障', '欠薪', '宁边路街道噪声扰民问题，楼下工地夜间施工噪声很大，请尽快处理'],
    ['TXT-M2', '2025-07-19 10:30:00', '供水', '停水', '延安北路街道欠薪问题，包工头拖欠农民工工资，请尽快处理'],
    ['TXT-U1', '2025-07-25 11:00:00', '未分类', null, '三工镇供暖不热问题，家里暖气不热，请尽快处理'],
    ['TXT-U2', '2025-07-26 15:00:00', '未分类', null, '博峰街道物业管理问题，物业不作为，请尽快处理'],
  ];
  for (const [id, at, l1, l2, content] of rows) {
    await warehouse.run(
      `insert into tickets (ticket_id, received_at, channel, appeal_type, category_l1, category_l2, content, district, township, handling, status, source_profile, first_run_id, last_run_id, activity_at)
       values ($id, $at, '网站', '投诉', $l1, $l2, $content, '昌吉市', '宁边路街道', '直接答复', '已办结', 'test', 1, 1, $at)`,
      { id, at, l1, l2, content },
    );
  }
  // Returned by the unit it went to, which never handles noise: the routing history suggests another.
  await warehouse.run(
    `insert into tickets (ticket_id, received_at, channel, appeal_type, category_l1, category_l2, content, district, township, handling, unit, dispatched_at, returned_count, status, source_profile, first_run_id, last_run_id, activity_at)
     values ('TXT-R1', '2025-07-27 09:00:00', '电话', '投诉', '环境保护', '噪声扰民', '宁边路街道噪声扰民问题，广场舞音响声音太大，请尽快处理', '昌吉市', '宁边路街道',
             '转办', '昌吉市供热公司', '2025-07-27 09:20:00', 1, '办理中', 'test', 1, 1, '2025-07-27 09:20:00')`,
  );
  const outcome = await trainTextModels(warehouse, config, { now: new Date('2025-08-01T00:00:00Z') });
  if (outcome.status !== 'trained') throw new Error(`text fixture: ${outcome.message}`);
}
