import { phoneHashSql, type PhoneHashScheme } from '../privacy.js';
import { COMMON_DATE_FORMATS, deriveSources, FIELDS, type DeriveRule, type Kind, type Match } from './profiles.js';
import { TOTAL_ROW_PATTERN, type PreMaskedColumns } from './source.js';

/**
 * Builds the staging SQL that turns a source relation (c0…cN, all text, and optionally `__row`,
 * the record's line) into canonical, typed rows with a `bad` flag and, for bad rows only, the
 * list of reasons and the masked record. Bad rows are quarantined; the rest merge. The SQL is
 * generated because the columns differ per export, but it only renames, parses and checks (the
 * dbt "staging" role); the macros it calls live in queries/ingest/macros.sql.
 *
 * It is the hot loop of every load, written for speed: each value is trimmed only when it has
 * spaces to trim, mapped through lower() only when it is not already canonical, parsed as a
 * timestamp by a plain cast when it has the common shape, and the reasons (strings, lists) are
 * built only for the rows that have a problem.
 */

export const BOOKKEEPING = ['source_profile', 'first_run_id', 'last_run_id', 'activity_at'] as const;

/** Columns stored per kind (personal fields dropped, the phone as its hash). */
export const STORED_COLUMNS: Record<Kind, string[]> = {
  tickets: [...Object.keys(FIELDS.tickets).filter((f) => f !== 'caller_name').map((f) => (f === 'phone' ? 'phone_hash' : f)), 'handling_given'],
  calls: Object.keys(FIELDS.calls),
  units: Object.keys(FIELDS.units),
  categories: Object.keys(FIELDS.categories),
};

export const KEY_COLUMNS: Record<Kind, string[]> = {
  tickets: ['ticket_id'],
  calls: ['call_id'],
  units: ['unit'],
  categories: ['category_l1', 'category_l2', 'category_l3'],
};

/** A quarantine reason without the values it quotes (“…”, "…"): rows with the same problem count together. */
export const REASON_PATTERN = `regexp_replace(reason, '“[^”]*”|"[^"]*"', '“…”', 'g')`;

const lit = (value: string) => `'${value.replaceAll("'", "''")}'`;
/**
 * Membership in a list of constants. Not `x in (…)`: DuckDB rewrites a long IN list into a join,
 * which is then evaluated for every row whatever CASE surrounds it and keeps every column alive.
 */
const oneOf = (value: string, list: readonly string[]) => `list_contains([${list.map(lit).join(', ')}], ${value})`;
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Timestamps that are plans, not events: they may lie ahead and do not date the row's state. */
const PLANNED_TIMESTAMPS = new Set(['deadline_at']);

const FLAG_TRUE = ['是', 'y', 'yes', 'true', 't', '1', '涉企', '紧急'];
const FLAG_FALSE = ['否', 'n', 'no', 'false', 'f', '0', '非涉企', '不紧急', '一般'];

/**
 * A value, or when it is NULL the fallback. Not coalesce(): DuckDB's common-subexpression pass
 * lifts a part that repeats inside coalesce's later arguments (nullif(regexp_extract(…), '') names
 * the extract twice) out into a projection of its own, evaluated for every row — 0.25 CPU s on
 * 2 M rows for the received_at derive rule that almost no row needs. It leaves CASE branches alone.
 */
const orElse = (value: string, fallback: string) => `case when ${value} is not null then ${value} else ${fallback} end`;

/**
 * A cell as a value: NULL when empty; trimmed, but trim (costly) runs only on a cell with an outer
 * space. A source known to have no such cell skips even the test (3 CPU s of a 2 M-row load).
 */
function clean(expression: string, untrimmed = false): string {
  if (untrimmed) return `nullif(${expression}, '')`;
  return `case when ${expression} like ' %' or ${expression} like '% ' then nullif(trim(${expression}), '') else nullif(${expression}, '') end`;
}

