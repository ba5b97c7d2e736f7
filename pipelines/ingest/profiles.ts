import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CliError } from '../cli-error.js';

/**
 * Profiles map a city's export onto the canonical fields (docs/export-format.md lists them; PROFILES.md
 * explains the profile format). A profile is a JSON file: header synonyms (or column positions) per
 * field, value maps, derived fields and fields the export does not carry. Analysts write their own
 * without touching code.
 */

export const KINDS = ['tickets', 'calls', 'units', 'categories'] as const;
export type Kind = (typeof KINDS)[number];

export type FieldType = 'text' | 'masked-text' | 'enum' | 'timestamp' | 'count' | 'flag' | 'phone' | 'personal' | 'unit-list';

export interface FieldSpec {
  type: FieldType;
  label: string;
  /** Required in every row. */
  required?: boolean;
  /** Required when handling = 转办 (tickets only). */
  requiredWhenDispatched?: boolean;
  values?: readonly string[];
}

export const ENUMS = {
  channel: ['电话', '微信', '网站', '移动APP', '小程序', '短信', '其他'],
  appeal_type: ['咨询', '求助', '投诉', '举报', '建议', '表扬', '其他'],
  handling: ['直接答复', '转办'],
  status: ['已办结', '办理中', '待签收', '已退回', '待回访', '已撤销'],
  satisfaction: ['满意', '基本满意', '不满意', '未评价'],
  resolved: ['已解决', '未解决'],
  unit_kind: ['州直部门', '县市部门', '乡镇街道', '企业', '其他'],
} as const;

/** The canonical fields of each kind of record, in the order of the reference document. */
export const FIELDS: Record<Kind, Record<string, FieldSpec>> = {
  tickets: {
    ticket_id: { type: 'text', label: '工单编号', required: true },
    received_at: { type: 'timestamp', label: '受理时间', required: true },
    channel: { type: 'enum', label: '来源渠道', required: true, values: ENUMS.channel },
    appeal_type: { type: 'enum', label: '诉求类型', required: true, values: ENUMS.appeal_type },
    category_l1: { type: 'text', label: '一级分类', required: true },
    category_l2: { type: 'text', label: '二级分类' },
    category_l3: { type: 'text', label: '三级分类' },
    content: { type: 'masked-text', label: '诉求内容' },
    address: { type: 'masked-text', label: '诉求地址' },
    district: { type: 'text', label: '所属区县' },
    township: { type: 'text', label: '乡镇街道' },
    caller_name: { type: 'personal', label: '诉求人' },
    phone: { type: 'phone', label: '联系电话' },
    handling: { type: 'enum', label: '办理方式', required: true, values: ENUMS.handling },
    unit: { type: 'text', label: '承办单位', requiredWhenDispatched: true },
    co_units: { type: 'unit-list', label: '协办单位' },
    dispatched_at: { type: 'timestamp', label: '派单时间', requiredWhenDispatched: true },
    signed_at: { type: 'timestamp', label: '签收时间' },
    deadline_at: { type: 'timestamp', label: '办理时限', requiredWhenDispatched: true },
    completed_at: { type: 'timestamp', label: '办结时间' },
    status: { type: 'enum', label: '工单状态', required: true, values: ENUMS.status },
    returned_count: { type: 'count', label: '退单次数' },
    is_enterprise: { type: 'flag', label: '是否涉企' },
    is_urgent: { type: 'flag', label: '是否紧急' },
    callback_at: { type: 'timestamp', label: '回访时间' },
    satisfaction: { type: 'enum', label: '回访结果', values: ENUMS.satisfaction },
    resolved: { type: 'enum', label: '是否解决', values: ENUMS.resolved },
    likes: { type: 'count', label: '点赞数' },
    dislikes: { type: 'count', label: '反对数' },
  },
  calls: {
    call_id: { type: 'text', label: '呼叫编号', required: true },
    call_at: { type: 'timestamp', label: '来电时间', required: true },
    queue: { type: 'text', label: '呼入队列' },
    ivr_only: { type: 'flag', label: '是否自助服务', required: true },
    answered_at: { type: 'timestamp', label: '应答时间' },
    ended_at: { type: 'timestamp', label: '挂机时间' },
    agent_id: { type: 'text', label: '话务员工号' },
    ticket_id: { type: 'text', label: '关联工单' },
  },
  units: {
    unit: { type: 'text', label: '单位名称', required: true },
    unit_kind: { type: 'enum', label: '单位类别', values: ENUMS.unit_kind },
    district: { type: 'text', label: '所属区县' },
  },
  categories: {
    category_l1: { type: 'text', label: '一级分类', required: true },
    category_l2: { type: 'text', label: '二级分类' },
    category_l3: { type: 'text', label: '三级分类' },
  },
};

