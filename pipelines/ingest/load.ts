import type { PhoneHashScheme } from '../privacy.js';
import type { Warehouse } from '../warehouse.js';
import { duplicateSql, KEY_COLUMNS, mappingSql, STORED_COLUMNS } from './mapping.js';
import { mergeIncoming } from './merge.js';
import { FIELDS, type Match } from './profiles.js';
import { rowsFromShare, type LoadTracker } from './progress.js';
import { linesAfterHeader, scanText } from './read.js';
import { RefusedFile, totalRowLabel, type ReadOptions, type SourceTable, type TotalRow } from './source.js';

/**
 * Writing one mapped file into the warehouse, two ways:
 * - **direct**: the mapping query inserts the good rows straight into the table — one pass over
 *   the file, one write, as fast as DuckDB itself. For new records only (no id of the file is in
 *   the table yet, none repeats within the file); the bad rows are found by a second, cheaper
 *   pass that only checks.
 * - **merge**: the file is mapped into a temp table first, then merged (latest state wins, see
 *   merge.ts). For re-imports and updates, and for the small reference kinds.
 * Both run inside the caller's transaction.
 */

/** The file turned out to need the JavaScript scanner (DuckDB's reader found it irregular). */
export class NeedsScan extends Error {}
/** The file turned out to hold ids already stored or repeated: it goes through the merge. */
export class NeedsMerge extends Error {}
/** A text loaded with its cells untrimmed turned out to have a cell with an outer space: it is loaded again, trimmed. */
export class NeedsTrim extends Error {}

/**
 * Whether a mapping that starts now may take the source's cells untrimmed: the look at its bytes
 * (read.ts, outer-space.ts) found no space at a cell's edge. Waits for it to answer.
 */
async function untrimmed(source: SourceTable): Promise<boolean> {
  return !!source.outerSpaces && !(await source.outerSpaces);
}

export interface LoadContext {
  warehouse: Warehouse;
  path: string;
  name: string;
  source: SourceTable;
  match: Match;
  key: string;
  /** The warehouse's phone-hash scheme (privacy.ts). */
  phoneHash: PhoneHashScheme;
  read: ReadOptions;
  tracker: LoadTracker;
  /** How often DuckDB's progress is polled while it works. */
  progressEveryMs: number;
  phase: (name: string) => void;
  /**
   * Waits for the pass over the file's bytes that runs beside DuckDB (hash, UTF-8 check, line
   * count): refuses the file if its bytes are bad, throws NeedsScan if its text needs the scanner.
   */
  settle: () => Promise<void>;
  /** Rows of totals (合计 …) the load skipped rather than quarantined: filled in as it finds them. */
  totalRows: TotalRow[];
}

export interface LoadCounts {
  rowsRead: number;
  loaded: number;
  updated: number;
  unchanged: number;
}

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Errors of DuckDB's CSV reader: the file is not the regular CSV it looked like. */
function isReadError(error: unknown): boolean {
  return /CSV|Invalid Input Error|unicode|Conversion Error|state machine/i.test(String((error as Error)?.message ?? error));
}

/**
 * Runs `sql` while reporting its progress to the tracker; returns the rows changed. DuckDB's share
 * done is what it has read of the source, but its own row figure is an estimate in units of its
 * own (5.3 M for a file of 2 M records), so the rows shown are that share of the records the file
 * holds: known from the scanner or, for a file read in place, once the pass over its bytes has
 * counted its lines (well before DuckDB is through). Until then no rows are shown.
 */
async function withProgress(context: LoadContext, sql: string, params?: Record<string, string | number>): Promise<number> {
  const connection = context.warehouse.connection;
  const { source } = context;
  let records: number | null = source.numbered ? (source.records === null ? null : source.records - source.rejected.length) : (source.lines ?? null);
  if (records === null && source.pending) source.pending.then((layout) => (records = linesAfterHeader(layout)), () => undefined);
  const timer = setInterval(() => {
    try {
      const rows = rowsFromShare(connection.progress.percentage, records);
      if (rows !== null) context.tracker.rows(rows);
    } catch {
      // progress is informative only
    }
  }, context.progressEveryMs);
  try {
    const result = await connection.run(sql, params);
    clearInterval(timer);
    // Done: every record was read. DuckDB's share moves in coarse steps (0 % for most of a
    // 200,000-record file, then 91 %), so a short load could end showing 0 rows. The pass over
    // the bytes that counts the lines is awaited by the load anyway.
    if (records === null && source.pending) records = await source.pending.then(linesAfterHeader, () => null);
    if (records !== null) context.tracker.rows(records);
    return result.rowsChanged;
  } finally {
    clearInterval(timer);
  }
}

