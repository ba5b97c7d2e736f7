import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { CliError } from '../cli-error.js';
import { phoneHashScheme } from '../privacy.js';
import { sqlFile, type Warehouse } from '../warehouse.js';
import { directPossible, loadDirect, loadMerged, mapIntoTemp, NeedsMerge, NeedsScan, NeedsTrim, overlapsStored, rescan, type LoadContext, type LoadCounts } from './load.js';
import { preMaskColumns, REASON_PATTERN } from './mapping.js';
import { lookOverFile } from './outer-space.js';
import { NotPlain, preMaskFile, type PreMasked } from './premask.js';
import { chooseMapping, type Kind, type Match, type Profile } from './profiles.js';
import { trackLoad, type LoadProgress, type LoadTracker } from './progress.js';
import { readSource, settleText } from './read.js';
import { scratchFolder } from './scratch.js';
import { preambleNote, RefusedFile, sqlString, totalRowsNote, type Encoding, type Format, type ReadOptions, type SourceTable } from './source.js';

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
  /** Load again even when these exact bytes were loaded before with the same mapping. */
  force?: boolean;
  /** Hears every change of the load's progress (phase, bytes read, rows processed). */
  onProgress?: (progress: LoadProgress) => void;
  /** How often DuckDB's progress is polled while it works (default 500 ms). */
  progressEveryMs?: number;
  /** Tests: see ReadOptions. */
  outerSpacesAnswerAfter?: Promise<unknown>;
  /** Tests: false masks every free-text cell in SQL, without the pass of premask.ts. */
  preMask?: boolean;
  /** Tests: true cuts the text in two halves for the pass however small it is. */
  preMaskHalves?: boolean;
  /** Tests: hears what the pass of premask.ts did (null: the text was not plain CSV). */
  onPreMask?: (outcome: PreMasked | null) => void;
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
  // DuckDB's progress counter feeds the progress line; nothing is printed by DuckDB itself.
  await warehouse.run(`set enable_progress_bar = true`);
  await warehouse.run(`set enable_progress_bar_print = false`);
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

/** A file read and its mapping chosen: nothing stored yet. */
export interface Prepared {
  context: LoadContext;
  fingerprint: string;
  /** The file's SHA-256, known once the context is settled. */
  known: { sha: string };
  force: boolean;
}

/** Thrown inside the load's transaction when the same bytes were loaded with the same mapping: nothing changes. */
class AlreadyLoaded extends Error {
  constructor(readonly runId: number) {
    super('already loaded');
  }
}

/** The last load of the same bytes with the same mapping, if any. */
async function earlierLoad(warehouse: Warehouse, sha: string, fingerprint: string): Promise<number | null> {
  const previous = await warehouse.one<{ run_id: number }>(
    `select run_id from ingest_runs where file_sha256 = $sha and mapping_sha256 = $fingerprint and status = 'loaded' order by run_id desc limit 1`,
    { sha, fingerprint },
  );
  return previous?.run_id ?? null;
}

/**
 * Reads the file and chooses its mapping. The pass over the bytes (UTF-8 check, hash, lines) of a
 * CSV read in place goes on while DuckDB loads it: `context.settle()` waits for it. Shared by
 * `ingestFile` and the dry run (`checkFile`). Throws RefusedFile (or another CliError) when the
 * file cannot be read or mapped.
 */