/**
 * The reading of one timestamp cell. The common shape `YYYY-MM-DD HH:MM:SS` is read by a cast
 * (several times faster than strptime); anything else — other spellings, zones, serial numbers —
 * by the list of formats. A profile with formats of its own keeps them first for every cell, as a
 * cast could read `2025-03-04` differently from a day-first format.
 *
 * The cast is tried on a cell of 19 bytes. Of those, it reads the common shape, `T` or `/` as
 * separators and fields of one digit with a fraction, each as the list of formats reads it, and
 * fails on an offset (`10:00+08`, `10:00-05`) or a zone name, which the formats' path converts to
 * Beijing time. It would read a closing `Z` (`2022-01-01 1:00:00Z`) as Beijing time, so such a
 * cell goes the formats' way (a lower-case `z` the cast does not read). The test before was
 * `like '____-__-__ __:__:__'`: DuckDB's LIKE with `_` reads the cell a character at a time, 1.5 %
 * of a 2 M-row load's CPU in perf; a byte length is free, and a closing byte one compare.
 */
function parseTimestamp(raw: string, formats: string, profileHasFormats: boolean): string {
  const slow = `hp_parse_ts(${raw}, ${formats})`;
  if (profileHasFormats) return slow;
  // (an empty cell skips the formats: most dispatch, sign and callback cells of an export are empty)
  return `case when ${raw} is not null then coalesce(case when strlen(${raw}) = 19 and not ends_with(${raw}, 'Z') then try_cast(${raw} as timestamp) end, ${slow}) end`;
}

export interface MappingOptions {
  /** The relation to read: a table function call or a table name, with columns c0…cN. */
  source: string;
  /** The relation has a `__row` column (the record's line); otherwise the output has none. */
  rowNumbers: boolean;
  /**
   * Only the checks: `__row`, `bad`, `reasons`, `record`, `total_row` and `empty` (a row of only empty cells),
   * without masking, hashing or the stored columns — for finding the bad rows of a file whose
   * good rows were inserted already.
   */
  checksOnly?: boolean;
  /** How the phone is hashed (the warehouse's scheme), under the key bound as `$key`. */
  phoneHash: PhoneHashScheme;
  /** No cell of the source starts or ends with a space (outer-space.ts): cells are taken as they are, not trimmed. */
  untrimmed?: boolean;
  /** What the pass over the bytes did to the source's copy already (SourceTable.preMasked). */
  preMasked?: PreMaskedColumns;
}

/** One check of a row: the condition that makes it bad, and the reason in words (an SQL string expression). */
interface Check {
  when: string;
  reason: string;
  /** A timestamp's range check (its `when` is `value < EARLIEST or value > latest`): folded into one test for `bad`. */
  range?: { value: string; latest: string };
}

const EARLIEST = `timestamp '1990-01-01'`;

/**
 * Whether any check holds — the same as `c1 or c2 or …` (NULL or true is true; a NULL left over
 * means none held), with the timestamps' range checks folded: a row has a timestamp before 1990
 * when the least of them is, and one too late when the greatest of those with the same bound is
 * (least and greatest skip NULLs, as a NULL check never holds). Three tests instead of two a
 * timestamp and the ORs between them; `bad` is worked out for every row, the reasons only for a
 * bad one.
 */
function anyCheck(checks: Check[]): string {
  if (!checks.length) return 'false';
  const ranged = checks.filter((c) => c.range);
  const terms = checks.filter((c) => !c.range).map((c) => `(${c.when})`);
  if (ranged.length) {
    const all = ranged.map((c) => c.range!.value);
    terms.push(`${all.length > 1 ? `least(${all.join(', ')})` : all[0]} < ${EARLIEST}`);
    for (const latest of new Set(ranged.map((c) => c.range!.latest))) {
      const values = ranged.filter((c) => c.range!.latest === latest).map((c) => c.range!.value);
      terms.push(`${values.length > 1 ? `greatest(${values.join(', ')})` : values[0]} > ${latest}`);
    }
  }
  return `coalesce(${terms.join('\n      or ')}, false)`;
}

/**
 * The free-text columns a pass over the bytes may mask before DuckDB reads them (premask.ts), and
 * the caller's name column, and the phone column whose mobile numbers it may hash: a field taken
 * from one column that feeds nothing else — no other field, split or derive rule reads it, and no
 * derive rule fills the field when it is empty. Null when there is none, or when the name itself
 * comes from a split or derive rule (the pass must see the name's own cell).
 */
