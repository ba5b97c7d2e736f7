import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { CliError } from '../cli-error.js';
import { sqlFile, type Warehouse } from '../warehouse.js';
import { duplicateSql, mappingSql, REASON_PATTERN } from './mapping.js';
import { mergeIncoming } from './merge.js';
import { chooseMapping, FIELDS, type Kind, type Match, type Profile } from './profiles.js';
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

/**
 * What became of a file: `loaded` (its good rows merged), `unchanged` (the same bytes were loaded
 * before with the same mapping), `quarantined` (it had rows but every one was quarantined, so
 * nothing loaded) or `refused` (it could not be read or mapped at all).
 */
export type FileStatus = 'loaded' | 'unchanged' | 'quarantined' | 'refused';

export interface FileSummary {
  file: string;
  runId: number | null;
  status: FileStatus;
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
  /** Headers of the file that the profile does not read. */
  unmapped: string[];
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
 * What "already loaded" compares besides the bytes: the profile's whole content, the kind, the
 * columns it read and the reading options. A file loaded with a profile that has since been fixed
 * (or with another --profile, --sheet or --encoding) is therefore loaded again.
 */
function mappingFingerprint(match: Match, source: SourceTable, options: IngestOptions): string {
  const { file: _file, ...profile } = match.profile;
  const canonical = JSON.stringify({
    profile,
    kind: match.kind,
    columns: [...match.columns].sort(),
    splits: [...match.splits].sort(),
    sheet: source.sheet ?? null,
    encoding: options.encoding ?? null,
    format: options.format ?? null,
    maxFieldBytes: options.maxFieldBytes,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

function emptySummary(file: string): FileSummary {
  return {
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
    unmapped: [],
  };
}

/** A file read, its mapping chosen and its rows mapped into the temp table `mapped` (nothing stored yet). */
export interface Prepared {
  source: SourceTable;
  match: Match;
  sha: string;
  fingerprint: string;
  /** Rows in `mapped` (good and bad) plus the records the reader rejected. */
  rowsRead: number;
}

/**
 * Reads the file and maps it into the temp table `mapped` on this connection: the part of a load
 * that writes nothing to the warehouse, shared by `ingestFile` and the dry run (`checkFile`).
 * Throws RefusedFile (or another CliError) when the file cannot be read or mapped.
 */
export async function prepareFile(
  warehouse: Warehouse,
  file: string,
  work: string,
  options: IngestOptions,
  known: { sha: string },
  phase: (name: string) => void = () => undefined,
): Promise<Prepared | { unchanged: { runId: number } }> {
  const name = basename(file);
  // CSV files are hashed while the reader's first pass streams them; other formats up front.
  const isCsv = !options.format || options.format === 'csv' ? !/\.(xlsx|xlsm|json|ndjson|jsonl|parquet)$/i.test(file) : false;
  const hash = createHash('sha256');
  if (!isCsv) known.sha = await fileSha256(file);
  await prepareConnection(warehouse);
  const source = await readSource(file, {
    format: options.format,
    encoding: options.encoding,
    sheet: options.sheet,
    maxFieldBytes: options.maxFieldBytes,
    workFile: join(work, 'normalised.csv'),
    onProgress: (done, total) => options.onProgress?.(name, done, total),
    onRawChunk: isCsv ? (chunk) => hash.update(chunk) : undefined,
  });
  if (isCsv) known.sha = hash.digest('hex');
  phase('read');
  await stage(warehouse, source);
  phase('stage');
  const match = chooseMapping(options.profiles, source.headers, { profile: options.profile, kind: options.kind });
  const fingerprint = mappingFingerprint(match, source, options);
  if (!options.force) {
    const previous = await warehouse.one<{ run_id: number }>(
      `select run_id from ingest_runs where file_sha256 = $sha and mapping_sha256 = $fingerprint and status = 'loaded' order by run_id desc limit 1`,
      { sha: known.sha, fingerprint },
    );
    if (previous) return { unchanged: { runId: previous.run_id } };
  }
  const mapping = mappingSql(match, source.headers, match.profile.dateFormats);
  try {
    await warehouse.run(`create or replace temp table mapped as ${mapping}`, mapping.includes('$key') ? { key: options.key } : undefined);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    if (!/Invalid Input Error|Conversion Error|CSV|unicode/i.test(message)) throw error;
    throw new RefusedFile(`读取失败 / could not read the file: ${message}`);
  }
  const duplicates = duplicateSql(match.kind);
  if ((await warehouse.one<{ n: number }>(duplicates.check))!.n > 0) await warehouse.run(duplicates.mark);
  phase('map');
  const stagedRows = (await warehouse.one<{ n: number }>('select count(*) as n from mapped'))!.n;
  return { source, match, sha: known.sha, fingerprint, rowsRead: stagedRows + source.rejected.length };
}

/**
 * Loads one file, atomically: either every good row, its quarantined rows and its run record are
 * committed together, or the warehouse stays exactly as it was. Whatever happens, the file gets an
 * `ingest_runs` row: a file that cannot be read — bad bytes, a damaged workbook, an unexpected
 * error — is recorded as refused with the reason, never a crash of the caller.
 */
export async function ingestFile(warehouse: Warehouse, path: string, options: IngestOptions): Promise<FileSummary> {
  const started = Date.now();
  const phase = phaseTimer();
  const file = resolve(path);
  const name = basename(file);
  const summary = emptySummary(file);
  const bytes = statSync(file).size;
  const startedAt = new Date(started);
  const known = { sha: '' };
  const refused = async (error: unknown) => {
    if (!known.sha) known.sha = await fileSha256(file).catch(() => '');
    return refuse(warehouse, summary, asRefusal(error), { name, sha: known.sha, bytes, startedAt });
  };
  const work = mkdtempSync(join(tmpdir(), 'hotline-ingest-'));
  try {
    let prepared: Prepared;
    try {
      const result = await prepareFile(warehouse, file, work, options, known, phase);
      if ('unchanged' in result) {
        const runId = result.unchanged.runId;
        return { ...summary, status: 'unchanged', runId, message: `与第 ${runId} 次导入的文件内容和映射方案都相同，未做改动 / identical to run ${runId}; nothing changed`, durationMs: Date.now() - started };
      }
      prepared = result;
    } catch (error) {
      return await refused(error);
    }
    const { source, match } = prepared;
    Object.assign(summary, { format: source.format, encoding: source.encoding, profile: match.profile.name, kind: match.kind, rowsRead: prepared.rowsRead, unmapped: match.unmapped });
    try {
      await commitFile(warehouse, summary, prepared, { name, bytes, startedAt, phase, force: options.force ?? false });
    } catch (error) {
      // The transaction rolled back: the warehouse is as before. Record why, as a refusal.
      Object.assign(summary, { loaded: 0, updated: 0, unchanged: 0, quarantined: 0 });
      return await refused(error);
    }
    return summary;
  } finally {
    for (const drop of ['view stage', 'table stage_raw', 'view incoming', 'table mapped', 'table merged']) {
      await warehouse.run(`drop ${drop.replace(' ', ' if exists ')}`).catch(() => undefined);
    }
    rmSync(work, { recursive: true, force: true });
  }
}

/** An error while reading or loading, as the refusal the user reads; only the first line of DuckDB's message. */
function asRefusal(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const message = String((error as Error)?.message ?? error).split('\n')[0];
  return new RefusedFile(`导入失败，文件未导入：${message} / the load failed and nothing was stored: ${message}`);
}

/** The transaction of one file: quarantine, merge, and its `ingest_runs` row. */
async function commitFile(
  warehouse: Warehouse,
  summary: FileSummary,
  prepared: Prepared,
  file: { name: string; bytes: number; startedAt: Date; phase: (name: string) => void; force: boolean },
): Promise<void> {
  const { source, match, sha, fingerprint } = prepared;
  const { name, phase } = file;
  await warehouse.transaction(async () => {
    const runId = (await warehouse.one<{ id: number }>(`select nextval('ingest_run_ids') as id`))!.id;
    summary.runId = runId;
    // A reload of the same bytes (--force, or a changed mapping) replaces what earlier loads of them quarantined.
    await warehouse.run(`delete from quarantine where run_id in (select run_id from ingest_runs where file_sha256 = $sha)`, { sha });
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
    if (summary.rowsRead === 0) summary.message = '文件只有表头，没有数据行 / header only: no data rows';
    else if (summary.quarantined === summary.rowsRead) {
      summary.status = 'quarantined';
      summary.message = await allQuarantinedMessage(warehouse, runId, summary.rowsRead);
    }
    summary.durationMs = Date.now() - file.startedAt.getTime();
    await warehouse.run(
      `insert into ingest_runs (run_id, file_name, file_path, file_sha256, file_bytes, format, encoding, profile, kind, started_at, finished_at,
         status, rows_read, loaded, updated, unchanged, quarantined, message, duration_ms, mapping_sha256, unmapped_columns)
       values ($run, $name, $path, $sha, $bytes, $format, $encoding, $profile, $kind, $started::timestamptz, current_localtimestamp(),
         $status, $rows, $loaded, $updated, $unchanged, $quarantined, $message, $ms, $fingerprint, $unmapped)`,
      {
        run: runId,
        name,
        path: summary.file,
        sha,
        bytes: file.bytes,
        format: summary.format,
        encoding: summary.encoding,
        profile: summary.profile,
        kind: summary.kind,
        started: file.startedAt.toISOString(),
        status: summary.status,
        rows: summary.rowsRead,
        loaded: summary.loaded,
        updated: summary.updated,
        unchanged: summary.unchanged,
        quarantined: summary.quarantined,
        message: summary.message,
        ms: summary.durationMs,
        fingerprint,
        unmapped: summary.unmapped.length ? summary.unmapped.join('、') : null,
      },
    );
  });
}

/**
 * Why nothing of a file loaded: its most frequent reasons with their counts and the first line of
 * each, whose reason quotes the raw value that failed (e.g. a date derived from an id "2").
 */
async function allQuarantinedMessage(warehouse: Warehouse, runId: number, rows: number): Promise<string> {
  const reasons = await warehouse.all<{ reason: string; n: number; first: number }>(
    `select min_by(reason, row_number) as reason, count(*) as n, min(row_number) as first
     from (select unnest(string_split(reason, '；')) as reason, row_number from quarantine where run_id = $run)
     group by ${REASON_PATTERN} order by n desc, first limit 3`,
    { run: runId },
  );
  const examples = reasons.map((r) => `第 ${r.first} 行${r.n > 1 ? `等 ${r.n} 行` : ''}：${r.reason}`).join('\n');
  return `全部 ${rows} 行都被隔离，没有导入任何数据；请检查映射方案（hotline profiles check 文件）/ all ${rows} rows were quarantined, nothing was loaded:\n${examples}`;
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
  error: CliError,
  file: { name: string; sha: string; bytes: number; startedAt: Date },
): Promise<FileSummary> {
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
