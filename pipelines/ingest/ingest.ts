import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { CliError } from '../cli-error.js';
import { sqlFile, type Warehouse } from '../warehouse.js';
import { duplicateSql, mappingSql } from './mapping.js';
import { mergeIncoming } from './merge.js';
import { chooseMapping, FIELDS, type Kind, type Profile } from './profiles.js';
import { readSource, RefusedFile, sqlString, type Encoding, type Format, type SourceTable } from './read.js';

export interface IngestOptions {
  profiles: Profile[];
  /** The phone-hash key (from the key file, never stored). */
  key: string;
  maxFieldBytes: number;
  profile?: string;
  kind?: Kind;
  format?: Format;
  encoding?: Encoding;
  sheet?: string;
  /** Load again even when these exact bytes were loaded before. */
  force?: boolean;
  onProgress?: (file: string, done: number, total: number) => void;
}

export interface FileSummary {
  file: string;
  runId: number | null;
  status: 'loaded' | 'unchanged' | 'refused';
  profile: string | null;
  kind: Kind | null;
  format: Format | null;
  encoding: string | null;
  rowsRead: number;
  loaded: number;
  updated: number;
  unchanged: number;
  quarantined: number;
  durationMs: number;
  message: string | null;
}

const SUPPORTED = /\.(csv|txt|tsv|xlsx|xlsm|json|ndjson|jsonl|parquet)$/i;

/** Files named on the command line, folders expanded (sorted, so older exports load first). */
export function expandPaths(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new CliError(`找不到文件或目录 / no such file or folder: ${path}`);
    }
    if (stat.isDirectory()) {
      files.push(
        ...readdirSync(path)
          .filter((name) => SUPPORTED.test(name) && !name.startsWith('.'))
          .sort()
          .map((name) => join(path, name)),
      );
    } else files.push(path);
  }
  return files;
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Creates the temporary macros on this connection (they are never stored). */
async function prepareConnection(warehouse: Warehouse): Promise<void> {
  await warehouse.run(sqlFile('ingest/macros.sql'));
  // Staging tables are TEMP: clear phone numbers live only in memory/temp space, never in the file.
  await warehouse.run(`set preserve_insertion_order = true`);
}

/**
 * Loads one file, atomically: either every good row, its quarantined rows and its run record are
 * committed together, or the warehouse stays exactly as it was.
 */