export function preMaskColumns(match: Match): { masked: number[]; name: number | null; phone: number | null } | null {
  const spec = match.profile.kinds[match.kind]!;
  const fields = FIELDS[match.kind];
  const splitInto = new Set(spec.split.flatMap((rule) => rule.into));
  const read = new Set<number>([...match.splits.values()]);
  for (const rule of Object.values(spec.derive)) {
    for (const name of deriveSources(rule)) {
      const at = name in fields ? match.columns.get(name) : match.headerAt(name);
      if (at !== undefined) read.add(at);
    }
  }
  const personal = Object.entries(fields).find(([, f]) => f.type === 'personal')?.[0];
  let name: number | null = null;
  if (personal) {
    if (splitInto.has(personal) || spec.derive[personal]) return null;
    name = match.columns.get(personal) ?? null;
  }
  const masked: number[] = [];
  let phone: number | null = null;
  for (const [field, fieldSpec] of Object.entries(fields)) {
    const at = match.columns.get(field);
    if ((fieldSpec.type !== 'masked-text' && fieldSpec.type !== 'phone') || at === undefined || at === name) continue;
    if (splitInto.has(field) || spec.derive[field] || read.has(at)) continue;
    if ([...match.columns].some(([other, column]) => column === at && other !== field)) continue;
    if (fieldSpec.type === 'phone') phone = at;
    else masked.push(at);
  }
  return masked.length || phone !== null ? { masked, name, phone } : null;
}