/**
 * The fields that identify and date a record: a profile can never leave these out, because a row
 * without them cannot be merged (the id) or placed in time (the date). Every other field may be
 * listed under `optional`.
 */
export const KEY_FIELDS: Record<Kind, readonly string[]> = {
  tickets: ['ticket_id', 'received_at'],
  calls: ['call_id', 'call_at'],
  units: ['unit'],
  categories: ['category_l1'],
};

/** A synonym `#3` names the third column by position (for a header that does not match its columns). */
export function columnPosition(synonym: string): number | null {
  const match = /^#([1-9][0-9]*)$/.exec(synonym.trim());
  return match ? Number(match[1]) - 1 : null;
}

/** A derived field: used when the export has no column for it, or the column is empty in a row. */
const DeriveRule = z.union([
  z.strictObject({ value: z.string().describe('a constant') }),
  z.strictObject({
    from: z.string().describe('a header of the file, or a canonical field'),
    regex: z.string().optional().describe('keep the first capture group (or the whole match)'),
    format: z.string().optional().describe('strptime format to read the extracted text as a timestamp'),
  }),
  z.strictObject({ template: z.string().describe('text with {header} placeholders, e.g. "{留言主题}：{留言详情}"') }),
  z.strictObject({ from: z.string(), ifPresent: z.string(), ifEmpty: z.string() }),
]);
export type DeriveRule = z.infer<typeof DeriveRule>;

const SplitRule = z.strictObject({
  column: z.array(z.string()).min(1).describe('header synonyms of the combined column'),
  separator: z.string().default('[/／>＞\\\\|]').describe('a regular expression'),
  into: z.array(z.string()).min(1),
});

const KindSpec = z.strictObject({
  columns: z.record(z.string(), z.array(z.string()).min(1)),
  split: z.array(SplitRule).default([]),
  derive: z.record(z.string(), DeriveRule).default({}),
  values: z.record(z.string(), z.record(z.string(), z.string())).default({}),
  optional: z.array(z.string()).default([]),
  dateFormats: z.array(z.string()).optional(),
});
export type KindSpec = z.infer<typeof KindSpec>;

const ProfileSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
  title: z.string(),
  description: z.string().default(''),
  dateFormats: z.array(z.string()).default([]),
  kinds: z.partialRecord(z.enum(KINDS), KindSpec),
});
export type Profile = z.infer<typeof ProfileSchema> & { file: string };

export const BUILTIN_PROFILE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'profiles');

/** Date formats every profile understands, after its own. */
export const COMMON_DATE_FORMATS = [
  '%Y-%m-%d %H:%M:%S',
  '%Y/%m/%d %H:%M:%S',
  '%Y-%m-%d %H:%M',
  '%Y/%m/%d %H:%M',
  '%Y-%m-%dT%H:%M:%S',
  '%Y-%m-%dT%H:%M',
  '%Y-%m-%d %H:%M:%S.%f',
  '%Y-%m-%dT%H:%M:%S.%f',
  '%Y年%m月%d日 %H:%M:%S',
  '%Y年%m月%d日 %H:%M',
  '%Y年%m月%d日',
  '%Y-%m-%d',
  '%Y/%m/%d',
  '%Y.%m.%d %H:%M:%S',
  '%Y.%m.%d',
  '%Y%m%d%H%M%S',
  '%Y%m%d',
];

