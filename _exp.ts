import { rmSync } from 'node:fs';
import { Warehouse, sqlFile } from './pipelines/warehouse.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { chooseMapping, loadProfiles } from './pipelines/ingest/profiles.js';
import { mappingSql, STORED_COLUMNS } from './pipelines/ingest/mapping.js';
import { csvRelation } from './pipelines/ingest/source.js';
const csv = process.env.CSV ?? '/tmp/ingest-bench5/tickets.csv';
const headers = '工单编号,受理时间,来源渠道,诉求类型,一级分类,二级分类,三级分类,诉求内容,诉求地址,所属区县,乡镇街道,诉求人,联系电话,办理方式,承办单位,协办单位,派单时间,签收时间,办理时限,办结时间,工单状态,退单次数,是否涉企,是否紧急,回访时间,回访结果,是否解决'.split(',');
const rel = csvRelation(csv, headers.length, { numbered: false });
const m = chooseMapping(loadProfiles(), headers);
const full = mappingSql(m, headers, { source: rel, rowNumbers: false });
const badStart = full.indexOf('coalesce(', full.indexOf('checked as ('));
const badEnd = full.indexOf(' as bad\n');
const variants: Record<string, string> = {
  full,
  'hash null': full.replace("case when typed.v_phone_digits is not null then sha256($key || ':' || sha256($key || ':' || typed.v_phone_digits)) end", 'null::varchar'),
  'masks off': full,
  'safe_text off': full,
  'bad off': full.slice(0, badStart) + 'false' + full.slice(badEnd),
  'clean off': full.replaceAll(/case when (c\d+) like ' %' or \1 like '% ' then nullif\(trim\(\1\), ''\) else nullif\(\1, ''\) end/g, '$1'),
};
const extra: Record<string, string> = {
  'masks off': `create or replace temp macro hp_mask_text(x) as (x); create or replace temp macro hp_squash(x) as (x); create or replace temp macro hp_mask_name(x, n) as (x);`,
  'safe_text off': `create or replace temp macro hp_safe_text(x) as (x);`,
};
const stored = STORED_COLUMNS.tickets.map((c) => `"${c}"`).join(', ');
const results: Record<string, number[]> = {};
const t = async (label: string, f: () => Promise<unknown>) => { const c = process.cpuUsage(); const s = performance.now(); await f(); const d = process.cpuUsage(c); (results[label] ??= []).push((d.user + d.system) / 1e6); (results[label + ' wall'] ??= []).push((performance.now() - s) / 1000); };
for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) {
  for (const f of ['bare.duckdb', 'bare.duckdb.wal']) rmSync('/tmp/ingest-bench5/' + f, { force: true });
  const bare = await (await DuckDBInstance.create('/tmp/ingest-bench5/bare.duckdb')).connect();
  await t('bare CTAS', () => bare.run(`create table t as select * from read_csv('${csv}')`));
  bare.closeSync();
  for (const [name, sql] of Object.entries(variants)) {
    for (const f of ['w.duckdb', 'w.duckdb.wal']) rmSync('/tmp/ingest-bench5/' + f, { force: true });
    const w = await Warehouse.open('/tmp/ingest-bench5/w.duckdb');
    await w.run(sqlFile('ingest/macros.sql'));
    if (extra[name]) await w.run(extra[name]);
    if (name === 'full unordered') await w.run('set preserve_insertion_order = false');
    await t(name, () => w.run(`insert into tickets by name select ${stored}, 'x' as source_profile, 1 as first_run_id, 1 as last_run_id, activity_at from (${sql}) where not bad`, sql.includes('$key') ? { key: 'ab'.repeat(32) } : {}));
    if (name === 'xfull') await t('agg only (no write)', () => w.run(`select count(*), max(content), max(phone_hash), max(received_at), max(address) from (${sql}) where not bad`, { key: 'ab'.repeat(32) }));
    w.close();
  }
}
for (const [k, v] of Object.entries(results)) console.log(k.padEnd(24), v.map((x) => x.toFixed(2)).join('  '), ' median', [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)].toFixed(2));