export async function prepareFile(
  warehouse: Warehouse,
  file: string,
  work: string,
  options: IngestOptions,
  tracker: LoadTracker,
  known: { sha: string },
  phase: (name: string) => void = () => undefined,
): Promise<Prepared> {
  // A CSV is hashed by the reader's pass over its bytes; other formats up front.
  const isCsv = !options.format || options.format === 'csv' ? !/\.(xlsx|xlsm|json|ndjson|jsonl|parquet)$/i.test(file) : false;
  const hash = createHash('sha256');
  if (!isCsv) known.sha = await fileSha256(file);
  await prepareConnection(warehouse);
  const read: ReadOptions = {
    format: options.format,
    encoding: options.encoding,
    sheet: options.sheet,
    maxFieldBytes: options.maxFieldBytes,
    workDir: work,
    onProgress: (done) => tracker.bytes(done),
    onRawChunk: isCsv ? (chunk) => hash.update(chunk) : undefined,
    outerSpacesAnswerAfter: options.outerSpacesAnswerAfter,
  };
  const source = await readSource(file, read);
  let settled = !source.pending;
  if (isCsv && settled) known.sha = hash.digest('hex');
  if (source.format === 'parquet') await describeParquet(warehouse, source);
  phase('read');
  const match = chooseMapping(options.profiles, source.headers, { profile: options.profile, kind: options.kind });
  const phoneHash = await phoneHashScheme(warehouse);
  if (options.preMask !== false) {
    await preMask(source, match, work, { key: phoneHash === 'sha256-16' ? options.key : null, told: options.onPreMask, halves: options.preMaskHalves, started: () => tracker.phase('masking') });
    phase('premask');
  }
  const fingerprint = mappingFingerprint(match, source, options);
  const context: LoadContext = {
    warehouse, path: file, name: basename(file), source, match, key: options.key, phoneHash, read: { ...read, onRawChunk: undefined }, tracker, progressEveryMs: options.progressEveryMs ?? 500, phase, totalRows: [],
    settle: async () => {
      if (settled) return;
      settled = true;
      const inPlace = await settleText(context.source, read);
      known.sha = hash.digest('hex');
      if (!inPlace) throw new NeedsScan();
    },
  };
  return { context, fingerprint, known, force: options.force ?? false };
}

/**
 * A UTF-8 CSV read in place (the export or its transcoded copy) has its free-text cells masked by a
 * pass over the bytes (premask.ts) into a copy that DuckDB then reads instead: the SQL masks only
 * the cells the pass marked. A text the pass does not read as plain CSV stays as it was.
 */
async function preMask(
  source: SourceTable,
  match: Match,
  work: string,
  options: { key: string | null; told: IngestOptions['onPreMask']; halves?: boolean; started: () => void },
): Promise<void> {
  const { told } = options;
  if (source.format !== 'csv' || source.numbered || !source.text || source.delimiter === undefined) return;
  const columns = preMaskColumns(match);
  if (!columns) return;
  if (!source.relation.includes(sqlString(source.text))) return;
  // The look for outer spaces is done by the pass (it reads every byte of the rows anyway); the
  // pass over the bytes that hashes the file stops doing it.
  const answerLook = source.takeOverLook?.() ?? null;
  options.started();
  // The phone's mobile numbers are hashed too when the warehouse's scheme is the one the pass knows.
  const key = options.key && /^[0-9a-f]{64}$/i.test(options.key) ? Buffer.from(options.key, 'hex') : null;
  const words = key ? Array.from({ length: 8 }, (_, i) => key.readUInt32BE(4 * i)) : null;
  const plan = { delimiter: source.delimiter, columns: source.headers.length, ...columns, phone: words ? columns.phone : null, key: words };
  let files: string[];
  try {
    const outcome = await preMaskFile(source.text, join(work, 'premasked.csv'), plan, { halves: options.halves });
    files = outcome.files;
    answerLook?.(outcome.outerSpaces);
    told?.(outcome);
  } catch (error) {
    if (!(error instanceof NotPlain)) {
      answerLook?.(true);
      throw error;
    }
    // (a look of its own, beside the load: the cells are trimmed again if it finds a space)
    if (answerLook) void lookOverFile(source.text).then(answerLook, () => answerLook(true));
    told?.(null);
    return;
  }
  // (two halves are one relation: DuckDB reads the files in this order, each after its header)
  source.relation = source.relation.replace(sqlString(source.text), files.length === 1 ? sqlString(files[0]) : `[${files.map(sqlString).join(', ')}]`);
  source.preMasked = { texts: new Set(columns.masked), phone: plan.phone };
}

/**
 * A Parquet file's columns come from its schema: every column as text, numbered by its row. An
 * instant (TIMESTAMPTZ) becomes Beijing wall-clock time (the session zone), like every timestamp stored.
 */
