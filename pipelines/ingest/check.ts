import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from '../cli-error.js';
import { Warehouse } from '../warehouse.js';
import { prepareFile, type IngestOptions } from './ingest.js';
import { scratchFolder } from './scratch.js';
import { mapIntoTemp } from './load.js';
import { trackLoad } from './progress.js';
import { REASON_PATTERN, STORED_COLUMNS } from './mapping.js';
import { preambleNote, totalRowLabel, totalRowsNote, type TotalRow } from './source.js';
import { FIELDS, type DeriveRule, type Kind, type KindSpec, type Match, type Profile } from './profiles.js';

/**
 * The dry run behind `hotline profiles check FILE`: the file is read and mapped exactly as a load
 * would do it, in a throw-away in-memory database, and nothing is written anywhere. It reports how
 * every canonical field is filled, the columns nobody reads, the first rows as they would be
 * stored and every problem a load would quarantine or refuse.
 */

export interface FieldSource {
  field: string;
  label: string;
  source: string;
}

export interface CheckProblem {
  reason: string;
  rows: number;
  /** The first lines (CSV) or sheet rows (XLSX) with this reason. */
  lines: number[];
}

export interface CheckReport {
  file: string;
  format: string | null;
  encoding: string | null;
  sheet: string | null;
  /** Rows above the header that are skipped (a title, 导出时间 …), when there are any. */
  preamble: string | null;
  /** Rows of totals (合计 …) that are skipped, when there are any. */
  totals: string | null;
  profile: string | null;
  kind: string | null;
  fields: FieldSource[];
  unmapped: string[];
  rowsRead: number;
  good: number;
  quarantined: number;
  /** The first good rows as the warehouse would store them (phone as a hash under a throw-away key). */
  rows: Record<string, unknown>[];
  problems: CheckProblem[];
  /** Why the whole file would be refused, when it would. */
  refused: string | null;
}

const SHOWN_PROBLEMS = 50;

const SHOWN_LINES = 5;

export async function checkFile(path: string, options: Omit<IngestOptions, 'key' | 'force'> & { rows?: number }): Promise<CheckReport> {
  const file = resolve(path);
  const report: CheckReport = {
    file, format: null, encoding: null, sheet: null, preamble: null, totals: null, profile: null, kind: null, fields: [], unmapped: [],
    rowsRead: 0, good: 0, quarantined: 0, rows: [], problems: [], refused: null,
  };
  const warehouse = await Warehouse.open(':memory:');
  const work = scratchFolder(file, 'check');
  const tracker = trackLoad(file, 0);
  try {
    // A throw-away key: the dry run needs no key file, and its hashes match nothing stored.
    const prepared = await prepareFile(warehouse, file, work, { ...options, key: randomBytes(32).toString('hex'), force: true }, tracker, { sha: '' });
    const { context } = prepared;
    const { match } = context;
    report.rowsRead = await mapIntoTemp(context);
    const source = context.source;
    Object.assign(report, {
      format: source.format, encoding: source.encoding, sheet: source.sheet ?? null, preamble: preambleNote(source.preamble), profile: match.profile.name, kind: match.kind,
      fields: describeFields(match, source.headers), unmapped: match.unmapped,
    });
    const columns = STORED_COLUMNS[match.kind].map((c) => `"${c}"`).join(', ');
    report.rows = await warehouse.all(`select __row as "行", ${columns} from mapped where not bad order by __row limit $n`, { n: options.rows ?? 5 });
    const counts = (await warehouse.one<{ good: number; bad: number }>(
      `select count(*) filter (where not bad) as good, count(*) filter (where bad and total_row is null) as bad from mapped`,
    ))!;
    const totals: TotalRow[] = (await warehouse.all<{ __row: number; total_row: string }>(`select __row, total_row from mapped where total_row is not null`)).map((r) => ({ row: Number(r.__row), label: r.total_row }));
    const rejected = source.rejected.filter((r) => {
      const label = totalRowLabel(r.fields);
      if (label !== null) totals.push({ row: r.row, label });
      return label === null;
    });
    report.totals = totalRowsNote(totals.sort((a, b) => a.row - b.row));
    report.good = counts.good;
    report.quarantined = counts.bad + rejected.length;
    // Reasons quote the failing values; problems are the reasons with the values left out.
    const mapped = await warehouse.all<{ reason: string; rows: number; lines: string }>(
      `select min_by(reason, __row) as reason, count(*) as rows, array_to_string(list(__row order by __row)[1:${SHOWN_LINES}], ',') as lines
       from (select unnest(reasons) as reason, __row from mapped where bad and total_row is null)
       group by ${REASON_PATTERN} order by rows desc, min(__row) limit ${SHOWN_PROBLEMS}`,
    );
    const structural = new Map<string, CheckProblem>();
    for (const record of rejected) {
      const problem = structural.get(record.reason) ?? { reason: record.reason, rows: 0, lines: [] };
      problem.rows++;
      if (problem.lines.length < SHOWN_LINES) problem.lines.push(record.row);
      structural.set(record.reason, problem);
    }
    report.problems = [...structural.values(), ...mapped.map((p) => ({ ...p, lines: p.lines.split(',').map(Number) }))];
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    report.refused = error.message.replace(`${file}: `, '');
  } finally {
    tracker.finish();
    warehouse.close();
    rmSync(work, { recursive: true, force: true });
  }
  return report;
}