export function parseProfile(json: unknown, file: string): Profile {
  const parsed = ProfileSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const where = issue.path.join('.') || '(top level)';
      if (issue.code !== 'invalid_union') return `  ${where}: ${issue.message}`;
      // zod only says "Invalid input" for a derive rule that fits no form: name the keys it has.
      const value = issue.path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined), json);
      const keys = value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
      return `  ${where}: 写法不对，键为 ${keys.length ? keys.map((k) => `"${k}"`).join(', ') : JSON.stringify(value)}；可用的写法：{"value"} | {"from", "regex"?, "format"?} | {"template"} | {"from", "ifPresent", "ifEmpty"} / fits none of the accepted forms`;
    });
    throw new CliError(`映射方案 ${file} 无效 / invalid profile ${file}:\n${lines.join('\n')}`);
  }
  const profile = { ...parsed.data, file };
  for (const [kind, spec] of Object.entries(profile.kinds) as [Kind, KindSpec][]) {
    const known = FIELDS[kind];
    const check = (field: string, where: string) => {
      if (!(field in known)) throw new CliError(`映射方案 ${file}: ${where} 中的 "${field}" 不是 ${kind} 的标准字段；可用：${Object.keys(known).join(', ')}`);
    };
    Object.keys(spec.columns).forEach((f) => check(f, `kinds.${kind}.columns`));
    Object.keys(spec.derive).forEach((f) => check(f, `kinds.${kind}.derive`));
    Object.keys(spec.values).forEach((f) => check(f, `kinds.${kind}.values`));
    spec.optional.forEach((f) => check(f, `kinds.${kind}.optional`));
    for (const field of spec.optional) {
      if (KEY_FIELDS[kind].includes(field)) {
        throw new CliError(`映射方案 ${file}: kinds.${kind}.optional 不能包含 "${field}"——没有它记录无法合并或定位时间 / ${field} identifies or dates the record and cannot be optional`);
      }
    }
    spec.split.forEach((s, i) => s.into.forEach((f) => check(f, `kinds.${kind}.split[${i}].into`)));
    for (const [field, map] of Object.entries(spec.values)) {
      const allowed = known[field].values ?? (known[field].type === 'flag' ? ['是', '否'] : undefined);
      if (!allowed) continue;
      for (const [from, to] of Object.entries(map)) {
        if (!allowed.includes(to)) throw new CliError(`映射方案 ${file}: kinds.${kind}.values.${field}["${from}"] = "${to}" 不是允许的取值（${allowed.join('/')}）`);
      }
    }
  }
  return profile;
}

function profileFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new CliError(`找不到映射方案目录或文件 ${dir}`);
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(dir, name));
}

/** Every profile file of the built-in folder and the config's ingest.profileDirs, with what is wrong with each. */
export function inspectProfiles(extraDirs: string[] = []): { profiles: Profile[]; problems: { file: string; message: string }[] } {
  const profiles: Profile[] = [];
  const problems: { file: string; message: string }[] = [];
  for (const dir of [BUILTIN_PROFILE_DIR, ...extraDirs]) {
    let files: string[];
    try {
      files = profileFiles(dir);
    } catch (error) {
      problems.push({ file: dir, message: (error as Error).message });
      continue;
    }
    for (const file of files) {
      try {
        let json: unknown;
        try {
          json = JSON.parse(readFileSync(file, 'utf8'));
        } catch (error) {
          throw new CliError(`映射方案 ${file} 不是合法的 JSON: ${(error as Error).message}`);
        }
        const profile = parseProfile(json, file);
        const clash = profiles.findIndex((p) => p.name === profile.name);
        if (clash >= 0) profiles.splice(clash, 1); // a local profile of the same name replaces the built-in one
        profiles.push(profile);
      } catch (error) {
        problems.push({ file, message: (error as Error).message });
      }
    }
  }
  return { profiles, problems };
}

