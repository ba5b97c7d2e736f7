import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { CliError } from './cli-error.js';
import { MailConfigSchema } from './mail/config.js';

/** The job table: name → cron expression (Asia/Shanghai). A job absent or disabled does not run. */
const JobSchema = z.object({
  cron: z.string().min(9, 'a cron expression such as "*/5 * * * *"'),
  enabled: z.boolean().default(true),
});

/** A special-report topic (专报): tickets whose category_l1/l2 is listed, or whose text has a keyword. */
const TopicSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes (used as --topic)'),
  title: z.string().min(1),
  categories: z.array(z.string()).default([]),
  keywords: z.array(z.string()).default([]),
  /** Calendar months the topic is in season (marked on the trend chart). */
  seasonMonths: z.array(z.number().int().min(1).max(12)).default([]),
  /** A hot issue's requests (a 专报 started from 热点话题): when given, the topic is exactly these tickets. */
  ticketIds: z.array(z.string()).optional(),
});

export const DEFAULT_REPORT_TOPICS: z.input<typeof TopicSchema>[] = [
  { name: 'noise', title: '噪声扰民', categories: ['噪声扰民'], keywords: ['噪声', '噪音'], seasonMonths: [5, 6, 7, 8, 9] },
  { name: 'heating', title: '供暖', categories: ['供暖', '供暖不热', '供暖收费'], keywords: ['暖气', '供热'], seasonMonths: [10, 11, 12, 1, 2, 3, 4] },
  { name: 'wage-arrears', title: '欠薪', categories: ['欠薪'], keywords: ['欠薪', '拖欠工资', '讨薪'], seasonMonths: [11, 12, 1, 2] },
  { name: 'property', title: '物业', categories: ['物业管理'], keywords: ['物业'], seasonMonths: [] },
  { name: 'water', title: '供水', categories: ['供水', '停水', '水质问题'], keywords: ['停水', '供水'], seasonMonths: [6, 7, 8] },
];

/** A district of the data that the map's boundaries do not have: drawn inside its parent, or as a point. */
const DistrictMappingSchema = z.union([
  z.strictObject({ mergeInto: z.string().min(1), note: z.string().optional() }),
  z.strictObject({ point: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]), note: z.string().optional() }),
]);

const ConfigSchema = z.strictObject({
  /** Warehouse file; overridden by HOTLINE_DB and --db. */
  db: z.string().min(1).default('data/hotline.duckdb'),
  /** inbox/, archive/, rejected/, outbox/ and reports/ live here. */
  dataDir: z.string().min(1).default('data'),
  /** Secret for the phone-number hash; created by `hotline init`, never stored in the database. */
  keyFile: z.string().min(1).default('data/hotline.key'),
  server: z
    .strictObject({
      port: z.number().int().min(0).max(65535).default(8080),
      host: z.string().default('127.0.0.1'),
      publicUrl: z.string().optional(),
    })
    .prefault({}),
  jobs: z
    .record(z.string(), JobSchema)
    .default({
      'ingest-inbox': { cron: '*/5 * * * *', enabled: true },
      'hotspots-daily': { cron: '30 6 * * *', enabled: true },
      'incidents-hourly': { cron: '5 * * * *', enabled: true },
      'monthly-report': { cron: '0 8 1 * *', enabled: true },
      'text-models': { cron: '40 2 * * *', enabled: true },
    }),
  kpi: z
    .strictObject({
      signLimitHours: z.number().positive().default(2),
      basicallySatisfiedCounts: z.boolean().default(true),
      minTicketsForRanking: z.number().int().min(1).default(10),
      rankingWeights: z
        .strictObject({
          response: z.number().min(0).max(1).default(0.3),
          resolution: z.number().min(0).max(1).default(0.35),
          satisfaction: z.number().min(0).max(1).default(0.35),
        })
        .prefault({}),
    })
    .prefault({}),
  ingest: z
    .strictObject({
      /** A single field longer than this is quarantined rather than stored. */
      maxFieldBytes: z.number().int().positive().default(1_000_000),
      /** Profiles beyond the built-in ones: JSON files or folders of them. */
      profileDirs: z.array(z.string()).default([]),
    })
    .prefault({}),
  mail: MailConfigSchema,
  reports: z
    .strictObject({
      topics: z.array(TopicSchema).min(1).default(DEFAULT_REPORT_TOPICS as never),
    })
    .prefault({}),
  /** The text models (classification, unit suggestion, hot topics). */
  text: z
    .strictObject({
      /** Training sample: at most this many of the newest tickets of each 一级/二级 category. */
      perClass: z.number().int().min(10).default(1000),
      /** Held-out tickets the stored metrics are measured on. */
      heldOut: z.number().int().min(100).default(5000),
      /** Categorised tickets of the last N days are judged too (疑似分类不符, 退单 with a suggested unit). */
      suggestDays: z.number().int().min(1).default(92),
      /** "Strongly disagrees": the model's own category at least this likely, the operator's at most 1 − this. */
      mismatchConfidence: z.number().min(0.5).max(1).default(0.9),
    })
    .prefault({}),
  /** The district map (reports/charts/map-region.ts): boundaries, district mapping, known places, rate targets. */
  map: z
    .strictObject({
      /** 'changji' (built in), a GeoJSON file of district polygons, or false: ranked bars only. */
      region: z.union([z.string().min(1), z.literal(false)]).default('changji'),
      districts: z.record(z.string(), DistrictMappingSchema).default({}),
      /** CSV (名称,区县,乡镇街道,经度,纬度) or GeoJSON points: compounds and township centres for incident pins. */
      places: z.string().optional(),
      /** What the rate maps diverge around; a rate without a target diverges around the prefecture's own value. */
      targets: z.record(z.string(), z.number().min(0).max(1)).default({ completion_rate: 0.99, satisfaction_rate: 0.97 }),
    })
    .prefault({}),
  demo: z
    .strictObject({
      seed: z.number().int().default(12345),
      years: z.number().int().min(1).max(10).default(4),
      ticketsPerDay: z.number().int().min(10).default(800),
    })
    .prefault({}),
});