/** The source with its CSV rewritten by the scanner, once DuckDB found the file irregular. */
export async function rescan(context: LoadContext): Promise<SourceTable> {
  context.tracker.phase('scanning');
  context.source = await scanText(context.path, context.source, context.read);
  context.phase('scan');
  return context.source;
}

/** Whether the direct path may be tried: a kind with one key that the file has as a column. */
export function directPossible(match: Match): boolean {
  return (match.kind === 'tickets' || match.kind === 'calls') && match.columns.has(KEY_COLUMNS[match.kind][0]);
}

/**
 * Whether any id of the file is stored already: then it must be merged. Reads only the id column
 * (DuckDB skips converting the others); nothing to read when the table is empty.
 */
export async function overlapsStored(context: LoadContext): Promise<boolean> {
  const { warehouse, match, source } = context;
  const table = match.kind;
  const key = KEY_COLUMNS[table][0];
  if ((await warehouse.one<{ n: number }>(`select count(*) as n from ${table}`))!.n === 0) return false;
  const at = match.columns.get(key)!;
  const value = `nullif(trim(c${at}), '')`;
  try {
    const found = await warehouse.one<{ n: number }>(`select count(*) as n from ${source.relation} where ${value} in (select ${q(key)} from ${table})`);
    return found!.n > 0;
  } catch (error) {
    if (!source.numbered && isReadError(error)) {
      await context.settle(); // bad bytes refuse the file; otherwise the scanner reads it
      throw new NeedsScan();
    }
    throw error;
  }
}

/**
 * The direct path: good rows inserted by the mapping query itself, bad rows quarantined from a
 * checking pass. Throws NeedsScan (DuckDB could not read the file as regular CSV, or its records
 * are not one per line) or NeedsMerge (an id repeats within the file); the caller rolls back.
 */
