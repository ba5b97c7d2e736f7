/**
 * Ingest benchmark: a generated cn-12345 ticket export of N rows (default 2,000,000), loaded
 * (a) by a bare DuckDB `create table … as select * from read_csv(…)` and (b) by `ingestFile`
 * into a fresh warehouse — both in this run, so the ratio is meaningful on a noisy machine.
 * Usage: npx tsx test/bench/ingest.ts [--rows N]
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ingestFile } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import { Warehouse } from '../../pipelines/warehouse.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '2000000' } } });
const rows = Number(values.rows);
const dir = process.env.BENCH_KEEP ?? mkdtempSync(join(tmpdir(), 'hotline-bench-ingest-'));
const csv = join(dir, 'tickets.csv');

/** Writes a realistic export with DuckDB itself (fast), with hash-based pseudo-random columns. */
async function writeExport(): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  const pick = (list: string[], salt: string) => `[${list.map((v) => `'${v}'`).join(',')}][1 + (hash(i || '${salt}') % ${list.length})::int]`;
  await c.run(`copy (
    with base as (select i, timestamp '2022-01-01' + to_seconds((i * 47)::bigint % (4 * 365 * 86400)) as t from range(${rows}) r(i)),
    rows as (
      select
        strftime(t, '%Y%m%d') || lpad(i::varchar, 7, '0') as 工单编号,
        strftime(t, '%Y-%m-%d %H:%M:%S') as 受理时间,
        ${pick(['电话', '电话', '电话', '微信', '网站', '移动APP'], 'c')} as 来源渠道,
        ${pick(['咨询', '咨询', '求助', '投诉', '举报', '建议'], 'a')} as 诉求类型,
        ${pick(['城乡建设', '环境保护', '劳动和社会保障', '交通运输', '供暖', '供水'], 'l1')} as 一级分类,
        ${pick(['物业管理', '噪声扰民', '欠薪', '农村道路', '供暖不热', '停水'], 'l2')} as 二级分类,
        '' as 三级分类,
        '反映' || ${pick(['小区楼下夜间施工噪声很大，影响休息', '暖气不热，室温只有十五度', '工地拖欠工资三个月', '停水一天了，请尽快恢复'], 't')} || '，联系电话1' || (30 + hash(i) % 60)::varchar || lpad((hash(i || 'p') % 100000000)::varchar, 8, '0') as 诉求内容,
        ${pick(['昌吉市', '阜康市', '呼图壁县', '玛纳斯县', '奇台县', '吉木萨尔县', '木垒哈萨克自治县'], 'd')} || '某小区' || (hash(i || 'x') % 300)::varchar || '号楼' as 诉求地址,
        ${pick(['昌吉市', '阜康市', '呼图壁县', '玛纳斯县', '奇台县', '吉木萨尔县', '木垒哈萨克自治县'], 'd')} as 所属区县,
        ${pick(['宁边路街道', '延安北路街道', '北京南路街道', '中山路街道'], 's')} as 乡镇街道,
        '张三' as 诉求人,
        '1' || (30 + hash(i) % 60)::varchar || lpad((hash(i || 'p') % 100000000)::varchar, 8, '0') as 联系电话,
        case when hash(i || 'h') % 10 < 6 then '直接答复' else '转办' end as 办理方式,
        t + interval 20 minute as t_dispatch,
        hash(i || 'u') % 800 as unit_no
      from base
    )
    select 工单编号, 受理时间, 来源渠道, 诉求类型, 一级分类, 二级分类, 三级分类, 诉求内容, 诉求地址, 所属区县, 乡镇街道, 诉求人, 联系电话, 办理方式,
      case when 办理方式 = '转办' then '承办单位' || unit_no::varchar else '' end as 承办单位,
      '' as 协办单位,
      case when 办理方式 = '转办' then strftime(t_dispatch, '%Y-%m-%d %H:%M:%S') else '' end as 派单时间,
      case when 办理方式 = '转办' then strftime(t_dispatch + interval 1 hour, '%Y-%m-%d %H:%M:%S') else '' end as 签收时间,
      case when 办理方式 = '转办' then strftime(t_dispatch + interval 5 day, '%Y-%m-%d %H:%M:%S') else '' end as 办理时限,
      strftime(t_dispatch + interval 2 day, '%Y-%m-%d %H:%M:%S') as 办结时间,
      '已办结' as 工单状态, '0' as 退单次数, '否' as 是否涉企, '否' as 是否紧急,
      strftime(t_dispatch + interval 3 day, '%Y-%m-%d %H:%M:%S') as 回访时间, '满意' as 回访结果, '已解决' as 是否解决
    from rows
  ) to '${csv}' (header true)`);
  c.closeSync();
}

function seconds(from: number): number {
  return (performance.now() - from) / 1000;
}

async function main() {
  console.error(`generating ${rows.toLocaleString('en')} tickets …`);
  await writeExport();
  const size = statSync(csv).size;

  const bare = await DuckDBInstance.create(join(dir, 'bare.duckdb'));
  const bareConnection = await bare.connect();
  let start = performance.now();
  await bareConnection.run(`create table t as select * from read_csv('${csv}')`);
  const bareSeconds = seconds(start);
  bareConnection.closeSync();

  const warehouse = await Warehouse.open(join(dir, 'warehouse.duckdb'));
  start = performance.now();
  const summary = await ingestFile(warehouse, csv, { profiles: loadProfiles(), key: 'ab'.repeat(32), maxFieldBytes: 1_000_000 });
  const ourSeconds = seconds(start);
  await warehouse.checkpoint();
  warehouse.close();
  if (summary.status !== 'loaded' || summary.loaded !== rows) throw new Error(`ingest did not load every row: ${JSON.stringify(summary)}`);

  console.log(`\nIngest benchmark — ${rows.toLocaleString('en')} tickets, ${(size / 1e6).toFixed(0)} MB CSV (UTF-8)`);
  console.log(`| load | seconds | rows/s | ratio to bare DuckDB |`);
  console.log(`|---|---:|---:|---:|`);
  console.log(`| bare DuckDB read_csv → table | ${bareSeconds.toFixed(2)} | ${Math.round(rows / bareSeconds).toLocaleString('en')} | 1.00 |`);
  console.log(`| hotline ingest (detect, validate, mask, hash, merge) | ${ourSeconds.toFixed(2)} | ${Math.round(rows / ourSeconds).toLocaleString('en')} | ${(ourSeconds / bareSeconds).toFixed(2)} |`);
  if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  rmSync(dir, { recursive: true, force: true });
  console.error(error);
  process.exit(1);
});
