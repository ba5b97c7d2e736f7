import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../pipelines/warehouse.js';

/**
 * A report-sized warehouse built by SQL alone: ~60 tickets a day from 2024-06-01 to 2025-08-31,
 * with extra noise complaints in summer, four districts × four departments as handling units,
 * callbacks, repeat callers and calls. Deterministic (hash-based), independent of the demo
 * generator, so the report tests only move when the reports or the KPIs do.
 */
const FIXTURE_SQL = `
create temporary macro h64(a, b) as (hash(a, b) % 1000000007)::bigint;

insert into units
select district || dept as unit, '县市部门' as unit_kind, district, 1
from (values ('昌吉市'), ('阜康市'), ('玛纳斯县'), ('奇台县')) d(district),
     (values ('住房和城乡建设局'), ('生态环境局'), ('人力资源和社会保障局'), ('水务局')) u(dept);

create temporary table draft as
with base as (
  select i, timestamp '2024-06-01 00:00:00' + to_seconds(i * 1440 + h64(i, 'jitter') % 1400) as received_at
  from range(0, 457 * 60) t(i)
  union all
  -- summer noise: three more a day from May to September, mostly in the evening
  select 1000000 + i, timestamp '2024-06-01 17:00:00' + to_days(i // 3) + to_seconds(h64(i, 'n') % 21600)
  from range(0, 457 * 3) t(i)
  where month(timestamp '2024-06-01' + to_days(i // 3)) between 5 and 9
),
classified as (
  select
    i, received_at,
    case when i >= 1000000 then 5 else h64(i, 'cat') % 10 end as c,
    ['昌吉市', '阜康市', '玛纳斯县', '奇台县'][1 + h64(i, 'd') % 4] as district,
    h64(i, 'h') % 100 as h,
  from base
)
select
  'R' || lpad(i::varchar, 8, '0') as ticket_id,
  received_at,
  ['电话', '电话', '电话', '微信', '网站', '移动APP'][1 + h64(i, 'ch') % 6] as channel,
  ['咨询', '投诉', '求助', '投诉', '建议', '举报'][1 + h64(i, 'ap') % 6] as appeal_type,
  ['城乡建设', '城乡建设', '环境保护', '供水', '劳动和社会保障', '环境保护', '供暖', '政务服务', '城乡建设', '市场监管'][1 + c] as category_l1,
  ['物业管理', '市政设施', '大气污染', '停水', '欠薪', '噪声扰民', '供暖不热', '办事咨询', '房屋建设', '消费维权'][1 + c] as category_l2,
  ['物业不作为，楼道垃圾无人清理', '路灯不亮', '工地扬尘严重', '小区突然停水', '工程完工拖欠工资', '夜间施工噪声扰民', '暖气不热', '咨询办事流程', '新房墙体开裂', '商家拒绝退款'][1 + c] as content,
  district || ['幸福小区', '阳光花园', '天山苑', '绿洲家园', '和谐苑'][1 + h64(i, 'a') % 5] || (1 + h64(i, 'b') % 3)::varchar || '号楼' as address,
  district,
  district || ['第一街道', '第二街道', '第三镇'][1 + h64(i, 't') % 3] as township,
  case when h < 85 then 'p' || (h64(i, 'ph') % 4000)::varchar end as phone_hash,
  case when h < 50 then '直接答复' else '转办' end as handling,
  case when h >= 50 then district || ['住房和城乡建设局', '住房和城乡建设局', '生态环境局', '水务局', '人力资源和社会保障局', '生态环境局', '住房和城乡建设局', '住房和城乡建设局', '住房和城乡建设局', '生态环境局'][1 + c] end as unit,
  h, i, c,
from classified;

insert into tickets
select
  ticket_id, received_at, channel, appeal_type, category_l1, category_l2, null, content, address, district, township, phone_hash,
  handling, unit, null,
  case when handling = '转办' then received_at + interval 20 minute end as dispatched_at,
  case when handling = '转办' then received_at + to_minutes(20 + h64(i, 's') % 180) end as signed_at,
  case when handling = '转办' then received_at + interval 5 day end as deadline_at,
  case when handling = '转办' and h % 17 <> 0 then received_at + to_hours(4 + h64(i, 'c') % (100 + h64(unit, 'slow') % 60)) end as completed_at,
  case when handling = '直接答复' then '已办结' when h % 17 = 0 then '办理中' else '已办结' end as status,
  case when h64(i, 'r') % 30 = 0 then 1 else 0 end as returned_count,
  h64(i, 'e') % 12 = 0 as is_enterprise,
  false as is_urgent,
  case when handling = '转办' and h % 17 <> 0 and h % 3 <> 0 then received_at + interval 7 day end as callback_at,
  case when handling = '转办' and h % 17 <> 0 and h % 3 <> 0 then case when h64(i, 'sat' || unit) % 25 = 0 then '不满意' when h64(i, 'sat') % 5 = 0 then '基本满意' else '满意' end end as satisfaction,
  case when handling = '转办' and h % 17 <> 0 and h % 3 <> 0 then case when h64(i, 'res') % 20 = 0 then '未解决' else '已解决' end end as resolved,
  'fixture', 1, 1,
  received_at + interval 7 day as activity_at,
  null as likes, null as dislikes,
  true as handling_given,
from draft;

insert into calls
select
  'C' || i::varchar, timestamp '2024-06-01 00:00:00' + to_seconds(i * 2400), '综合', false,
  case when h64(i, 'ans') % 40 <> 0 then timestamp '2024-06-01 00:00:00' + to_seconds(i * 2400 + h64(i, 'w') % 30) end,
  null, null, null, 'fixture', 1, 1, timestamp '2024-06-01 00:00:00' + to_seconds(i * 2400 + 60)
from range(0, 457 * 36) t(i);
`;

/** The fixture's last day: reports cover 2025-08 and summer 2025. */
export const FIXTURE_END = '2025-08-31';

export async function reportWarehouse(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `hotline-report-${prefix}-`));
  const db = join(dir, 'warehouse.duckdb');
  const warehouse = await Warehouse.open(db);
  await warehouse.run(FIXTURE_SQL);
  // The command-line tests open the same file through the instance cache: make the rows durable.
  await warehouse.checkpoint();
  return {
    warehouse,
    dir,
    db,
    close() {
      warehouse.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