async function describeParquet(warehouse: Warehouse, source: SourceTable): Promise<void> {
  let described: { column_name: string; column_type: string }[];
  try {
    described = await warehouse.all(`describe select * from ${source.relation}`);
  } catch (error) {
    throw new RefusedFile(`不是可读的 Parquet 文件（文件可能损坏或被截断） / could not read the file: ${String((error as Error).message).split('\n')[0]}`);
  }
  const columns = described.filter((c) => c.column_name !== 'file_row_number');
  source.headers = columns.map((c) => c.column_name);
  const casts = columns.map(({ column_name, column_type }, i) => {
    const name = `"${column_name.replaceAll('"', '""')}"`;
    return `cast(${column_type.startsWith('TIMESTAMP WITH TIME ZONE') ? `cast(${name} as timestamp)` : name} as varchar) as c${i}`;
  });
  source.relation = `(select file_row_number + 1 as __row, ${casts.join(', ')} from ${source.relation})`;
}

/**
 * Loads one file, atomically: either every good row, its quarantined rows and its run record are
 * committed together, or the warehouse stays exactly as it was. Whatever happens, the file gets an
 * `ingest_runs` row: a file that cannot be read — bad bytes, a damaged workbook, an unexpected
 * error — is recorded as refused with the reason, never a crash of the caller.
 *
 * New records go straight into their table (one pass, see load.ts); a file that updates stored
 * records is mapped into a temp table and merged.
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
  const tracker = trackLoad(file, bytes, options.onProgress);
  let prepared: Prepared | null = null;
  const refused = async (error: unknown) => {
    // The pass over the bytes may still run (a refusal before the load): let it end first.
    await prepared?.context.settle().catch(() => undefined);
    if (!known.sha) known.sha = await fileSha256(file).catch(() => '');
    return refuse(warehouse, summary, asRefusal(error), { name, sha: known.sha, bytes, startedAt });
  };
  const work = scratchFolder(file, 'ingest');
  try {
    try {
      prepared = await prepareFile(warehouse, file, work, options, tracker, known, phase);
    } catch (error) {
      return await refused(error);
    }
    const { context } = prepared;
    const { match } = context;
    Object.assign(summary, { format: context.source.format, encoding: context.source.encoding, profile: match.profile.name, kind: match.kind, unmapped: match.unmapped });
    try {
      await loadFile(prepared, summary, { name, bytes, startedAt });
    } catch (error) {
      if (error instanceof AlreadyLoaded) {
        const runId = error.runId;
        return {
          ...emptySummary(file), format: summary.format, encoding: summary.encoding, profile: summary.profile, kind: summary.kind, status: 'unchanged', runId,
          message: `与第 ${runId} 次导入的文件内容和映射方案都相同，未做改动 / identical to run ${runId}; nothing changed`, durationMs: Date.now() - started,
        };
      }
      // The transaction rolled back: the warehouse is as before. Record why, as a refusal.
      Object.assign(summary, { rowsRead: 0, loaded: 0, updated: 0, unchanged: 0, quarantined: 0 });
      return await refused(error);
    }
    return summary;
  } finally {
    tracker.finish();
    await warehouse.run(`set preserve_insertion_order = true`).catch(() => undefined); // see loadDirect
    for (const drop of ['view incoming', 'table record_breaks', 'table mapped', 'table merged', 'table checked_rows']) {
      await warehouse.run(`drop ${drop.replace(' ', ' if exists ')}`).catch(() => undefined);
    }
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The load proper: the direct path when the file holds only new records, else (or when the
 * direct attempt finds repeated ids) the merge. A file DuckDB cannot read as regular CSV is
 * rewritten by the scanner and tried again.
 */