export function mappingSql(match: Match, headers: string[], options: MappingOptions): string {
  const { kind, profile } = match;
  const spec = profile.kinds[kind]!;
  const fields = FIELDS[kind];
  const ownFormats = [...(spec.dateFormats ?? []), ...profile.dateFormats];
  const formats = `[${[...ownFormats, ...COMMON_DATE_FORMATS].map(lit).join(', ')}]`;
  const rawColumns = headers.map((_, i) => `c${i}`);
  const preMasked = options.preMasked?.texts ?? new Set<number>();
  const hashedAt = options.preMasked?.phone ?? null;
  /** Whether the phone field's column is one whose mobile numbers the source's copy has hashed. */
  const preHashed = hashedAt !== null && Object.entries(fields).some(([field, f]) => f.type === 'phone' && match.columns.get(field) === hashedAt);
  /** A cell's text: a pre-masked column's marker taken off. */
  const cell = (i: number) => (preMasked.has(i) ? `hp_unmark(c${i})` : `c${i}`);
  const row = options.rowNumbers ? ['__row'] : [];

  // 1. picked: the value each canonical field takes from its own column or a split column.
  const picked: string[] = [];
  for (const field of Object.keys(fields)) {
    const sources: string[] = [];
    const at = match.columns.get(field);
    if (at !== undefined) sources.push(clean(cell(at), options.untrimmed));
    spec.split.forEach((rule, ruleIndex) => {
      const splitAt = match.splits.get(ruleIndex);
      const part = rule.into.indexOf(field);
      if (splitAt !== undefined && part >= 0) {
        sources.push(`nullif(trim(string_split_regex(c${splitAt}, ${lit(rule.separator)})[${part + 1}]), '')`);
      }
    });
    picked.push(`${sources.length === 0 ? 'null::varchar' : sources.length === 1 ? sources[0] : `coalesce(${sources.join(', ')})`} as ${ident(field)}`);
  }
  // A derive rule may name a canonical field or any header of the file. A rule may read a canonical
  // field that is itself derived (dispatched_at from a received_at taken from the id): then it
  // reads that field's value after its own rule.
  const reference = (name: string, seen: Set<string> = new Set()): string => {
    if (name in fields) {
      const rule = spec.derive[name];
      if (!rule || seen.has(name)) return `picked.${ident(name)}`;
      return orElse(`picked.${ident(name)}`, derive(rule, new Set([...seen, name])));
    }
    const at = match.headerAt(name);
    return at === undefined ? 'null::varchar' : clean(`picked.c${at}`, options.untrimmed);
  };
  /** The value a `from` rule reads, as seen in the checked rows (for a reason that shows it). */
  const deriveSource = (field: string): { label: string; value: string } | null => {
    const rule = spec.derive[field];
    if (!rule || !('from' in rule) || 'ifPresent' in rule) return null;
    if (rule.from in fields) return { label: fields[rule.from].label, value: `typed.${ident(rule.from)}` };
    const at = match.headerAt(rule.from);
    return at === undefined ? null : { label: headers[at] || rule.from, value: clean(`typed.c${at}`, options.untrimmed) };
  };
  const derive = (rule: DeriveRule, seen: Set<string> = new Set()): string => {
    if ('value' in rule) return lit(rule.value);
    if ('template' in rule) {
      const names = [...rule.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const parts = rule.template.split(/\{[^}]+\}/);
      const pieces: string[] = [];
      parts.forEach((text, i) => {
        if (text) pieces.push(lit(text));
        if (i < names.length) pieces.push(`coalesce(${reference(names[i], seen)}, '')`);
      });
      const anyPresent = names.map((n) => `${reference(n, seen)} is not null`).join(' or ') || 'false';
      return `case when ${anyPresent} then concat(${pieces.join(', ')}) end`;
    }
    if ('ifPresent' in rule) return `case when ${reference(rule.from, seen)} is not null then ${lit(rule.ifPresent)} else ${lit(rule.ifEmpty)} end`;
    let value = reference(rule.from, seen);
    if (rule.regex) value = `nullif(regexp_extract(${value}, ${lit(rule.regex)}, ${/\(/.test(rule.regex) ? 1 : 0}), '')`;
    if (rule.format) value = `strftime(try_strptime(${value}, ${lit(rule.format)}), '%Y-%m-%d %H:%M:%S')`;
    return value;
  };

  // 2. derived: a field's own column first, then its derive rule. 3. raw: value maps applied.
  const derivedFields: string[] = [];
  const rawFields: string[] = [];
  // Whether 办理方式 came from the export: a profile's constant for it (an export without the
  // column, where every request is 转办) stands for a value the export never had, and 直接答复率
  // is then missing, not 0 %. A rule that reads the export (from, ifPresent) is the export's word.
  if (kind === 'tickets' && !options.checksOnly) {
    const rule = spec.derive.handling;
    derivedFields.push(`${rule && 'value' in rule ? 'picked.handling is not null' : 'true'} as __handling_given`);
    rawFields.push('derived.__handling_given as __handling_given');
  }
  for (const [field, fieldSpec] of Object.entries(fields)) {
    const rule = spec.derive[field];
    derivedFields.push(`${rule ? orElse(`picked.${ident(field)}`, derive(rule, new Set([field]))) : `picked.${ident(field)}`} as ${ident(field)}`);
    const v = `derived.${ident(field)}`;
    const map = spec.values[field];
    const entries = Object.entries(map ?? {}).filter(([from]) => from !== '*');
    const fallback = map?.['*'];
    const allowed = fieldSpec.values ?? [];
    const canonical = allowed.length ? oneOf(v, allowed) : 'false';
    const otherwise = fallback ? `case when ${canonical} then ${v} else ${lit(fallback)} end` : v;
    let value = v;
    if (entries.length) {
      // A value that is already canonical (the common case) skips lower() and the map.
      value = `case when ${canonical} then ${v} else case lower(${v}) ${entries.map(([from, to]) => `when ${lit(from.trim().toLowerCase())} then ${lit(to)}`).join(' ')} else ${otherwise} end end`;
    } else if (fallback) {
      value = `case when ${v} is null then null else ${otherwise} end`;
    }
    rawFields.push(`${value} as ${ident(field)}`);
  }

  // 4. typed: parse, mask; the phone's digits (hashed in the next step, once).
  const typed: string[] = [];
  const personalField = Object.entries(fields).find(([, f]) => f.type === 'personal')?.[0];
  const callerName = personalField ? `raw.${ident(personalField)}` : null;
  const checksOnly = options.checksOnly ?? false;
  for (const [field, fieldSpec] of Object.entries(fields)) {
    const raw = `raw.${ident(field)}`;
    if (checksOnly && !['timestamp', 'count', 'flag'].includes(fieldSpec.type)) continue;
    switch (fieldSpec.type) {
      case 'timestamp':
        typed.push(`${parseTimestamp(raw, formats, ownFormats.length > 0)} as ${ident('v_' + field)}`);
        break;
      case 'count':
        typed.push(`try_cast(try_cast(${raw} as double) as integer) as ${ident('v_' + field)}`);
        break;
      case 'flag':
        typed.push(
          `case ${raw} when '是' then true when '否' then false else case when ${oneOf(`lower(${raw})`, FLAG_TRUE)} then true when ${oneOf(`lower(${raw})`, FLAG_FALSE)} then false end end as ${ident('v_' + field)}`,
        );
        break;
      case 'phone': {
        // A pre-hashed cell is 0x02, the hash's 16 hex digits and the number's first 3 and last 4 (premask.ts).
        if (preHashed) {
          typed.push(`case when starts_with(${raw}, chr(2)) then null else hp_phone_digits(${raw}) end as v_phone_digits`);
          typed.push(`case when starts_with(${raw}, chr(2)) then substr(${raw}, 2, 16) end as v_phone_prehashed`);
        } else typed.push(`hp_phone_digits(${raw}) as v_phone_digits`);
        break;
      }
      case 'personal':
        break; // never leaves the staging query
      case 'masked-text': {
        const masked = `hp_safe_text(hp_clean_text(${raw}, ${callerName ?? 'null::varchar'}))`;
        const at = match.columns.get(field);
        // A pre-masked cell without the marker is masked already (its caller's name is not in it).
        typed.push(
          at !== undefined && preMasked.has(at)
            ? `case when starts_with(raw.c${at}, chr(1)) then ${masked} else hp_safe_text(${raw}) end as ${ident('v_' + field)}`
            : `${masked} as ${ident('v_' + field)}`,
        );
        break;
      }
      case 'unit-list':
        typed.push(`hp_safe_text(nullif(array_to_string(list_filter(list_transform(string_split_regex(${raw}, '[;；、,，/]'), u -> trim(u)), u -> u <> ''), '、'), '')) as ${ident('v_' + field)}`);
        break;
      case 'enum':
        typed.push(`${raw} as ${ident('v_' + field)}`);
        break;
      case 'text':
        typed.push(KEY_COLUMNS[kind].includes(field) || field === 'ticket_id' ? `${raw} as ${ident('v_' + field)}` : `hp_safe_text(${raw}) as ${ident('v_' + field)}`);
        break;
    }
  }
  if (kind === 'tickets' && !checksOnly) typed.push('raw.__handling_given as v_handling_given');
  const hasPhone = !checksOnly && Object.values(fields).some((f) => f.type === 'phone');

  // 5. the checks: a condition per problem, and the reason a person understands.
  const checks: Check[] = [];
  const optional = new Set(spec.optional);
  for (const [field, fieldSpec] of Object.entries(fields)) {
    const raw = `typed.${ident(field)}`;
    const value = `typed.${ident('v_' + field)}`;
    const label = fieldSpec.label;
    if (fieldSpec.required && !optional.has(field)) {
      // A derive rule that found nothing says so, with the value it read ("2" is not a date).
      const source = deriveSource(field);
      checks.push({
        when: `${raw} is null`,
        reason: source
          ? `${lit(`缺少${label}`)} || case when ${source.value} is not null then ${lit(`（按映射方案由${source.label}“`)} || ${source.value} || ${lit(`”推导，没有得到值）/ ${field} is empty and its derive rule found nothing in "`)} || ${source.value} || '"' else ${lit(` / ${field} is empty`)} end`
          : lit(`缺少${label} / ${field} is empty`),
      });
    }
    if (fieldSpec.requiredWhenDispatched && !optional.has(field)) {
      checks.push({ when: `typed.handling = '转办' and ${raw} is null`, reason: lit(`转办工单缺少${label} / a dispatched ticket needs ${field}`) });
    }
    if (fieldSpec.type === 'timestamp') {
      checks.push({
        when: `${raw} is not null and ${value} is null`,
        reason: `${lit(label + '“')} || ${raw} || ${lit(`”无法识别为日期时间 / cannot read "`)} || ${raw} || ${lit(`" as a date-time (${field})`)}`,
      });
      if (PLANNED_TIMESTAMPS.has(field)) {
        // A deadline of an open ticket lies ahead: only one more than a year ahead is impossible.
        const latest = `current_localtimestamp() + interval 366 day`;
        checks.push({
          when: `${value} < ${EARLIEST} or ${value} > ${latest}`,
          reason: `${lit(label + '“')} || ${raw} || ${lit(`”不可能（早于 1990 年或一年以后）/ impossible ${field} "`)} || ${raw} || '"'`,
          range: { value, latest },
        });
      } else {
        const latest = `current_localtimestamp() + interval 1 day`;
        checks.push({
          when: `${value} < ${EARLIEST} or ${value} > ${latest}`,
          reason: `${lit(label + '“')} || ${raw} || ${lit(`”不可能（早于 1990 年或在未来）/ impossible ${field} "`)} || ${raw} || '"'`,
          range: { value, latest },
        });
      }
    }
    if (fieldSpec.type === 'enum') {
      const allowed = fieldSpec.values!;
      checks.push({
        when: `${raw} is not null and not ${oneOf(raw, allowed)}`,
        reason: `${lit(label + '“')} || ${raw} || ${lit(`”不是已知取值（${allowed.join('/')}），可在映射方案 values.${field} 中添加 / unknown ${field} "`)} || ${raw} || '"'`,
      });
    }
    if (fieldSpec.type === 'count') {
      checks.push({
        when: `${raw} is not null and (${value} is null or ${value} < 0 or try_cast(${raw} as double) <> ${value})`,
        reason: `${lit(label + '“')} || ${raw} || ${lit(`”应为非负整数 / ${field} must be a whole number ≥ 0`)}`,
      });
    }
    if (fieldSpec.type === 'flag') {
      checks.push({ when: `${raw} is not null and ${value} is null`, reason: `${lit(label + '“')} || ${raw} || ${lit(`”应为“是”或“否” / ${field} must be 是/否`)}` });
    }
  }
  if (kind === 'tickets') {
    checks.push({ when: `typed.v_completed_at < typed.v_received_at`, reason: lit('办结时间早于受理时间 / completed before it was received') });
    checks.push({ when: `typed.v_signed_at < typed.v_dispatched_at`, reason: lit('签收时间早于派单时间 / signed before it was dispatched') });
  }
  if (kind === 'calls') {
    checks.push({ when: `typed.v_answered_at < typed.v_call_at`, reason: lit('应答时间早于来电时间 / answered before the call came in') });
    checks.push({ when: `typed.v_ended_at < typed.v_call_at`, reason: lit('挂机时间早于来电时间 / ended before the call came in') });
  }

  const stored = STORED_COLUMNS[kind];
  // The row's state is as recent as its latest event; a deadline is set when the ticket is
  // dispatched, so it says nothing about how recent the state is.
  const timestamps = Object.entries(fields)
    .filter(([name, f]) => f.type === 'timestamp' && !PLANNED_TIMESTAMPS.has(name))
    .map(([name]) => `typed.${ident('v_' + name)}`);
  const activity = !checksOnly && (kind === 'tickets' || kind === 'calls') ? `greatest(${timestamps.join(', ')}) as activity_at,` : '';

  // The quarantine record: every header with its value, personal columns removed or masked.
  const personal = new Set<number>();
  const phones = new Set<number>();
  for (const [field, fieldSpec] of Object.entries(fields)) {
    const at = match.columns.get(field);
    if (at === undefined) continue;
    if (fieldSpec.type === 'personal') personal.add(at);
    if (fieldSpec.type === 'phone') phones.add(at);
  }
  const nameInRecord = personalField ? ident(personalField) : null;
  const recordPairs = headers.map(
    (h, i) =>
      `${lit(h || `第${i + 1}列`)}, ${personal.has(i) ? `case when c${i} is null then null else '***' end` : phones.has(i) ? (i === hashedAt ? `case when starts_with(c${i}, chr(2)) then substr(c${i}, 18, 3) || '****' || substr(c${i}, 21, 4) else hp_mask_phone(c${i}) end` : `hp_mask_phone(c${i})`) : `left(hp_mask_text(${nameInRecord ? `hp_mask_name(${cell(i)}, ${nameInRecord})` : cell(i)}), 500)`}`,
  );
  const record = headers.length ? `json_object(${recordPairs.join(', ')})::varchar` : `'{}'`;
  // A bad row whose first filled cell is 合计 … is a row of totals: its label (masked), else null.
  const firstCell = headers.length ? `coalesce(${headers.map((_, i) => `nullif(trim(${cell(i)}), '')`).join(', ')})` : 'null::varchar';
  const totalRow = `case when bad and regexp_matches(${firstCell}, ${lit(TOTAL_ROW_PATTERN)}, 'i') then hp_mask_text(left(${firstCell}, 40)) end`;
  // A row is bad when any check holds (the conditions are cheap booleans); only then are its
  // reasons spelled out.
  const bad = anyCheck(checks);
  // Spelled out in the next step, where the row's columns are those of `checked`.
  const reasons = `list_filter([${checks.map((c) => `case when ${c.when} then ${c.reason} end`.replaceAll('typed.', 'checked.')).join(',\n        ')}], r -> r is not null)`;
  const phoneHash = hasPhone
    ? `case when typed.v_phone_digits is not null then ${phoneHashSql(options.phoneHash, 'typed.v_phone_digits')}${preHashed ? ' else typed.v_phone_prehashed' : ''} end as v_phone_hash,`
    : '';
  const carried = [...row, ...rawColumns];

  return `
with picked as (
  select ${carried.join(', ')}${carried.length ? ',' : ''}
    ${picked.join(',\n    ')}
  from ${options.source}
),
derived as (
  select ${carried.map((c) => `picked.${c}`).join(', ')}${carried.length ? ',' : ''}
    ${derivedFields.join(',\n    ')}
  from picked
),
raw as (
  select ${carried.map((c) => `derived.${c}`).join(', ')}${carried.length ? ',' : ''}
    ${rawFields.join(',\n    ')}
  from derived
),
typed as (
  select raw.*,
    ${typed.join(',\n    ')}
  from raw
),
checked as (
  select typed.*, ${activity} ${phoneHash}
    ${bad} as bad
  from typed
),
final as (
  select
    ${row.length ? '__row,' : ''}
    ${checksOnly ? `${rawColumns.map((c) => `${c} is null`).join(' and ') || 'false'} as empty,` : `${stored.map((c) => `${ident('v_' + c)} as ${ident(c)}`).join(', ')},`}
    ${activity ? 'activity_at,' : ''}
    bad,
    case when bad then ${reasons} end as reasons,
    case when bad then ${record} end as record,
    ${totalRow} as total_row
  from checked
)
select * from final`;
}