export async function loadDirect(context: LoadContext, runId: number): Promise<LoadCounts> {
  const { warehouse, match, source, name } = context;
  context.totalRows = []; // (a load tried again starts afresh)
  const table = match.kind;
  const key = KEY_COLUMNS[table][0];
  const stored = STORED_COLUMNS[table].map(q).join(', ');
  // Untrimmed while the look at the bytes has not found an outer space: when it does, the insert
  // is interrupted at once (the look reads far faster than DuckDB loads) and the load starts again.
  const spaces = source.outerSpaces;
  const mapping = mappingSql(match, source.headers, { source: source.relation, rowNumbers: source.numbered, phoneHash: context.phoneHash, untrimmed: spaces !== undefined, preMasked: source.preMasked });
  let inserting = false;
  void spaces?.then((found) => {
    if (found && inserting) warehouse.connection.interrupt();
  });
  const foundSpaces = async () => {
    inserting = false;
    if (!spaces || !(await spaces)) return false;
    source.outerSpaces = undefined; // the next try trims
    return true;
  };
  context.tracker.phase('loading');
  let inserted: number;
  // The rows may land in any order (10 % faster at 2 M rows: each thread appends its own row
  // groups). Each row's line comes from the checking pass, which reads the file again in order, and
  // no reader relies on a table's physical order. The setting is instance-wide: restored at once.
  await warehouse.run(`set preserve_insertion_order = false`);
  try {
    inserting = true;
    inserted = await withProgress(
      context,
      `insert into ${table} by name
       select ${stored}, $profile as source_profile, $run as first_run_id, $run as last_run_id, activity_at
       from (${mapping}) where not bad`,
      mapping.includes('$key') ? { profile: match.profile.name, run: runId, key: context.key } : { profile: match.profile.name, run: runId },
    );
    inserting = false;
  } catch (error) {
    if (await foundSpaces()) throw new NeedsTrim();
    if (!source.numbered && isReadError(error)) {
      await context.settle();
      throw new NeedsScan();
    }
    throw error;
  } finally {
    // (in an aborted transaction this fails; ingestFile sets it again after the rollback)
    await warehouse.run(`set preserve_insertion_order = true`).catch(() => undefined);
  }
  if (await foundSpaces()) throw new NeedsTrim();
  context.phase('insert');
  await context.settle();
  context.tracker.phase('checking');
  // Ids are told apart by their 64-bit hashes first (twice as fast as by the strings), and by the
  // strings only when the hashes repeat: DuckDB's string hash collides far more often than 64 bits
  // should (call ids such as HJ20230101000001: 12 % of 200,000 share a hash), and a collision alone
  // would send a file of distinct ids through the merge, doing its work twice. A repeat is a value
  // equal to the one before it in order: sorting 2 M hashes takes 0.18 s, a hash table of 2 M
  // groups (count distinct) 0.29 s.
  const repeats = async (of: string) =>
    (await warehouse.one<{ n: number }>(`select count(*) as n from (select v, lag(v) over (order by v) as before from (select ${of} as v from ${table} where last_run_id = $run)) where v = before`, { run: runId }))!.n;
  if ((await repeats(`hash(${q(key)})`)) > 0 && (await repeats(q(key))) > 0) throw new NeedsMerge();

  // Rows the relation holds (the scanner's rejects are not in it): fewer inserted means bad rows.
  let inRelation: number | null | undefined = source.numbered ? (source.records === null ? null : source.records - source.rejected.length) : source.lines;
  if (inRelation === null || inRelation === undefined) inRelation = (await warehouse.one<{ n: number }>(`select count(*) as n from ${source.relation}`))!.n;
  let rowsRead = inserted;
  if (inserted < inRelation) rowsRead = await quarantineChecked(context, runId, inserted);
  if (source.numbered) rowsRead = inRelation + source.rejected.length;
  await quarantineStructural(context, runId);
  context.phase('quarantine');
  return { rowsRead, loaded: inserted, updated: 0, unchanged: 0 };
}

/**
 * How a file read in place lies on its lines. A record is one line unless a quoted field holds line
 * breaks (a request text written over several lines): its line is then 2 + the records before it +
 * the line breaks inside them. DuckDB's records and their breaks must add up to the file's lines
 * (else there are blank lines or the like, which the scanner reads), and a field that spans lines
 * may be no longer than a field may be (the scanner's limit; a line's is checked by the byte pass).
 */
interface LineLayout {
  records: number;
  /** Rows of only delimiters: not records (the scanner skips them too). */
  empty: number;
  /** Line breaks inside fields, over the whole file. */
  breaks: number;
}

/** The line breaks inside a row's fields. */
function breaksSql(headers: readonly string[]): string {
  return headers.map((_, i) => `(case when contains(c${i}, chr(10)) then strlen(c${i}) - strlen(replace(c${i}, chr(10), '')) else 0 end)`).join(' + ') || '0';
}

/** The longest field of a row, in bytes. */
function longestSql(headers: readonly string[]): string {
  return headers.length ? `greatest(${headers.map((_, i) => `coalesce(strlen(c${i}), 0)`).join(', ')})` : '0';
}

/** The line a record starts on: 2 + its place `order` (from 0) + the line breaks of the records before it. */
function lineOf(order: string, breaks: string): string {
  return `(${order} + 2 + coalesce(sum(${breaks}) over (order by ${order} rows between unbounded preceding and 1 preceding), 0))::bigint`;
}

/** A row of only delimiters. */
function emptySql(headers: readonly string[]): string {
  return headers.map((_, i) => `c${i} is null`).join(' and ') || 'false';
}

/** The layout of the file read in place; null when the scanner must read it. */
async function lineLayout(context: LoadContext): Promise<LineLayout | null> {
  const { warehouse, source } = context;
  const headers = source.headers;
  const layout = (await warehouse.one<LineLayout & { longest: number }>(
    `select count(*) as records, count(*) filter (where ${emptySql(headers)}) as empty, coalesce(sum(${breaksSql(headers)}), 0)::bigint as breaks, coalesce(max(${longestSql(headers)}), 0) as longest from ${source.relation}`,
  ))!;
  if (layout.records + layout.breaks !== source.lines) return null;
  if (layout.breaks > 0 && layout.longest > context.read.maxFieldBytes) return null;
  return { records: layout.records, empty: layout.empty, breaks: layout.breaks };
}