export async function ingestFile(warehouse: Warehouse, path: string, options: IngestOptions): Promise<FileSummary> {
  const started = Date.now();
  const phase = phaseTimer();
  const file = resolve(path);
  const name = basename(file);
  const summary: FileSummary = {
    file,
    runId: null,
    status: 'loaded',
    profile: null,
    kind: null,
    format: null,
    encoding: null,
    rowsRead: 0,
    loaded: 0,
    updated: 0,
    unchanged: 0,
    quarantined: 0,
    durationMs: 0,
    message: null,
  };
  const bytes = statSync(file).size;
  // CSV files are hashed while the reader's first pass streams them; other formats up front.
  const isCsv = !options.format || options.format === 'csv' ? !/\.(xlsx|xlsm|json|ndjson|jsonl|parquet)$/i.test(file) : false;
  const hash = createHash('sha256');
  let sha = isCsv ? '' : await fileSha256(file);
  const alreadyLoaded = async () => {
    if (options.force) return null;
    const previous = await warehouse.one<{ run_id: number }>(
      `select run_id from ingest_runs where file_sha256 = $sha and status = 'loaded' order by run_id desc limit 1`,
      { sha },
    );
    return previous
      ? { ...summary, status: 'unchanged' as const, runId: previous.run_id, message: `与第 ${previous.run_id} 次导入的文件内容相同，未做改动 / identical to run ${previous.run_id}; nothing changed`, durationMs: Date.now() - started }
      : null;
  };
  if (!isCsv) {
    const unchanged = await alreadyLoaded();
    if (unchanged) return unchanged;
  }
  await prepareConnection(warehouse);
  const work = mkdtempSync(join(tmpdir(), 'hotline-ingest-'));
  const startedAt = new Date(started);
  try {
    let source: SourceTable;
    try {
      source = await readSource(file, {
        format: options.format,
        encoding: options.encoding,
        sheet: options.sheet,
        maxFieldBytes: options.maxFieldBytes,
        workFile: join(work, 'normalised.csv'),
        onProgress: (done, total) => options.onProgress?.(name, done, total),
        onRawChunk: isCsv ? (chunk) => hash.update(chunk) : undefined,
      });
      if (isCsv) {
        sha = hash.digest('hex');
        const unchanged = await alreadyLoaded();
        if (unchanged) return unchanged;
      }
      summary.format = source.format;
      summary.encoding = source.encoding;
      phase('read');
      await stage(warehouse, source);
      phase('stage');
    } catch (error) {
      if (!sha) sha = await fileSha256(file);
      return await refuse(warehouse, summary, error, { name, sha, bytes, startedAt });
    }
    let match;
    try {
      match = chooseMapping(options.profiles, source.headers, { profile: options.profile, kind: options.kind });
    } catch (error) {
      return await refuse(warehouse, summary, error, { name, sha, bytes, startedAt });
    }
    summary.profile = match.profile.name;
    summary.kind = match.kind;
    const mapping = mappingSql(match, source.headers, match.profile.dateFormats);
    try {
      await warehouse.run(`create or replace temp table mapped as ${mapping}`, mapping.includes('$key') ? { key: options.key } : undefined);
    } catch (error) {
      const message = (error as Error).message.split('\n')[0];
      if (!/Invalid Input Error|Conversion Error|CSV|unicode/i.test(message)) throw error;
      return await refuse(warehouse, summary, new RefusedFile(`读取失败 / could not read the file: ${message}`), { name, sha, bytes, startedAt });
    }
    const duplicates = duplicateSql(match.kind);
    if ((await warehouse.one<{ n: number }>(duplicates.check))!.n > 0) await warehouse.run(duplicates.mark);
    phase('map');
    const stagedRows = (await warehouse.one<{ n: number }>('select count(*) as n from mapped'))!.n;
    summary.rowsRead = stagedRows + source.rejected.length;

    await warehouse.transaction(async () => {
      const runId = (await warehouse.one<{ id: number }>(`select nextval('ingest_run_ids') as id`))!.id;
      summary.runId = runId;
      if (options.force) {
        await warehouse.run(`delete from quarantine where run_id in (select run_id from ingest_runs where file_sha256 = $sha)`, { sha });
      }
      await warehouse.run(
        `insert into quarantine (run_id, file_name, row_number, reason, record)
         select $run, $name, __row, array_to_string(reasons, '；'), record from mapped where len(reasons) > 0`,
        { run: runId, name },
      );
      await quarantineStructural(warehouse, source, match, runId, name);
      await warehouse.run(`create or replace temp view incoming as select * exclude (reasons, record, __row) from mapped where len(reasons) = 0`);
      phase('quarantine');
      const merged = await mergeIncoming(warehouse, match.kind, runId, match.profile.name);
      phase('merge');
      Object.assign(summary, merged);
      summary.quarantined = (await warehouse.one<{ n: number }>(`select count(*) as n from quarantine where run_id = $run`, { run: runId }))!.n;
      summary.message = summary.rowsRead === 0 ? '文件只有表头，没有数据行 / header only: no data rows' : null;
      summary.durationMs = Date.now() - started;
      await warehouse.run(
        `insert into ingest_runs (run_id, file_name, file_path, file_sha256, file_bytes, format, encoding, profile, kind, started_at, finished_at,
           status, rows_read, loaded, updated, unchanged, quarantined, message, duration_ms)
         values ($run, $name, $path, $sha, $bytes, $format, $encoding, $profile, $kind, $started::timestamptz, current_localtimestamp(),
           'loaded', $rows, $loaded, $updated, $unchanged, $quarantined, $message, $ms)`,
        {
          run: runId,
          name,
          path: file,
          sha,
          bytes,
          format: summary.format,
          encoding: summary.encoding,
          profile: summary.profile,
          kind: summary.kind,
          started: startedAt.toISOString(),
          rows: summary.rowsRead,
          loaded: summary.loaded,
          updated: summary.updated,
          unchanged: summary.unchanged,
          quarantined: summary.quarantined,
          message: summary.message,
          ms: summary.durationMs,
        },
      );
    });
    return summary;
  } finally {
    for (const drop of ['view stage', 'table stage_raw', 'view incoming', 'table mapped', 'table merged']) {
      await warehouse.run(`drop ${drop.replace(' ', ' if exists ')}`).catch(() => undefined);
    }
    rmSync(work, { recursive: true, force: true });
  }
}

