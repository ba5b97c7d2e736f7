import { Warehouse, sqlFile } from './pipelines/warehouse.js';
import { chooseMapping, loadProfiles } from './pipelines/ingest/profiles.js';
import { mappingSql } from './pipelines/ingest/mapping.js';
import { csvRelation } from './pipelines/ingest/source.js';
const csv = '/tmp/ingest-bench5/tickets.csv';
const headers = '工单编号,受理时间,来源渠道,诉求类型,一级分类,二级分类,三级分类,诉求内容,诉求地址,所属区县,乡镇街道,诉求人,联系电话,办理方式,承办单位,协办单位,派单时间,签收时间,办理时限,办结时间,工单状态,退单次数,是否涉企,是否紧急,回访时间,回访结果,是否解决'.split(',');
const rel = csvRelation(csv, headers.length, { numbered: false });
const m = chooseMapping(loadProfiles(), headers);
const full = mappingSql(m, headers, { source: rel, rowNumbers: false });
const badStart = full.indexOf('coalesce(', full.indexOf('checked as ('));
const badEnd = full.indexOf(' as bad\n');
const variants: Record<string, [string, string]> = {
  full: [full, ''],
  'masks off': [full, `create or replace temp macro hp_mask_text(x) as (x); create or replace temp macro hp_squash(x) as (x); create or replace temp macro hp_mask_name(x, n) as (x); create or replace temp macro hp_safe_text(x) as (x);`],
  'bad off': [full.slice(0, badStart) + 'false' + full.slice(badEnd), ''],
  'ts slow off': [full.replaceAll(/hp_parse_ts\(([^,]+), \[[^\]]*\]\)/g, 'null::timestamp'), ''],
  'hash off': [full.replace("sha256($key || ':' || sha256($key || ':' || typed.v_phone_digits))", 'typed.v_phone_digits'), ''],
  'read only': [`select ${headers.map((_, i) => `c${i}`).join(', ')}, false as bad, 'x' as content from ${rel}`, ''],
};
const results: Record<string, number[]> = {};
for (let round = 0; round < 3; round++) for (const [name, [sql, extra]] of Object.entries(variants)) {
  const w = await Warehouse.open(':memory:');
  await w.run(sqlFile('ingest/macros.sql'));
  if (extra) await w.run(extra);
  const c = process.cpuUsage();
  await w.run(`select count(*), max(content), ${name === 'read only' ? headers.map((_, i) => `max(c${i})`).join(', ') : 'max(phone_hash), max(received_at), max(address), max(callback_at), max(status), max(unit)'} from (${sql}) where not bad`, sql.includes('$key') ? { key: 'ab'.repeat(32) } : {});
  const d = process.cpuUsage(c);
  (results[name] ??= []).push((d.user + d.system) / 1e6);
  w.close();
}
for (const [k, v] of Object.entries(results)) console.log(k.padEnd(16), v.map((x) => x.toFixed(2)).join('  '), ' median', [...v].sort((a, b) => a - b)[1].toFixed(2));