/**
 * Duplicate ids among one file's good rows: the row with the latest state stays (ties: the later
 * row), the others are quarantined with a reason naming the row that was kept. Run only when the
 * file has duplicates, which keeps the common path free of a window over every column.
 */
export function duplicateSql(kind: Kind): { check: string; mark: string } {
  const keys = KEY_COLUMNS[kind].map(ident);
  const label = FIELDS[kind][KEY_COLUMNS[kind][0]].label;
  const order = kind === 'tickets' || kind === 'calls' ? 'activity_at desc nulls last, __row desc' : '__row desc';
  return {
    check: `select count(*) - count(distinct (${keys.join(', ')})) as n from mapped where not bad`,
    mark: `
      update mapped set
        bad = true,
        reasons = [${lit(label + '“')} || coalesce(${keys[0]}, '') || ${lit('”在本文件中重复出现，已保留状态最新的一行（第 ')} || ranked.kept_row || ${lit(' 行）/ duplicate id in this file; the row with the latest state was kept')}],
        record = '{}'
      from (
        select __row, row_number() over copies as copy_rank, first_value(__row) over copies as kept_row
        from mapped where not bad
        window copies as (partition by ${keys.join(', ')} order by ${order})
      ) as ranked
      where mapped.__row = ranked.__row and ranked.copy_rank > 1`,
  };
}