/** Phase timings on stderr when HOTLINE_TIMINGS is set: where an ingest spends its time. */
function phaseTimer() {
  let last = performance.now();
  return (name: string) => {
    const now = performance.now();
    if (process.env.HOTLINE_TIMINGS) process.stderr.write(`  ${name}: ${((now - last) / 1000).toFixed(2)} s\n`);
    last = now;
  };
}

/**
 * `stage` is the file as text columns c0…cN plus __row (its line or row number), read once by the
 * mapping query. It lives only in this connection's temporary space, never in the warehouse file.
 */
async function stage(warehouse: Warehouse, source: SourceTable): Promise<void> {
  try {
    await stageRelation(warehouse, source);
  } catch (error) {
    // DuckDB reading the file itself (a damaged Parquet file; a CSV the scanner let through that
    // DuckDB reads differently): the file is refused, not the process.
    if (error instanceof CliError) throw error;
    const message = (error as Error).message.split('\n')[0];
    throw new RefusedFile(`${source.format === 'parquet' ? '不是可读的 Parquet 文件（文件可能损坏或被截断）' : '读取失败'} / could not read the file: ${message}`);
  }
}

async function stageRelation(warehouse: Warehouse, source: SourceTable): Promise<void> {
  if (source.format === 'parquet') {
    const described = await warehouse.all<{ column_name: string; column_type: string }>(`describe select * from ${source.relation}`);
    const columns = described.filter((c) => c.column_name !== 'file_row_number');
    source.headers = columns.map((c) => c.column_name);
    // An instant (TIMESTAMPTZ) becomes Beijing wall-clock time (the session zone), like every timestamp stored.
    const casts = columns.map(({ column_name, column_type }, i) => {
      const name = `"${column_name.replaceAll('"', '""')}"`;
      return `cast(${column_type.startsWith('TIMESTAMP WITH TIME ZONE') ? `cast(${name} as timestamp)` : name} as varchar) as c${i}`;
    });
    await warehouse.run(`create or replace temp view stage as select file_row_number + 1 as __row, ${casts.join(', ')} from ${source.relation}`);
  } else if (source.inPlace) {
    // The header is line 1, so row n (rowid n - 1, insertion order kept) is line n + 1. Materialised
    // in a TEMP table, because numbering rows on the fly (WITH ORDINALITY) makes the mapping serial.
    await warehouse.run(`create or replace temp table stage_raw as select * from ${source.relation}`);
    await warehouse.run(`create or replace temp view stage as select rowid + 2 as __row, * from stage_raw`);
  } else {
    await warehouse.run(`create or replace temp view stage as select * from ${source.relation}`);
  }
}

