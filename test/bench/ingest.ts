/**
 * Ingest benchmark: a generated cn-12345 ticket export of N rows (default 2,000,000), as UTF-8 and
 * as GBK (the same text). Each run loads
 *   (a) the UTF-8 file by a bare DuckDB `create table … as select * from read_csv(…)` — the baseline,
 *   (b) the UTF-8 file by `ingestFile` into a fresh warehouse,
 *   (a) again, then (c) the GBK file by `ingestFile` into a fresh warehouse,
 * so that each ratio compares a load with a baseline measured just before it. CPU seconds are
 * printed beside the wall clock: they move little with the rest of the machine's load. Several
 * runs (default 3) and the median ratio, because the machine is shared. With --floor, each run also
 * times (d): DuckDB casting the same file into the warehouse's tickets table — the same columns
 * written, without any check, mask or hash — to show what the validation and privacy work costs.
 * With --multiline, each run also loads (e) a copy of the UTF-8 file in which one request text in
 * ten runs over two lines (as in exports whose texts keep their line breaks), against a bare read
 * of that copy. With --xlsx, each run also reads (f) the first --xlsx-rows rows (default 200,000) as
 * a workbook (one sheet, shared strings, as platforms write them) by exceljs's streaming reader —
 * the stack's library, parsing alone — then by our own streaming reader alone, then loads it by
 * `ingestFile`: what an XLSX export costs beyond its parsing.
 * Usage: npx tsx test/bench/ingest.ts [--rows N] [--runs N] [--floor] [--multiline] [--xlsx [--xlsx-rows N]]   (BENCH_KEEP=dir keeps the files)
 */
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { execSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { ingestFile } from '../../pipelines/ingest/ingest.js';
import { loadProfiles } from '../../pipelines/ingest/profiles.js';
import { readXlsx } from '../../pipelines/ingest/read-xlsx.js';
import { Warehouse } from '../../pipelines/warehouse.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '2000000' }, runs: { type: 'string', default: '3' }, floor: { type: 'boolean', default: false }, multiline: { type: 'boolean', default: false }, xlsx: { type: 'boolean', default: false }, 'xlsx-rows': { type: 'string', default: '200000' } } });
const rows = Number(values.rows);
const runs = Number(values.runs);
const xlsxRows = Math.min(rows, Number(values['xlsx-rows']));
if (!Number.isInteger(rows) || rows < 1000 || !Number.isInteger(runs) || runs < 1) throw new Error('--rows takes a whole number ≥ 1000, --runs one ≥ 1');
if (!Number.isInteger(xlsxRows) || xlsxRows < 1000) throw new Error('--xlsx-rows takes a whole number ≥ 1000');
const keep = process.env.BENCH_KEEP;
const dir = keep ?? mkdtempSync(join(tmpdir(), 'hotline-bench-ingest-'));
if (keep) mkdirSync(keep, { recursive: true });
const utf8 = join(dir, `tickets-${rows}.csv`);
const gbk = join(dir, `tickets-${rows}.gbk.csv`);
const multiline = join(dir, `tickets-${rows}.multiline.csv`);
const workbook = join(dir, `tickets-${xlsxRows}.xlsx`);

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
  ) to '${utf8}' (header true)`);
  c.closeSync();
  // The GBK twin: the same text, re-encoded as a GBK platform exports it.
  await pipeline(createReadStream(utf8), iconv.decodeStream('utf8'), iconv.encodeStream('gbk'), createWriteStream(gbk));
}

/** (e) The UTF-8 export with every tenth request text over two lines (DuckDB quotes such fields). */
async function writeMultiline(): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  await c.run(`copy (
    select * replace (case when hash(工单编号) % 10 = 0 then replace(诉求内容, '，联系电话', chr(10) || '联系电话') else 诉求内容 end as 诉求内容)
    from read_csv('${utf8}', all_varchar = true)
  ) to '${multiline}' (header true)`);
  c.closeSync();
}

/** (f) The export's first rows as a workbook, the way platforms write one: one sheet, shared strings, every cell text. */
async function writeWorkbook(): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  const result = await c.runAndReadAll(`select * from read_csv('${utf8}', all_varchar = true) limit ${xlsxRows}`);
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: workbook, useSharedStrings: true });
  const sheet = book.addWorksheet('工单');
  sheet.addRow(result.columnNames()).commit();
  for (const row of result.getRows()) sheet.addRow(row.map((v) => (v === null ? '' : String(v)))).commit();
  sheet.commit();
  await book.commit();
  c.closeSync();
}

/** Wall-clock seconds, and CPU seconds of this process (DuckDB's threads included) over the same span. */
interface Took {
  wall: number;
  cpu: number;
}

function timer(): () => Took {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 };
  };
}

async function bareLoad(run: number, csv = utf8): Promise<Took> {
  const file = join(dir, `bare-${run}.duckdb`);
  rmSync(file, { force: true });
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  const stop = timer();
  await connection.run(`create table t as select * from read_csv('${csv}')`);
  const took = stop();
  connection.closeSync();
  instance.closeSync();
  rmSync(file, { force: true });
  return took;
}

async function ourLoad(csv: string, run: number, label: string, expected = rows): Promise<Took> {
  const file = join(dir, `warehouse-${label}-${run}.duckdb`);
  for (const f of [file, `${file}.wal`]) rmSync(f, { force: true });
  const warehouse = await Warehouse.open(file);
  const stop = timer();
  const summary = await ingestFile(warehouse, csv, { profiles: loadProfiles(), key: 'ab'.repeat(32), maxFieldBytes: 1_000_000 });
  const took = stop();
  warehouse.close();
  for (const f of [file, `${file}.wal`]) rmSync(f, { force: true });
  if (summary.status !== 'loaded' || summary.loaded !== expected) throw new Error(`ingest did not load every row: ${JSON.stringify(summary)}`);
  return took;
}

/** (f) exceljs's streaming reader over the workbook, every row's values taken: the library's parsing alone. */
async function exceljsRead(): Promise<Took> {
  const stop = timer();
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(workbook, { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore' });
  let read = 0;
  for await (const sheet of reader) for await (const row of sheet) if ((row.values as unknown[]).length) read += 1;
  const took = stop();
  if (read !== xlsxRows + 1) throw new Error(`exceljs read ${read} rows, not ${xlsxRows + 1}`);
  return took;
}

/** (f) Our streaming reader alone: the workbook to the normalised CSV that DuckDB then loads. */
async function ourRead(): Promise<Took> {
  const work = mkdtempSync(join(tmpdir(), 'hotline-bench-xlsx-'));
  try {
    const stop = timer();
    const source = await readXlsx(workbook, { maxFieldBytes: 1_000_000, workDir: work });
    const took = stop();
    if (source.records !== xlsxRows) throw new Error(`our reader read ${source.records} rows, not ${xlsxRows}`);
    return took;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** (d) The same file cast into the tickets table by DuckDB alone: no checks, no masking, no hashing. */
async function castOnly(run: number): Promise<Took> {
  const file = join(dir, `floor-${run}.duckdb`);
  for (const f of [file, `${file}.wal`]) rmSync(f, { force: true });
  const warehouse = await Warehouse.open(file);
  const ts = (column: string) => `try_cast(${column} as timestamp)`;
  const stop = timer();
  await warehouse.run(`insert into tickets by name
    select 工单编号 as ticket_id, ${ts('受理时间')} as received_at, 来源渠道 as channel, 诉求类型 as appeal_type, 一级分类 as category_l1,
      二级分类 as category_l2, 三级分类 as category_l3, 诉求内容 as content, 诉求地址 as address, 所属区县 as district, 乡镇街道 as township,
      联系电话 as phone_hash, 办理方式 as handling, 承办单位 as unit, 协办单位 as co_units, ${ts('派单时间')} as dispatched_at, ${ts('签收时间')} as signed_at,
      ${ts('办理时限')} as deadline_at, ${ts('办结时间')} as completed_at, 工单状态 as status, try_cast(退单次数 as integer) as returned_count,
      是否涉企 = '是' as is_enterprise, 是否紧急 = '是' as is_urgent, ${ts('回访时间')} as callback_at, 回访结果 as satisfaction, 是否解决 as resolved,
      'cast' as source_profile, 1 as first_run_id, 1 as last_run_id, greatest(${ts('受理时间')}, ${ts('办结时间')}, ${ts('回访时间')}) as activity_at
    from read_csv('${utf8}', all_varchar = true)`);
  const took = stop();
  warehouse.close();
  for (const f of [file, `${file}.wal`]) rmSync(f, { force: true });
  return took;
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

async function main() {
  if (!existsSync(utf8) || !existsSync(gbk)) {
    console.error(`generating ${rows.toLocaleString('en')} tickets …`);
    await writeExport();
  }
  if (values.multiline && !existsSync(multiline)) await writeMultiline();
  if (values.xlsx && !existsSync(workbook)) {
    console.error(`writing ${xlsxRows.toLocaleString('en')} tickets as a workbook …`);
    await writeWorkbook();
  }
  // Each load is compared with a bare read measured just before it, so that a burst of other work
  // on the machine moves both sides of a ratio; the CPU seconds (this process, DuckDB's threads
  // included) are printed beside the wall clock, since they hardly move with the machine's load.
  const results: { bareUtf8: Took; utf8: Took; bareGbk: Took; gbk: Took; floor?: Took; bareMultiline?: Took; multiline?: Took; xlsx?: { exceljs: Took; reader: Took; ours: Took }; load: number }[] = [];
  // Every load starts with no dirty pages left by the one before: on a slow disk their writeback
  // would otherwise land on whichever load comes next.
  const settled = <T>(step: () => Promise<T>) => {
    if (process.platform !== 'win32') execSync('sync');
    return step();
  };
  for (let run = 1; run <= runs; run++) {
    const load = loadavg()[0];
    const bareUtf8 = await settled(() => bareLoad(run));
    const ours = await settled(() => ourLoad(utf8, run, 'utf8'));
    const bareGbk = await settled(() => bareLoad(run));
    const ourGbk = await settled(() => ourLoad(gbk, run, 'gbk'));
    const floor = values.floor ? await settled(() => castOnly(run)) : undefined;
    const bareMultiline = values.multiline ? await settled(() => bareLoad(run, multiline)) : undefined;
    const ourMultiline = values.multiline ? await settled(() => ourLoad(multiline, run, 'multiline')) : undefined;
    const xlsx = values.xlsx
      ? { exceljs: await settled(exceljsRead), reader: await settled(ourRead), ours: await settled(() => ourLoad(workbook, run, 'xlsx', xlsxRows)) }
      : undefined;
    results.push({ bareUtf8, utf8: ours, bareGbk, gbk: ourGbk, floor, bareMultiline, multiline: ourMultiline, xlsx, load });
    console.error(
      `run ${run} (load average ${load.toFixed(2)}): UTF-8 ${ours.wall.toFixed(2)} s vs bare ${bareUtf8.wall.toFixed(2)} s (${(ours.wall / bareUtf8.wall).toFixed(2)}×), ` +
        `GBK ${ourGbk.wall.toFixed(2)} s vs bare ${bareGbk.wall.toFixed(2)} s (${(ourGbk.wall / bareGbk.wall).toFixed(2)}×)${floor ? `, cast only ${floor.wall.toFixed(2)} s` : ''}` +
        `${ourMultiline && bareMultiline ? `, multi-line ${ourMultiline.wall.toFixed(2)} s vs bare ${bareMultiline.wall.toFixed(2)} s (${(ourMultiline.wall / bareMultiline.wall).toFixed(2)}×)` : ''}` +
        `${xlsx ? `, XLSX: exceljs read ${xlsx.exceljs.wall.toFixed(2)} s, our reader ${xlsx.reader.wall.toFixed(2)} s, ingest ${xlsx.ours.wall.toFixed(2)} s` : ''}`,
    );
  }
  const mb = (path: string) => (statSync(path).size / 1e6).toFixed(0);
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log(`\nIngest benchmark — ${rows.toLocaleString('en')} tickets; UTF-8 CSV ${mb(utf8)} MB, GBK CSV ${mb(gbk)} MB (the same text); ${runs} run(s); each load right after a bare DuckDB read_csv → table of the UTF-8 file (the baseline); ${cpus().length} cores`);
  console.log(`| run | load avg | bare (UTF-8) | hotline ingest, UTF-8 | ratio | CPU ratio | bare (UTF-8) | hotline ingest, GBK | ratio | CPU ratio |`);
  console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
  results.forEach((r, i) => {
    console.log(
      `| ${i + 1} | ${r.load.toFixed(2)} | ${r.bareUtf8.wall.toFixed(2)} s | ${r.utf8.wall.toFixed(2)} s | ${ratio(r.utf8.wall, r.bareUtf8.wall)} | ${ratio(r.utf8.cpu, r.bareUtf8.cpu)} | ${r.bareGbk.wall.toFixed(2)} s | ${r.gbk.wall.toFixed(2)} s | ${ratio(r.gbk.wall, r.bareGbk.wall)} | ${ratio(r.gbk.cpu, r.bareGbk.cpu)} |`,
    );
  });
  const utf8Ratio = median(results.map((r) => r.utf8.wall / r.bareUtf8.wall));
  const gbkRatio = median(results.map((r) => r.gbk.wall / r.bareGbk.wall));
  const utf8Cpu = median(results.map((r) => r.utf8.cpu / r.bareUtf8.cpu));
  const gbkCpu = median(results.map((r) => r.gbk.cpu / r.bareGbk.cpu));
  console.log(
    `| median | | ${median(results.map((r) => r.bareUtf8.wall)).toFixed(2)} s | ${median(results.map((r) => r.utf8.wall)).toFixed(2)} s | **${utf8Ratio.toFixed(2)}** | ${utf8Cpu.toFixed(2)} | ${median(results.map((r) => r.bareGbk.wall)).toFixed(2)} s | ${median(results.map((r) => r.gbk.wall)).toFixed(2)} s | **${gbkRatio.toFixed(2)}** | ${gbkCpu.toFixed(2)} |`,
  );
  if (values.floor) {
    const floors = results.map((r) => r.floor!.wall / r.bareGbk.wall);
    console.log(`\nthe same file cast into the tickets table by DuckDB alone (no checks, masks or hashes): median ${median(results.map((r) => r.floor!.wall)).toFixed(2)} s, ${median(floors).toFixed(2)}× the bare load`);
  }
  if (values.multiline) {
    const ml = results.map((r) => ({ bare: r.bareMultiline!, ours: r.multiline! }));
    console.log(`\nUTF-8 with one request text in ten over two lines (${mb(multiline)} MB), each load right after a bare read_csv → table of that file:`);
    console.log(`| run | bare | hotline ingest | ratio | CPU ratio |`);
    console.log(`|---|---:|---:|---:|---:|`);
    ml.forEach((m, i) => console.log(`| ${i + 1} | ${m.bare.wall.toFixed(2)} s | ${m.ours.wall.toFixed(2)} s | ${ratio(m.ours.wall, m.bare.wall)} | ${ratio(m.ours.cpu, m.bare.cpu)} |`));
    console.log(
      `| median | ${median(ml.map((m) => m.bare.wall)).toFixed(2)} s | ${median(ml.map((m) => m.ours.wall)).toFixed(2)} s | **${median(ml.map((m) => m.ours.wall / m.bare.wall)).toFixed(2)}** | ${median(ml.map((m) => m.ours.cpu / m.bare.cpu)).toFixed(2)} |`,
    );
  }
  if (values.xlsx) {
    const xs = results.map((r) => r.xlsx!);
    console.log(`\nXLSX: the first ${xlsxRows.toLocaleString('en')} tickets as a workbook (${mb(workbook)} MB; one sheet, shared strings), each run read by exceljs's streaming reader (parsing alone), by our streaming reader alone, then loaded by hotline ingest:`);
    console.log(`| run | exceljs streaming read | our reader | hotline ingest | our reader ÷ exceljs | ingest ÷ exceljs |`);
    console.log(`|---|---:|---:|---:|---:|---:|`);
    xs.forEach((x, i) => console.log(`| ${i + 1} | ${x.exceljs.wall.toFixed(2)} s | ${x.reader.wall.toFixed(2)} s | ${x.ours.wall.toFixed(2)} s | ${ratio(x.reader.wall, x.exceljs.wall)} | ${ratio(x.ours.wall, x.exceljs.wall)} |`));
    console.log(
      `| median | ${median(xs.map((x) => x.exceljs.wall)).toFixed(2)} s | ${median(xs.map((x) => x.reader.wall)).toFixed(2)} s | ${median(xs.map((x) => x.ours.wall)).toFixed(2)} s | **${median(xs.map((x) => x.reader.wall / x.exceljs.wall)).toFixed(2)}** | **${median(xs.map((x) => x.ours.wall / x.exceljs.wall)).toFixed(2)}** |`,
    );
  }
  console.log(`\ntargets (median wall-clock ratio): UTF-8 ≤ 1.5× ${utf8Ratio <= 1.5 ? 'met' : 'NOT met'}; GBK ≤ 2× ${gbkRatio <= 2 ? 'met' : 'NOT met'}`);
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  if (!keep) rmSync(dir, { recursive: true, force: true });
  console.error(error);
  process.exit(1);
});
