import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CliError } from './cli-error.js';
import { stagingViews, type Warehouse } from './warehouse.js';

/**
 * The analysts' SQL console. Ad-hoc SQL never runs on the warehouse itself: it runs on a snapshot
 * file opened by a separate, locked-down DuckDB instance — read-only, no access to files, URLs,
 * extensions or other databases, configuration locked — with a statement timeout, a row cap and a
 * byte cap (a result is sent to a browser whole). The full result of a query is available as a
 * Parquet file, written by DuckDB itself into a private temporary folder.
 * (`enable_external_access` is instance-wide, so the writer cannot have it; hence the snapshot.)
 * The snapshot carries no phone hashes: personal data never reaches an analyst.
 */

const POINTER = 'current';

export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  /** More rows existed than the caps allowed. */
  truncated: boolean;
  /** Which cap stopped the result: the row cap, or the byte cap (rows as JSON). */
  cappedBy: 'rows' | 'bytes' | null;
  limits: { maxRows: number; maxBytes: number };
  elapsedMs: number;
  snapshot: string;
  /** When the snapshot was written (ISO 8601, UTC): how current the answer is. */
  snapshotTakenAt: string;
}

export interface ConsoleLimits {
  timeoutMs: number;
  maxRows: number;
  /** Rows are added while their JSON stays under this many bytes. */
  maxBytes: number;
}

const DEFAULT_LIMITS: ConsoleLimits = { timeoutMs: 10_000, maxRows: 10_000, maxBytes: 16 * 1024 * 1024 };

/**
 * The views the console lists beside the snapshot's tables, with what they add. stg_tickets is the
 * warehouse's own staging model (queries/staging/stg_tickets.sql), installed on every console
 * connection as on every warehouse connection: a count over it is the dashboard's count. Its other
 * columns are the tickets' own, described by their comments (queries/schema/013_column_comments.sql).
 */
const LISTED_VIEWS: Record<string, { about: string; columns: Record<string, string> }> = {
  stg_tickets: {
    about:
      '计入看板与报告数字的工单：不含已撤销的；空区县为“未知区县”、空乡镇街道为“未知乡镇街道”；没有一级分类的取文本模型的建议，否则为“未分类”。按它统计的件数与看板一致',
    columns: {
      category_l1: '一级分类：话务员所填；没有的取文本模型的建议（置信度不低于 50%），否则为“未分类”',
      district: '所属区县（导出为空的为“未知区县”）',
      township: '乡镇街道（导出为空的为“未知乡镇街道”）',
      category_source: '一级分类由谁给出：operator（话务员）/ suggested（文本模型建议）/ 空（没有）',
      category_l2_or_l1: '有二级分类时为二级分类，否则为一级分类（重复诉求与预警序列按它分组）',
      place: '地址中的小区、村或街道地址，不含区县与乡镇街道（集中突发与“反映最多的地址”按它统计）',
    },
  },
};

export interface SchemaColumn {
  table: string;
  /** What the table or view holds, when known. */
  tableComment: string | null;
  column: string;
  type: string;
  comment: string | null;
}

export class SqlConsoleError extends CliError {}

/** No analysts' snapshot yet (a first start before its first file is loaded): try again shortly, not a bad query. */
export class SnapshotPendingError extends SqlConsoleError {}

/**
 * What the snapshot must reflect: the loads, the alarms and the incidents. When this differs from the version
 * written beside the current snapshot, the snapshot is stale.
 */
export async function snapshotDataVersion(warehouse: Warehouse): Promise<string> {
  const row = await warehouse.one<{ version: string }>(
    `select concat_ws('|',
       (select coalesce(max(run_id), 0) from ingest_runs where status = 'loaded'),
       (select count(*) from alert_days),
       (select coalesce(max(incident_id), 0) from alert_incidents),
       (select count(*) from alert_incident_series)) as version`,
  );
  return row!.version;
}

/** Snapshot files are named by the moment they were written: `analyst-<ms since epoch>.duckdb`. */
const SNAPSHOT_PREFIX = 'analyst-';

/** When the snapshot in `file` was written, from its name (ISO 8601, UTC). */
function snapshotTakenAt(file: string): string {
  return new Date(Number(basename(file).slice(SNAPSHOT_PREFIX.length, -'.duckdb'.length))).toISOString();
}