/** Records the file's refusal (its own small transaction) and reports it; the warehouse data is untouched. */
async function refuse(
  warehouse: Warehouse,
  summary: FileSummary,
  error: unknown,
  file: { name: string; sha: string; bytes: number; startedAt: Date },
): Promise<FileSummary> {
  if (!(error instanceof CliError)) throw error;
  summary.status = 'refused';
  summary.message = error.message.replace(`${summary.file}: `, '');
  summary.durationMs = Date.now() - file.startedAt.getTime();
  const run = await warehouse.one<{ id: number }>(`select nextval('ingest_run_ids') as id`);
  summary.runId = run!.id;
  await warehouse.run(
    `insert into ingest_runs (run_id, file_name, file_path, file_sha256, file_bytes, format, encoding, profile, kind, started_at, finished_at, status, message, duration_ms)
     values ($run, $name, $path, $sha, $bytes, $format, $encoding, $profile, $kind, $started::timestamptz, current_localtimestamp(), 'refused', $message, $ms)`,
    {
      run: summary.runId,
      name: file.name,
      path: summary.file,
      sha: file.sha,
      bytes: file.bytes,
      format: summary.format,
      encoding: summary.encoding,
      profile: summary.profile,
      kind: summary.kind,
      started: file.startedAt.toISOString(),
      message: summary.message,
      ms: summary.durationMs,
    },
  );
  return summary;
}

/** Records rejected by the reader (wrong field count, oversized field, truncated quote). */
async function quarantineStructural(
  warehouse: Warehouse,
  source: SourceTable,
  match: ReturnType<typeof chooseMapping>,
  runId: number,
  name: string,
): Promise<void> {
  if (!source.rejected.length) return;
  const fields = FIELDS[match.kind];
  const personal = new Set<number>();
  const phones = new Set<number>();
  for (const [field, spec] of Object.entries(fields)) {
    const at = match.columns.get(field);
    if (at === undefined) continue;
    if (spec.type === 'personal') personal.add(at);
    if (spec.type === 'phone') phones.add(at);
  }
  const sensitive = [...personal, ...phones];
  for (const record of source.rejected) {
    // Column positions are only trustworthy up to the break. With n fields where the header has m,
    // a personal value may have moved by up to |n - m| columns; after an unclosed quote or inside an
    // oversized field it may be anywhere. Such cells are not shown (nor is the personal column).
    const shift = record.trustedFields === undefined ? Math.abs(record.fields.length - source.headers.length) : 0;
    const untrusted = record.trustedFields !== undefined && sensitive.some((at) => at >= record.trustedFields!) ? record.trustedFields : Infinity;
    // The caller's name written into the row's own text is not shown either (as in the mapping).
    const names = [...personal].map((at) => (shift === 0 && at < untrusted ? (record.fields[at] ?? '').trim() : '')).filter((n) => n.length >= 2);
    const pairs: Record<string, string> = {};
    record.fields.forEach((raw, i) => {
      const header = source.headers[i] ?? `第${i + 1}列`;
      const value = names.reduce((text, name) => text.replaceAll(name, '***'), raw);
      if (personal.has(i) && shift === 0 && i < untrusted) pairs[header] = '***';
      else if (phones.has(i) && shift === 0 && i < untrusted) pairs[header] = value ? '***' : '';
      else if (i >= untrusted || sensitive.some((at) => Math.abs(at - i) <= shift)) pairs[header] = value ? `（未显示 ${value.length} 个字符：可能含个人信息 / not shown: may hold personal data）` : '';
      else pairs[header] = value;
    });
    await warehouse.run(
      `insert into quarantine (run_id, file_name, row_number, reason, record)
       select $run, $name, $row, $reason, hp_mask_text($record)`,
      { run: runId, name, row: record.row, reason: record.reason, record: JSON.stringify(pairs) },
    );
  }
}

export async function ingestPaths(warehouse: Warehouse, paths: string[], options: IngestOptions): Promise<FileSummary[]> {
  const summaries: FileSummary[] = [];
  for (const file of expandPaths(paths)) summaries.push(await ingestFile(warehouse, file, options));
  return summaries;
}

export { sqlString };