function describeRule(rule: DeriveRule): string {
  if ('value' in rule) return `固定值 constant “${rule.value}”`;
  if ('template' in rule) return `模板 template ${rule.template}`;
  if ('ifPresent' in rule) return `“${rule.from}”有值为“${rule.ifPresent}”，否则“${rule.ifEmpty}”`;
  return `由 from “${rule.from}”${rule.regex ? ` 取 regex ${rule.regex}` : ''}${rule.format ? ` 按 format ${rule.format}` : ''}`;
}

/** Where each canonical field comes from, in words. */
function describeFields(match: Match, headers: string[]): FieldSource[] {
  const spec = match.profile.kinds[match.kind]!;
  const optional = new Set(spec.optional);
  return Object.entries(FIELDS[match.kind]).map(([field, fieldSpec]) => {
    const parts: string[] = [];
    const at = match.columns.get(field);
    if (at !== undefined) parts.push(`列 column #${at + 1} “${headers[at]}”`);
    spec.split.forEach((rule, i) => {
      const splitAt = match.splits.get(i);
      const part = rule.into.indexOf(field);
      if (splitAt !== undefined && part >= 0) parts.push(`拆分 split #${splitAt + 1} “${headers[splitAt]}” 第 ${part + 1} 段`);
    });
    const rule = spec.derive[field];
    if (rule) parts.push(`${parts.length ? '为空时 else ' : ''}推导 derived: ${describeRule(rule)}`);
    if (field === 'caller_name' && parts.length) parts.push('（不入库 / never stored）');
    if (!parts.length) {
      const needed = fieldSpec.required || fieldSpec.requiredWhenDispatched;
      parts.push(optional.has(field) ? '文件中没有，可选：存为空 / optional, stored as NULL' : needed ? '文件中没有 / not in the file' : '—');
    }
    return { field, label: fieldSpec.label, source: parts.join(' ') };
  });
}

/**
 * What a profile file can only get wrong at load time, found before any file arrives: a kind that
 * can never fit (a required field with neither a column, a split, a derive rule nor `optional`),
 * a regular expression DuckDB (RE2) does not accept, a date format it cannot read.
 */
export async function lintProfile(profile: Profile, warehouse: Warehouse): Promise<string[]> {
  const problems: string[] = [];
  const formats: [string, string][] = profile.dateFormats.map((f) => ['dateFormats', f]);
  const regexes: [string, string][] = [];
  for (const [kind, spec] of Object.entries(profile.kinds) as [Kind, KindSpec][]) {
    const optional = new Set(spec.optional);
    const coverable = (field: string) => field in spec.columns || field in spec.derive || spec.split.some((rule) => rule.into.includes(field));
    for (const [field, fieldSpec] of Object.entries(FIELDS[kind])) {
      if ((fieldSpec.required || (fieldSpec.requiredWhenDispatched && coverable('handling'))) && !optional.has(field) && !coverable(field)) {
        problems.push(
          `kinds.${kind}: 必需字段 ${field}（${fieldSpec.label}）没有列、拆分或推导规则，也不在 optional 中，这类文件永远匹配不上 / required field ${field} has no column, split or derive rule and is not optional: no file can ever fit`,
        );
      }
    }
    (spec.dateFormats ?? []).forEach((f) => formats.push([`kinds.${kind}.dateFormats`, f]));
    spec.split.forEach((rule, i) => regexes.push([`kinds.${kind}.split[${i}].separator`, rule.separator]));
    for (const [field, rule] of Object.entries(spec.derive)) {
      if ('regex' in rule && rule.regex) regexes.push([`kinds.${kind}.derive.${field}.regex`, rule.regex]);
      if ('format' in rule && rule.format) formats.push([`kinds.${kind}.derive.${field}.format`, rule.format]);
    }
  }
  for (const [where, format] of formats) {
    try {
      await warehouse.run(`select try_strptime('2020-01-01', $format)`, { format });
    } catch (error) {
      problems.push(`${where}: 日期格式 "${format}" 无效 / invalid date format: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  for (const [where, regex] of regexes) {
    try {
      await warehouse.run(`select regexp_matches('', $regex)`, { regex });
    } catch (error) {
      problems.push(`${where}: 正则表达式 "${regex}" 无效（DuckDB 使用 RE2 语法，不支持前后查找）/ invalid regular expression: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return problems;
}
