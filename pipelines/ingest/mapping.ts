import { COMMON_DATE_FORMATS, ENUMS, FIELDS, type DeriveRule, type Kind, type Match } from './profiles.js';

/**
 * Builds the staging SQL that turns the raw `stage` table (c0…cN, all text) into canonical,
 * typed rows with a list of reasons per row. A row with reasons is quarantined; the rest merge.
 * The SQL is generated because the columns differ per export, but it only renames, parses and
 * checks (the dbt "staging" role); the macros it calls live in queries/ingest/macros.sql.
 */

export const BOOKKEEPING = ['source_profile', 'first_run_id', 'last_run_id', 'activity_at'] as const;

/** Columns stored per kind (personal fields dropped, the phone as its hash). */
export const STORED_COLUMNS: Record<Kind, string[]> = {
  tickets: Object.keys(FIELDS.tickets).filter((f) => f !== 'caller_name').map((f) => (f === 'phone' ? 'phone_hash' : f)),
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
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Timestamps that are plans, not events: they may lie ahead and do not date the row's state. */
const PLANNED_TIMESTAMPS = new Set(['deadline_at']);

const FLAG_TRUE = ['是', 'y', 'yes', 'true', 't', '1', '涉企', '紧急'];
const FLAG_FALSE = ['否', 'n', 'no', 'false', 'f', '0', '非涉企', '不紧急', '一般'];

export function mappingSql(match: Match, headers: string[], profileFormats: string[]): string {
  const { kind, profile } = match;
  const spec = profile.kinds[kind]!;
  const fields = FIELDS[kind];
  const formats = `[${[...(spec.dateFormats ?? []), ...profileFormats, ...COMMON_DATE_FORMATS].map(lit).join(', ')}]`;
  const column = (i: number) => `nullif(trim(c${i}), '')`;

  // 1. picked: the value each canonical field takes from its own column or a split column.
  const picked: string[] = [];
  for (const field of Object.keys(fields)) {
    const sources: string[] = [];
    const at = match.columns.get(field);
    if (at !== undefined) sources.push(column(at));
    spec.split.forEach((rule, ruleIndex) => {
      const splitAt = match.splits.get(ruleIndex);
      const part = rule.into.indexOf(field);
      if (splitAt !== undefined && part >= 0) {
        sources.push(`nullif(trim(string_split_regex(c${splitAt}, ${lit(rule.separator)})[${part + 1}]), '')`);
      }
    });
    picked.push(`${sources.length === 0 ? 'null::varchar' : sources.length === 1 ? sources[0] : `coalesce(${sources.join(', ')})`} as ${ident(field)}`);
  }
  // A derive rule may name a canonical field or any header of the file.
  // A rule may read a canonical field that is itself derived (dispatched_at from a received_at
  // taken from the id): then it reads that field's value after its own rule.
  const reference = (name: string, seen: Set<string> = new Set()): string => {
    if (name in fields) {
      const rule = spec.derive[name];
      if (!rule || seen.has(name)) return `picked.${ident(name)}`;
      return `coalesce(picked.${ident(name)}, ${derive(rule, new Set([...seen, name]))})`;
    }
    const at = match.headerAt(name);
    return at === undefined ? 'null::varchar' : `nullif(trim(picked.c${at}), '')`;
  };
  /** The value a `from` rule reads, as seen in the checked rows (for a reason that shows it). */
  const deriveSource = (field: string): { label: string; value: string } | null => {
    const rule = spec.derive[field];
    if (!rule || !('from' in rule) || 'ifPresent' in rule) return null;
    if (rule.from in fields) return { label: fields[rule.from].label, value: `typed.${ident(rule.from)}` };
    const at = match.headerAt(rule.from);
    return at === undefined ? null : { label: headers[at] || rule.from, value: `nullif(trim(typed.c${at}), '')` };
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
  for (const [field, fieldSpec] of Object.entries(fields)) {
    const rule = spec.derive[field];
    derivedFields.push(`${rule ? `coalesce(picked.${ident(field)}, ${derive(rule, new Set([field]))})` : `picked.${ident(field)}`} as ${ident(field)}`);
    const v = `derived.${ident(field)}`;
    const map = spec.values[field];
    const entries = Object.entries(map ?? {}).filter(([from]) => from !== '*');
    const fallback = map?.['*'];
    const allowed = fieldSpec.values ?? [];
    const otherwise = fallback ? `case when ${v} in (${allowed.map(lit).join(', ')}) then ${v} else ${lit(fallback)} end` : v;
    const value = entries.length ? `case lower(${v}) ${entries.map(([from, to]) => `when ${lit(from.trim().toLowerCase())} then ${lit(to)}`).join(' ')} else ${otherwise} end` : fallback ? `case when ${v} is null then null else ${otherwise} end` : v;
    rawFields.push(`${value} as ${ident(field)}`);
  }

  // 3. typed: parse, mask, hash.
  const typed: string[] = [];
  const callerName = Object.entries(fields).some(([, f]) => f.type === 'personal') ? `raw.${ident(Object.entries(fields).find(([, f]) => f.type === 'personal')![0])}` : null;
  for (const [field, fieldSpec] of Object.entries(fields)) {
    const raw = `raw.${ident(field)}`;
    switch (fieldSpec.type) {
      case 'timestamp':
        typed.push(`hp_parse_ts(${raw}, ${formats}) as ${ident('v_' + field)}`);
        break;
      case 'count':
        typed.push(`try_cast(try_cast(${raw} as double) as integer) as ${ident('v_' + field)}`);
        break;
      case 'flag':
        typed.push(`case when lower(${raw}) in (${FLAG_TRUE.map(lit).join(', ')}) then true when lower(${raw}) in (${FLAG_FALSE.map(lit).join(', ')}) then false end as ${ident('v_' + field)}`);
        break;
      case 'phone':
        typed.push(`hp_phone_hash(${raw}, $key) as v_phone_hash`);
        break;
      case 'personal':
        break; // never leaves the staging table
      case 'masked-text':
        typed.push(`hp_safe_text(hp_mask_text(${callerName ? `hp_mask_name(hp_squash(${raw}), ${callerName})` : `hp_squash(${raw})`})) as ${ident('v_' + field)}`);
        break;
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

  // 4. reasons a person understands, one per problem.
  const reasons: string[] = [];
  const optional = new Set(spec.optional);
  for (const [field, fieldSpec] of Object.entries(fields)) {
    const raw = `typed.${ident(field)}`;
    const value = `typed.${ident('v_' + (field === 'phone' ? 'phone_hash' : field))}`;
    const label = fieldSpec.label;
    if (fieldSpec.required && !optional.has(field)) {
      // A derive rule that found nothing says so, with the value it read ("2" is not a date).
      const source = deriveSource(field);
      const why = source
        ? ` || case when ${source.value} is not null then ${lit(`（按映射方案由${source.label}“`)} || ${source.value} || ${lit(`”推导，没有得到值）/ ${field} is empty and its derive rule found nothing in "`)} || ${source.value} || '"' else ${lit(` / ${field} is empty`)} end`
        : ` || ${lit(` / ${field} is empty`)}`;
      reasons.push(`case when ${raw} is null then ${lit(`缺少${label}`)}${why} end`);
    }
    if (fieldSpec.requiredWhenDispatched && !optional.has(field)) {
      reasons.push(`case when typed.handling = '转办' and ${raw} is null then ${lit(`转办工单缺少${label} / a dispatched ticket needs ${field}`)} end`);
    }
    if (fieldSpec.type === 'timestamp') {
      reasons.push(`case when ${raw} is not null and ${value} is null then ${lit(label + '“')} || ${raw} || ${lit(`”无法识别为日期时间 / cannot read "`)} || ${raw} || ${lit(`" as a date-time (${field})`)} end`);
      if (PLANNED_TIMESTAMPS.has(field)) {
        // A deadline of an open ticket lies ahead: only one more than a year ahead is impossible.
        reasons.push(`case when ${value} < timestamp '1990-01-01' or ${value} > current_localtimestamp() + interval 366 day then ${lit(label + '“')} || ${raw} || ${lit(`”不可能（早于 1990 年或一年以后）/ impossible ${field} "`)} || ${raw} || '"' end`);
      } else {
        reasons.push(`case when ${value} < timestamp '1990-01-01' or ${value} > current_localtimestamp() + interval 1 day then ${lit(label + '“')} || ${raw} || ${lit(`”不可能（早于 1990 年或在未来）/ impossible ${field} "`)} || ${raw} || '"' end`);
      }
    }
    if (fieldSpec.type === 'enum') {
      const allowed = fieldSpec.values!;
      reasons.push(`case when ${raw} is not null and ${raw} not in (${allowed.map(lit).join(', ')}) then ${lit(label + '“')} || ${raw} || ${lit(`”不是已知取值（${allowed.join('/')}），可在映射方案 values.${field} 中添加 / unknown ${field} "`)} || ${raw} || '"' end`);
    }
    if (fieldSpec.type === 'count') {
      reasons.push(`case when ${raw} is not null and (${value} is null or ${value} < 0 or try_cast(${raw} as double) <> ${value}) then ${lit(label + '“')} || ${raw} || ${lit(`”应为非负整数 / ${field} must be a whole number ≥ 0`)} end`);
    }
    if (fieldSpec.type === 'flag') {
      reasons.push(`case when ${raw} is not null and ${value} is null then ${lit(label + '“')} || ${raw} || ${lit(`”应为“是”或“否” / ${field} must be 是/否`)} end`);
    }
  }
  if (kind === 'tickets') {
    reasons.push(`case when typed.v_completed_at < typed.v_received_at then ${lit('办结时间早于受理时间 / completed before it was received')} end`);
    reasons.push(`case when typed.v_signed_at < typed.v_dispatched_at then ${lit('签收时间早于派单时间 / signed before it was dispatched')} end`);
  }
  if (kind === 'calls') {
    reasons.push(`case when typed.v_answered_at < typed.v_call_at then ${lit('应答时间早于来电时间 / answered before the call came in')} end`);
    reasons.push(`case when typed.v_ended_at < typed.v_call_at then ${lit('挂机时间早于来电时间 / ended before the call came in')} end`);
  }

  const stored = STORED_COLUMNS[kind];
  // The row's state is as recent as its latest event; a deadline is set when the ticket is
  // dispatched, so it says nothing about how recent the state is.
  const timestamps = Object.entries(fields)
    .filter(([name, f]) => f.type === 'timestamp' && !PLANNED_TIMESTAMPS.has(name))
    .map(([name]) => `typed.${ident('v_' + name)}`);
  const activity = kind === 'tickets' || kind === 'calls' ? `greatest(${timestamps.join(', ')}) as activity_at,` : '';

  // The quarantine record: every header with its value, personal columns removed or masked.
  const personal = new Set<number>();
  const phones = new Set<number>();
  for (const [field, fieldSpec] of Object.entries(fields)) {
    const at = match.columns.get(field);
    if (at === undefined) continue;
    if (fieldSpec.type === 'personal') personal.add(at);
    if (fieldSpec.type === 'phone') phones.add(at);
  }
  const nameInRecord = callerName ? callerName.replace(/^raw\./, '') : null;
  const recordPairs = headers.map(
    (h, i) =>
      `${lit(h || `第${i + 1}列`)}, ${personal.has(i) ? `case when c${i} is null then null else '***' end` : phones.has(i) ? `hp_mask_phone(c${i})` : `left(hp_mask_text(${nameInRecord ? `hp_mask_name(c${i}, ${nameInRecord})` : `c${i}`}), 500)`}`,
  );
  const record = headers.length ? `json_object(${recordPairs.join(', ')})::varchar` : `'{}'`;

  return `
with picked as (
  select __row, ${headers.map((_, i) => `c${i}`).join(', ')}${headers.length ? ',' : ''}
    ${picked.join(',\n    ')}
  from stage
),
derived as (
  select picked.__row, ${headers.map((_, i) => `picked.c${i}`).join(', ')}${headers.length ? ',' : ''}
    ${derivedFields.join(',\n    ')}
  from picked
),
raw as (
  select derived.__row, ${headers.map((_, i) => `derived.c${i}`).join(', ')}${headers.length ? ',' : ''}
    ${rawFields.join(',\n    ')}
  from derived
),
typed as (
  select raw.*,
    ${typed.join(',\n    ')}
  from raw
),
checked as (
  select typed.*, ${activity}
    list_filter([${reasons.join(',\n      ')}], r -> r is not null) as reasons
  from typed
),
final as (
  select
    __row,
    ${stored.map((c) => `${ident('v_' + c)} as ${ident(c)}`).join(', ')},
    ${activity ? 'activity_at,' : ''}
    reasons,
    case when len(reasons) > 0 then ${record} end as record
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
    check: `select count(*) - count(distinct (${keys.join(', ')})) as n from mapped where len(reasons) = 0`,
    mark: `
      update mapped set
        reasons = [${lit(label + '“')} || coalesce(${keys[0]}, '') || ${lit('”在本文件中重复出现，已保留状态最新的一行（第 ')} || ranked.kept_row || ${lit(' 行）/ duplicate id in this file; the row with the latest state was kept')}],
        record = '{}'
      from (
        select __row, row_number() over copies as copy_rank, first_value(__row) over copies as kept_row
        from mapped where len(reasons) = 0
        window copies as (partition by ${keys.join(', ')} order by ${order})
      ) as ranked
      where mapped.__row = ranked.__row and ranked.copy_rank > 1`,
  };
}