/** Writes a fresh analyst snapshot of the warehouse and points `current` at it. Returns its path. */
export async function writeAnalystSnapshot(warehouse: Warehouse, folder: string): Promise<string> {
  mkdirSync(folder, { recursive: true });
  const name = `${SNAPSHOT_PREFIX}${Date.now()}.duckdb`;
  const partial = join(folder, `${name}.partial`);
  rmSync(partial, { force: true });
  const alias = `snap_${process.pid}_${Date.now()}`;
  const quoted = `'${partial.replaceAll("'", "''")}'`;
  // Read before the copy: a load committing during the copy makes the snapshot look stale, never fresh.
  const version = await snapshotDataVersion(warehouse);
  await warehouse.run(`attach ${quoted} as ${alias}`);
  try {
    const source = basename(warehouse.path) === ':memory:' ? 'memory' : await currentDatabase(warehouse);
    await warehouse.run(`copy from database "${source.replaceAll('"', '""')}" to ${alias}`);
    await warehouse.run(`alter table ${alias}.tickets drop column phone_hash`);
  } finally {
    await warehouse.run(`detach ${alias}`);
  }
  renameSync(partial, join(folder, name));
  // The pointer: the snapshot's file name, then the data version it holds.
  writeFileSync(join(folder, `${POINTER}.tmp`), `${name}\n${version}\n`);
  renameSync(join(folder, `${POINTER}.tmp`), join(folder, POINTER));
  // Older snapshots go once they are no longer current (an open reader keeps its file handle).
  for (const old of readdirSync(folder)) {
    if (old.startsWith(SNAPSHOT_PREFIX) && old !== name && !old.endsWith('.partial')) rmSync(join(folder, old), { force: true });
  }
  return join(folder, name);
}

async function currentDatabase(warehouse: Warehouse): Promise<string> {
  return (await warehouse.one<{ db: string }>('select current_database() as db'))!.db;
}

function readPointer(folder: string): { path: string; version: string | null } | null {
  const pointer = join(folder, POINTER);
  if (!existsSync(pointer)) return null;
  const [name, version] = readFileSync(pointer, 'utf8').split('\n').map((line) => line.trim());
  const path = join(folder, name);
  return existsSync(path) ? { path, version: version || null } : null;
}

export function currentSnapshot(folder: string): string | null {
  return readPointer(folder)?.path ?? null;
}

/** Whether the current snapshot exists and holds the warehouse's loads and alarms as they are now. */
export async function snapshotIsCurrent(warehouse: Warehouse, folder: string): Promise<boolean> {
  const pointer = readPointer(folder);
  return pointer !== null && pointer.version === (await snapshotDataVersion(warehouse));
}

/** Queries only: PRAGMA, SET, CALL, COPY, ATTACH and the rest are refused before they run. */
const ALLOWED_STATEMENTS = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);

const LOCKED_DOWN = {
  access_mode: 'READ_ONLY',
  enable_external_access: 'false',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  lock_configuration: 'true',
} as const;

/** A DuckDB instance on a snapshot file that cannot write, reach files or change its settings. */
export async function openLockedSnapshot(path: string): Promise<DuckDBInstance> {
  return DuckDBInstance.create(path, { ...LOCKED_DOWN });
}

export class SqlConsole {
  private instance: DuckDBInstance | null = null;
  private openPath: string | null = null;
  private readonly limits: ConsoleLimits;