/**
 * `order` numbers the rows of `rows` in file order from 0; the result adds `__row`, the line each
 * record starts on (the header is line 1).
 */
function numberedByLine(rows: string, order: string, headers: readonly string[], breaks: number): string {
  if (!breaks) return `(select ${order} + 2 as __row, * from ${rows})`;
  return `(select ${lineOf('__order', '__breaks')} as __row, * exclude (__order, __breaks)
           from (select ${order} as __order, ${breaksSql(headers)} as __breaks, * from ${rows}))`;
}

/**
 * The rows the direct insert left out, quarantined with their line and reasons, by a pass that
 * only checks (no masking, no hashing). A file read in place is numbered by its order and the line
 * breaks inside its fields (lineLayout); when its records do not add up to its lines, the file goes
 * through the scanner. Returns the records read (empty rows, i.e. only delimiters, not counted).
 */
async function quarantineChecked(context: LoadContext, runId: number, inserted: number): Promise<number> {
  const { warehouse, match, source, name } = context;
  let records = 0;
  let relation = source.relation;
  if (!source.numbered) {
    const layout = await lineLayout(context);
    if (!layout) throw new NeedsScan();
    records = layout.records - layout.empty;
    // Every record loaded (the file only has records over several lines): nothing to quarantine.
    if (inserted === records) return records;
    // Numbered in file order: one thread reads, and each record gets the next number.
    relation = numberedByLine(source.relation.replace(/\)$/, ', parallel = false)'), 'row_number() over () - 1', source.headers, layout.breaks);
  }
  const checks = mappingSql(match, source.headers, { source: relation, rowNumbers: true, checksOnly: true, phoneHash: context.phoneHash, untrimmed: await untrimmed(source), preMasked: source.preMasked });
  await warehouse.run(`create or replace temp table checked_rows as select __row, reasons, record, empty, total_row from (${checks}) where bad`);
  await warehouse.run(
    `insert into quarantine (run_id, file_name, row_number, reason, record)
     select $run, $name, __row, array_to_string(reasons, '；'), record from checked_rows where not empty and total_row is null order by __row`,
    { run: runId, name },
  );
  await collectTotalRows(context, 'checked_rows', 'not empty');
  await warehouse.run(`drop table if exists checked_rows`);
  return records;
}

/**
 * The merge path's first half, also the dry run's: every row mapped into the temp table `mapped`
 * (with `__row`), duplicates within the file marked. A file read in place is mapped straight from
 * it, in parallel: with insertion order kept, a row's rowid is its record's place in the file, from
 * which numberMappedRows gives each its line.
 */
export async function mapIntoTemp(context: LoadContext): Promise<number> {
  const { warehouse, match } = context;
  try {
    await context.settle();
  } catch (error) {
    if (!(error instanceof NeedsScan)) throw error;
    await rescan(context);
  }
  context.tracker.phase('loading');
  const inPlace = !context.source.numbered;
  // (in place, `__row` is a placeholder until numberMappedRows: −1 marks a row of only delimiters)
  const relation = inPlace ? `(select case when ${emptySql(context.source.headers)} then -1 else 0 end::bigint as __row, * from ${context.source.relation})` : context.source.relation;
  const mapping = mappingSql(match, context.source.headers, { source: relation, rowNumbers: true, phoneHash: context.phoneHash, untrimmed: await untrimmed(context.source), preMasked: context.source.preMasked });
  const again = async () => {
    await warehouse.run(`drop table if exists mapped`);
    await rescan(context);
    return mapIntoTemp(context);
  };
  try {
    await warehouse.run(`create or replace temp table mapped as ${mapping}`, mapping.includes('$key') ? { key: context.key } : undefined);
  } catch (error) {
    if (!isReadError(error)) throw error;
    if (inPlace) return again();
    throw new RefusedFile(`读取失败 / could not read the file: ${String((error as Error).message).split('\n')[0]}`);
  }
  if (inPlace && !(await numberMappedRows(context))) return again();
  const duplicates = duplicateSql(match.kind);
  if ((await warehouse.one<{ n: number }>(duplicates.check))!.n > 0) await warehouse.run(duplicates.mark);
  const mapped = (await warehouse.one<{ n: number }>('select count(*) as n from mapped'))!.n;
  return mapped + context.source.rejected.length;
}