export type Config = z.infer<typeof ConfigSchema> & { configFile: string | null; root: string };

export const DEFAULT_CONFIG_FILE = 'hotline.config.json';

/**
 * Loads hotline.config.json (or HOTLINE_CONFIG) and applies environment overrides
 * (HOTLINE_DB, HOTLINE_DATA_DIR, HOTLINE_KEY_FILE, PORT). Relative paths are resolved against the
 * config file's folder. A bad key stops start-up with a message that names it.
 */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.file ?? env.HOTLINE_CONFIG;
  const file = explicit ? resolve(cwd, explicit) : resolve(cwd, DEFAULT_CONFIG_FILE);
  let raw: Record<string, unknown> = {};
  let configFile: string | null = null;
  if (existsSync(file)) {
    configFile = file;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new CliError(`配置文件 ${file} 不是合法的 JSON: ${(error as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CliError(`配置文件 ${file} 的顶层必须是一个 JSON 对象`);
  } else if (explicit) {
    throw new CliError(`找不到配置文件 ${file}`);
  }
  const merged = structuredClone(raw) as Record<string, any>;
  if (env.HOTLINE_DB) merged.db = env.HOTLINE_DB;
  if (env.HOTLINE_DATA_DIR) merged.dataDir = env.HOTLINE_DATA_DIR;
  if (env.HOTLINE_KEY_FILE) merged.keyFile = env.HOTLINE_KEY_FILE;
  if (env.PORT) {
    const port = Number(env.PORT);
    merged.server = { ...(merged.server ?? {}), port: Number.isInteger(port) ? port : env.PORT };
  }
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const where = configFile ?? '(defaults and environment)';
    const lines = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(top level)';
      const unknown = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message;
      return `  ${key}: ${unknown}`;
    });
    throw new CliError(`配置无效 / invalid configuration in ${where}:\n${lines.join('\n')}`);
  }
  const root = configFile ? dirname(configFile) : cwd;
  const at = (path: string) => (isAbsolute(path) ? path : join(root, path));
  const config = parsed.data;
  // A default keyFile follows dataDir, so two warehouses side by side keep separate keys.
  const keyFile = raw.keyFile === undefined && !env.HOTLINE_KEY_FILE ? join(config.dataDir, 'hotline.key') : config.keyFile;
  // The outbox follows dataDir unless set: the dashboard lists what the mail path wrote there.
  const outbox = (raw.mail as { outbox?: string } | undefined)?.outbox;
  const mail = { ...config.mail, outbox: outbox ? at(outbox) : join(at(config.dataDir), 'outbox') };
  // Profile folders too: "profileDirs": ["profiles"] means the folder beside hotline.config.json.
  const ingest = { ...config.ingest, profileDirs: config.ingest.profileDirs.map(at) };
  return { ...config, mail, ingest, db: at(config.db), dataDir: at(config.dataDir), keyFile: at(keyFile), configFile, root };
}

/** The folders the service and the ingest job use. */
export function dataFolders(config: Config) {
  return {
    inbox: join(config.dataDir, 'inbox'),
    archive: join(config.dataDir, 'archive'),
    rejected: join(config.dataDir, 'rejected'),
    outbox: join(config.dataDir, 'outbox'),
    reports: join(config.dataDir, 'reports'),
  };
}