/** The built-in profiles plus any from the config's ingest.profileDirs; an invalid one stops here, named. */
export function loadProfiles(extraDirs: string[] = []): Profile[] {
  const { profiles, problems } = inspectProfiles(extraDirs);
  if (problems.length) throw new CliError(problems[0].message);
  return profiles;
}

export function normaliseHeader(header: string): string {
  return header.replace(/[\s\u3000_]+/g, '').replace(/[（(].*?[）)]$/, '').toLowerCase();
}

export interface Match {
  profile: Profile;
  kind: Kind;
  /** canonical field → column index in the file */
  columns: Map<string, number>;
  /** split rule index → column index */
  splits: Map<number, number>;
  missing: string[];
  /** Columns found by a header name or a position. */
  score: number;
  /** The share of the profile's own column entries that the file has: a tighter profile fits closer. */
  closeness: number;
  /** Headers of the file that no field, split or derive rule reads (listed in the run summary). */
  unmapped: string[];
  /** Column index of a header name or position that a derive rule names. */
  headerAt(name: string): number | undefined;
}

/** The header names and positions (`#N`) a derive rule reads. */
export function deriveSources(rule: DeriveRule): string[] {
  if ('template' in rule) return [...rule.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  if ('from' in rule) return [rule.from];
  return [];
}

/**
 * How one profile's kind fits the headers: which columns map, which required fields are missing.
 * Positions (`#N`) are used only when the profile was chosen by name (`--profile`, or an inbox
 * sub-folder): in detection a position would fit any file that is wide enough.
 */
export function matchHeaders(profile: Profile, kind: Kind, headers: string[], options: { positions?: boolean } = {}): Match | null {
  const spec = profile.kinds[kind];
  if (!spec) return null;
  const index = new Map<string, number>();
  headers.forEach((h, i) => {
    const key = normaliseHeader(h);
    if (key && !index.has(key)) index.set(key, i);
  });
  const find = (synonyms: string[]): number | undefined => {
    for (const synonym of synonyms) {
      const position = columnPosition(synonym);
      const at = position === null ? index.get(normaliseHeader(synonym)) : options.positions && position < headers.length ? position : undefined;
      if (at !== undefined) return at;
    }
    return undefined;
  };
  const columns = new Map<string, number>();
  for (const [field, synonyms] of Object.entries(spec.columns)) {
    const at = find(synonyms);
    if (at !== undefined) columns.set(field, at);
  }
  const splits = new Map<number, number>();
  spec.split.forEach((rule, ruleIndex) => {
    const at = find(rule.column);
    if (at !== undefined) splits.set(ruleIndex, at);
  });
  const covered = (field: string) =>
    columns.has(field) || field in spec.derive || spec.split.some((rule, i) => splits.has(i) && rule.into.includes(field));
  const optional = new Set(spec.optional);
  // "Required when 转办" needs a handling to tell: an export without one cannot demand them.
  const dispatchKnown = covered('handling');
  const missing = Object.entries(FIELDS[kind])
    .filter(([field, f]) => (f.required || (f.requiredWhenDispatched && dispatchKnown)) && !optional.has(field) && !covered(field))
    .map(([field]) => field);
  const used = new Set<number>([...columns.values(), ...splits.values()]);
  for (const rule of Object.values(spec.derive)) {
    for (const source of deriveSources(rule)) {
      if (source in FIELDS[kind]) continue;
      const at = find([source]);
      if (at !== undefined) used.add(at);
    }
  }
  const score = columns.size + splits.size;
  const entries = Object.keys(spec.columns).length + spec.split.length;
  return {
    profile, kind, columns, splits, missing, score,
    closeness: entries ? score / entries : 0,
    unmapped: headers.filter((h, i) => !used.has(i) && h.trim() !== ''),
    headerAt: (name) => find([name]),
  };
}

/**
 * Picks the profile and kind whose columns fit the headers. With --profile/--kind given, only those
 * are tried. Among the kinds that fit, the one with the most matched columns wins, then the closest
 * (the larger share of its own entries found: a city's own profile beats the generic one that
 * happens to match as many columns). A file that fits nothing is refused with the closest match's
 * missing columns named.
 */
export function chooseMapping(profiles: Profile[], headers: string[], wanted: { profile?: string; kind?: Kind } = {}): Match {
  const pool = wanted.profile ? profiles.filter((p) => p.name === wanted.profile) : profiles;
  if (wanted.profile && pool.length === 0) {
    throw new CliError(`没有名为 ${wanted.profile} 的映射方案；可用：${profiles.map((p) => p.name).join(', ')}`, 2);
  }
  const kinds = wanted.kind ? [wanted.kind] : [...KINDS];
  const positions = Boolean(wanted.profile);
  const matches = pool.flatMap((p) => kinds.map((k) => matchHeaders(p, k, headers, { positions })).filter((m): m is Match => m !== null && m.score > 0));
  const fit = (a: Match, b: Match) => b.score - a.score || b.closeness - a.closeness;
  const complete = matches.filter((m) => m.missing.length === 0).sort(fit);
  const closest = [...matches].sort((a, b) => b.score - a.score || a.missing.length - b.missing.length)[0];
  // A ticket export that lacks one required column still holds 一级分类/二级分类 (a complete
  // categories file) or 承办单位 (a units file): when most columns belong to a kind that is
  // incomplete, the file is that kind with a column missing, not the smaller kind that happens to fit.
  if (complete.length > 0 && closest.missing.length > 0 && closest.score > complete[0].score && !wanted.kind) {
    throw new CliError(
      `${missingMessage(closest, headers)}\n（这些表头也符合 ${describe(complete[0])}，但大多数列属于 ${describe(closest)}；如果文件确实是 ${complete[0].kind}，请加 --kind ${complete[0].kind} / the headers also fit ${describe(complete[0])}, but most columns belong to ${describe(closest)}; pass --kind ${complete[0].kind} if that is what the file is）`,
    );
  }
  if (complete.length > 0) {
    const [best, second] = complete;
    if (second && fit(best, second) === 0 && !(wanted.profile && wanted.kind)) {
      throw new CliError(
        `无法自动判断映射方案：${describe(best)} 与 ${describe(second)} 同样匹配；请用 --profile 和 --kind 指定，或把文件放进收件箱的子文件夹 inbox/<方案名>/ / ambiguous: ${describe(best)} and ${describe(second)} fit equally; pass --profile and --kind, or drop the file into inbox/<profile>/`,
      );
    }
    return best;
  }
  if (!closest) {
    throw new CliError(`没有任何映射方案认得这些表头：${headers.slice(0, 12).join(', ')}${headers.length > 12 ? ' …' : ''}。请检查文件编码，或编写映射方案（见 PROFILES.md）/ no profile recognises these headers; check the encoding or write a profile (PROFILES.md)`);
  }
  throw new CliError(missingMessage(closest, headers));
}

function missingMessage(match: Match, headers: string[]): string {
  const spec = match.profile.kinds[match.kind]!;
  const need = match.missing.map((field) => `${FIELDS[match.kind][field].label}（可接受的表头：${(spec.columns[field] ?? [field]).join(' / ')}）`);
  return `缺少必需的列 / missing required column(s) for ${describe(match)}: ${need.join('；')}。文件表头：${headers.join(', ')}`;
}

function describe(match: Match): string {
  return `${match.profile.name}/${match.kind}`;
}