/**
 * Gives each row of `mapped` (mapped in file order from a file read in place) the line its record
 * starts on, and drops the rows of only delimiters (not records, though they take their lines).
 * A file whose records are one line each needs nothing more than the rowid; otherwise the line
 * breaks inside each record's fields are read from the file (lineLayout's rule). False when the
 * records do not add up to the file's lines, or a field over several lines is too long: the scanner
 * reads such a file.
 */
async function numberMappedRows(context: LoadContext): Promise<boolean> {
  const { warehouse, source } = context;
  const records = (await warehouse.one<{ n: number }>(`select count(*) as n from mapped`))!.n;
  if (records === source.lines) {
    await warehouse.run(`update mapped set __row = rowid + 2 where __row = 0`);
  } else {
    await warehouse.run(`create or replace temp table record_breaks as select ${breaksSql(source.headers)} as breaks, ${longestSql(source.headers)} as longest from ${source.relation}`);
    const totals = (await warehouse.one<{ n: number; breaks: number; longest: number }>(
      `select count(*) as n, coalesce(sum(breaks), 0)::bigint as breaks, coalesce(max(longest) filter (where breaks > 0), 0) as longest from record_breaks`,
    ))!;
    const regular = totals.n === records && records + totals.breaks === source.lines && totals.longest <= context.read.maxFieldBytes;
    if (regular) {
      await warehouse.run(
        `update mapped set __row = x.line
         from (select rowid as at, ${lineOf('rowid', 'breaks')} as line from record_breaks) as x
         where mapped.rowid = x.at and mapped.__row = 0`,
      );
    }
    await warehouse.run(`drop table if exists record_breaks`);
    if (!regular) return false;
  }
  await warehouse.run(`delete from mapped where __row = -1`);
  return true;
}

/** The merge path's second half, inside the transaction: quarantine the bad rows, merge the good ones. */
export async function loadMerged(context: LoadContext, runId: number): Promise<Omit<LoadCounts, 'rowsRead'>> {
  const { warehouse, match, name } = context;
  context.totalRows = []; // (a load tried again starts afresh)
  await warehouse.run(
    `insert into quarantine (run_id, file_name, row_number, reason, record)
     select $run, $name, __row, array_to_string(reasons, '；'), record from mapped where bad and total_row is null`,
    { run: runId, name },
  );
  await collectTotalRows(context, 'mapped');
  await quarantineStructural(context, runId);
  await warehouse.run(`create or replace temp view incoming as select * exclude (bad, reasons, record, total_row, __row) from mapped where not bad`);
  context.phase('quarantine');
  context.tracker.phase('merging');
  const merged = await mergeIncoming(warehouse, match.kind, runId, match.profile.name);
  context.phase('merge');
  return merged;
}

/** The rows of totals in `table` (with `filter`), in file order, into context.totalRows. */
async function collectTotalRows(context: LoadContext, table: string, filter = 'true'): Promise<void> {
  const found = await context.warehouse.all<{ __row: number; total_row: string }>(`select __row, total_row from ${table} where total_row is not null and ${filter} order by __row`);
  context.totalRows.push(...found.map((r) => ({ row: Number(r.__row), label: r.total_row })));
}

/** Records rejected by the reader (wrong field count, oversized field, truncated quote). */
async function quarantineStructural(context: LoadContext, runId: number): Promise<void> {
  const { warehouse, source, match, name } = context;
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
    // ("合计,,5" in a file of 17 columns: a row of totals, not a broken record)
    const total = totalRowLabel(record.fields);
    if (total !== null) {
      const [masked] = await warehouse.all<{ label: string }>(`select hp_mask_text(left($label, 40)) as label`, { label: total });
      context.totalRows.push({ row: record.row, label: masked.label });
      continue;
    }
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