  constructor(
    private readonly folder: string,
    limits: Partial<ConsoleLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** The instance on the newest snapshot; re-opened when the service has written a newer one. */
  private async current(): Promise<{ instance: DuckDBInstance; path: string }> {
    const path = currentSnapshot(this.folder);
    if (!path) throw new SnapshotPendingError('分析快照尚未生成：数据导入后会自动生成，请稍候 / no analyst snapshot yet: one is written as soon as data is loaded');
    if (this.instance && this.openPath === path) return { instance: this.instance, path };
    const instance = await openLockedSnapshot(path);
    this.instance?.closeSync();
    this.instance = instance;
    this.openPath = path;
    return { instance, path };
  }

  /** An analyst's query: at most the configured rows, bytes and time, whatever the caller asks for. */
  async query(sql: string, options: Partial<ConsoleLimits> = {}): Promise<QueryResult> {
    return this.execute(sql, {
      timeoutMs: Math.min(options.timeoutMs ?? this.limits.timeoutMs, this.limits.timeoutMs),
      maxRows: Math.min(options.maxRows ?? this.limits.maxRows, this.limits.maxRows),
      maxBytes: Math.min(options.maxBytes ?? this.limits.maxBytes, this.limits.maxBytes),
    });
  }

  /** Runs fn on a new connection of the snapshot's instance, interrupted after timeoutMs. */
  private async withConnection<T>(instance: DuckDBInstance, timeoutMs: number, fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection: DuckDBConnection = await instance.connect();
    // The staging models, as on every warehouse connection (a few ms): stg_tickets counts as the dashboard does.
    for (const statement of stagingViews()) await connection.run(statement);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      connection.interrupt();
    }, timeoutMs);
    try {
      return await fn(connection);
    } catch (error) {
      if (error instanceof SqlConsoleError) throw error;
      if (timedOut) throw new SqlConsoleError(`查询超过 ${timeoutMs / 1000} 秒被中止 / the query ran past its ${timeoutMs / 1000} s limit and was stopped`);
      throw new SqlConsoleError(explain((error as Error).message));
    } finally {
      clearTimeout(timer);
      connection.closeSync();
    }
  }

  private async execute(sql: string, limits: ConsoleLimits): Promise<QueryResult> {
    const text = statementText(sql);
    const { instance, path } = await this.current();
    const started = performance.now();
    return this.withConnection(instance, limits.timeoutMs, async (connection) => {
      const prepared = await prepareQuery(connection, text);
      const result = await prepared.stream();
      const names = result.columnNames();
      const types = result.columnTypes().map((t) => t.toString());
      const rows: unknown[][] = [];
      let bytes = 2;
      let cappedBy: QueryResult['cappedBy'] = null;
      // Chunk by chunk, so that a huge result is never held whole: stop at the first cap reached.
      reading: for await (const chunk of result.yieldRowsJson()) {
        for (const row of chunk) {
          if (rows.length >= limits.maxRows) {
            cappedBy = 'rows';
            break reading;
          }
          const size = Buffer.byteLength(JSON.stringify(row)) + 1;
          if (bytes + size > limits.maxBytes) {
            cappedBy = 'bytes';
            break reading;
          }
          bytes += size;
          rows.push(row as unknown[]);
        }
      }
      return {
        columns: names.map((name, i) => ({ name, type: types[i] })),
        rows,
        truncated: cappedBy !== null,
        cappedBy,
        limits: { maxRows: limits.maxRows, maxBytes: limits.maxBytes },
        elapsedMs: Math.round(performance.now() - started),
        snapshot: basename(path),
        snapshotTakenAt: snapshotTakenAt(path),
      };
    });
  }

  /**
   * The whole result of a query as a Parquet file, with no row or byte cap: DuckDB writes it on its
   * own instance of the snapshot, as locked down as the console's except that it may write into one
   * fresh temporary folder. The statement is checked to be a single query first, exactly as a
   * console query is. The caller removes the folder (`done`).
   */
  async exportParquet(sql: string, timeoutMs = this.limits.timeoutMs * 4): Promise<{ file: string; done(): void }> {
    const text = statementText(sql);
    const path = currentSnapshot(this.folder);
    if (!path) throw new SnapshotPendingError('分析快照尚未生成：数据导入后会自动生成，请稍候 / no analyst snapshot yet');
    const folder = mkdtempSync(join(tmpdir(), 'hotline-parquet-'));
    const done = () => rmSync(folder, { recursive: true, force: true });
    const file = join(folder, 'result.parquet');
    const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', allow_community_extensions: 'false' });
    try {
      const setup = await instance.connect();
      // Order matters: the folder is allowed before file access is switched off, then nothing can change.
      await setup.run(`set allowed_directories = ['${folder.replaceAll("'", "''")}/']`);
      await setup.run('set enable_external_access = false');
      await setup.run('set lock_configuration = true');
      setup.closeSync();
      await this.withConnection(instance, timeoutMs, async (connection) => {
        await prepareQuery(connection, text);
        const copy = `copy (\n${text}\n) to '${file.replaceAll("'", "''")}' (format parquet, compression zstd)`;
        const statements = await connection.extractStatements(copy);
        if (statements.count !== 1) throw new SqlConsoleError('一次只能执行一条语句 / one statement at a time');
        const prepared = await statements.prepare(0);
        if (prepared.statementType !== StatementType.COPY) throw new SqlConsoleError('只能导出查询结果 / only a query can be exported');
        await prepared.run();
      });
      return { file, done };
    } catch (error) {
      done();
      throw error;
    } finally {
      instance.closeSync();
    }
  }

  /**
   * Tables and columns with their comments, for the schema browser: the listed views first (what
   * the dashboard counts), then the snapshot's tables. A view's column without a note of its own
   * takes the comment of the tickets column of the same name.
   */
  async schema(): Promise<SchemaColumn[]> {
    const result = await this.execute(
      `select c.table_name, coalesce(t.comment, v.comment), c.column_name, c.data_type, c.comment, c.database_name = 'temp' as is_view
       from duckdb_columns() as c
       left join duckdb_tables() as t on t.database_name = c.database_name and t.schema_name = c.schema_name and t.table_name = c.table_name
       left join duckdb_views() as v on v.database_name = c.database_name and v.schema_name = c.schema_name and v.view_name = c.table_name
       where c.schema_name = 'main' and not c.internal and (c.database_name <> 'temp' or c.table_name in (${Object.keys(LISTED_VIEWS).map((v) => `'${v}'`).join(', ')}))
       order by is_view desc, c.table_name, c.column_index`,
      { ...this.limits, maxRows: 100_000, maxBytes: 64 * 1024 * 1024 },
    );
    const ticketComments = new Map(result.rows.filter(([table]) => table === 'tickets').map(([, , column, , comment]) => [String(column), comment as string | null]));
    return result.rows.map(([table, tableComment, column, type, comment, isView]) => {
      const listed = isView ? LISTED_VIEWS[String(table)] : undefined;
      return {
        table: String(table),
        tableComment: listed?.about ?? (tableComment as string | null),
        column: String(column),
        type: String(type),
        comment: listed ? (listed.columns[String(column)] ?? ticketComments.get(String(column)) ?? null) : (comment as string | null),
      };
    });
  }

  close(): void {
    this.instance?.closeSync();
    this.instance = null;
    this.openPath = null;
  }
}