async function loadFile(prepared: Prepared, summary: FileSummary, file: { name: string; bytes: number; startedAt: Date }): Promise<void> {
  const { context } = prepared;
  let direct = directPossible(context.match);
  if (direct) {
    try {
      direct = !(await overlapsStored(context));
    } catch (error) {
      if (!(error instanceof NeedsScan)) throw error;
      await rescan(context);
      direct = !(await overlapsStored(context));
    }
  }
  for (let attempt = 0; direct && attempt < 3; attempt++) {
    try {
      await commit(prepared, summary, file, (runId) => loadDirect(context, runId));
      return;
    } catch (error) {
      if (error instanceof NeedsMerge) direct = false;
      else if (error instanceof NeedsScan && context.source.numbered === false) await rescan(context);
      else if (!(error instanceof NeedsTrim)) throw error;
    }
  }
  // The merge: a re-import of the same bytes is told before any work is done.
  try {
    await context.settle();
  } catch (error) {
    if (!(error instanceof NeedsScan)) throw error;
    await rescan(context);
  }
  const earlier = prepared.force ? null : await earlierLoad(context.warehouse, prepared.known.sha, prepared.fingerprint);
  if (earlier !== null) throw new AlreadyLoaded(earlier);
  const rowsRead = await mapIntoTemp(context);
  context.phase('map');
  await commit(prepared, summary, file, async (runId) => ({ rowsRead, ...(await loadMerged(context, runId)) }));
}

/**
 * The next load's number: one more than the last recorded. Not a sequence: a load tried again on
 * the merge path (or after the scanner) rolls back its first attempt, and a sequence would have
 * spent a number on it, so the 数据 page would list runs 1, 3, 4, 7 as if loads were missing.
 * Writers run one at a time (the scheduler's queue, or the CLI holding the file), so two loads
 * never take the same number.
 */
async function nextRunId(warehouse: Warehouse): Promise<number> {
  return Number((await warehouse.one<{ id: number }>(`select coalesce(max(run_id), 0) + 1 as id from ingest_runs`))!.id);
}

/** One transaction: the load, its quarantined rows and its `ingest_runs` row. */
async function commit(prepared: Prepared, summary: FileSummary, file: { name: string; bytes: number; startedAt: Date }, load: (runId: number) => Promise<LoadCounts>): Promise<void> {
  const { context, fingerprint, known } = prepared;
  const { warehouse } = context;
  await warehouse.transaction(async () => {
    const runId = await nextRunId(warehouse);
    summary.runId = runId;
    const counts = await load(runId);
    await context.settle();
    const sha = known.sha;
    // The direct path learns only now (its pass over the bytes ran beside DuckDB) that the same
    // bytes were loaded before: the transaction rolls back and nothing changes.
    const earlier = prepared.force ? null : await earlierLoad(warehouse, sha, fingerprint);
    if (earlier !== null) throw new AlreadyLoaded(earlier);
    // A reload of the same bytes (--force, or a changed mapping) replaces what earlier loads of them quarantined.
    await warehouse.run(`delete from quarantine where run_id <> $run and run_id in (select run_id from ingest_runs where file_sha256 = $sha)`, { run: runId, sha });
    Object.assign(summary, counts);
    summary.quarantined = (await warehouse.one<{ n: number }>(`select count(*) as n from quarantine where run_id = $run`, { run: runId }))!.n;
    summary.status = 'loaded';
    const skipped = [preambleNote(context.source.preamble), totalRowsNote([...context.totalRows].sort((a, b) => a.row - b.row))].filter((n): n is string => n !== null);
    summary.message = skipped.length ? skipped.join('；') : null;
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
        name: file.name,
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

/** An error while reading or loading, as the refusal the user reads; only the first line of DuckDB's message. */
function asRefusal(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const message = String((error as Error)?.message ?? error).split('\n')[0];
  return new RefusedFile(`导入失败，文件未导入：${message} / the load failed and nothing was stored: ${message}`);
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
  summary.runId = await nextRunId(warehouse);
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

export async function ingestPaths(warehouse: Warehouse, paths: string[], options: IngestOptions): Promise<FileSummary[]> {
  const summaries: FileSummary[] = [];
  for (const file of expandPaths(paths)) summaries.push(await ingestFile(warehouse, file, options));
  return summaries;
}