function statementText(sql: string): string {
  const text = sql.trim().replace(/;\s*$/, '');
  if (!text) throw new SqlConsoleError('请输入一条 SQL 语句 / enter a SQL statement');
  return text;
}

/** The statement prepared, if it is one query; anything else is refused before it runs. */
async function prepareQuery(connection: DuckDBConnection, text: string) {
  const statements = await connection.extractStatements(text);
  if (statements.count !== 1) throw new SqlConsoleError(`一次只能执行一条语句（这里有 ${statements.count} 条）/ one statement at a time`);
  const prepared = await statements.prepare(0);
  if (!ALLOWED_STATEMENTS.has(prepared.statementType)) {
    throw new SqlConsoleError(`分析控制台只接受查询（SELECT / WITH / DESCRIBE / EXPLAIN）/ only queries are allowed here, not ${StatementType[prepared.statementType] ?? 'this statement'}`);
  }
  return prepared;
}

/** DuckDB's message, first line, with what the rule means in words. */
function explain(message: string): string {
  // (a statement that does not parse fails while it is split off: "Failed to extract statements: Parser Error: …")
  const first = message.split('\n')[0].replace(/^Failed to extract statements: /, '');
  if (/read-only mode|read only/i.test(first)) return `分析控制台只读，不能修改数据 / the console is read-only: ${first}`;
  if (/external access|file system|disabled by configuration|Permission Error/i.test(first)) return `分析控制台不能访问文件、网络或其他数据库 / no access to files, URLs or other databases: ${first}`;
  if (/configuration has been locked|lock_configuration|Cannot change/i.test(first)) return `分析控制台的设置已锁定 / settings are locked: ${first}`;
  // The phone's hash is left out of the analysts' snapshot on purpose: say so, not just "not found".
  if (/phone_hash/.test(first) && /not found|does not have a column|does not exist/i.test(first)) return `分析快照不含电话号码哈希（个人信息保护）/ the analysts' snapshot holds no phone hashes: ${first}`;
  // DuckDB's messages are English: the kind of error in words first, the message after it.
  for (const [kind, words] of ERROR_KINDS) if (first.startsWith(kind)) return `${words}：${first}`;
  return first;
}

/** DuckDB's error kinds an analyst meets, in words. */
const ERROR_KINDS: [string, string][] = [
  ['Parser Error', 'SQL 语法错误'],
  ['Catalog Error', '找不到表、视图或函数（左侧列出了可用的表与字段）'],
  ['Binder Error', '字段名、类型或分组写法有误'],
  ['Conversion Error', '类型转换失败'],
  ['Invalid Input Error', '输入值无效'],
  ['Out of Range Error', '数值超出范围'],
  ['Out of Memory Error', '内存不足，请缩小查询范围'],
];
