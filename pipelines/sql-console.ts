import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CliError } from './cli-error.js';
import type { Warehouse } from './warehouse.js';

/**
 * The analysts' SQL console. Ad-hoc SQL never runs on the warehouse itself: it runs on a snapshot
 * file opened by a separate, locked-down DuckDB instance — read-only, no access to files, URLs,
 * extensions or other databases, configuration locked — with a statement timeout and a row cap.
 * (`enable_external_access` is instance-wide, so the writer cannot have it; hence the snapshot.)
 * The snapshot carries no phone hashes: personal data never reaches an analyst.
 */

const POINTER = 'current';

export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  /** More rows existed than the cap allowed. */
  truncated: boolean;
  elapsedMs: number;
  snapshot: string;
}

export class SqlConsoleError extends CliError {}

/** Writes a fresh analyst snapshot of the warehouse and points `current` at it. Returns its path. */
export async function writeAnalystSnapshot(warehouse: Warehouse, folder: string): Promise<string> {
  mkdirSync(folder, { recursive: true });
  const name = `analyst-${Date.now()}.duckdb`;
  const partial = join(folder, `${name}.partial`);
  rmSync(partial, { force: true });
  const alias = `snap_${process.pid}_${Date.now()}`;
  const quoted = `'${partial.replaceAll("'", "''")}'`;
  await warehouse.run(`attach ${quoted} as ${alias}`);
  try {
    const source = basename(warehouse.path) === ':memory:' ? 'memory' : await currentDatabase(warehouse);
    await warehouse.run(`copy from database "${source.replaceAll('"', '""')}" to ${alias}`);
    await warehouse.run(`alter table ${alias}.tickets drop column phone_hash`);
  } finally {
    await warehouse.run(`detach ${alias}`);
  }
  renameSync(partial, join(folder, name));
  writeFileSync(join(folder, `${POINTER}.tmp`), name);
  renameSync(join(folder, `${POINTER}.tmp`), join(folder, POINTER));
  // Older snapshots go once they are no longer current (an open reader keeps its file handle).
  for (const old of readdirSync(folder)) {
    if (old.startsWith('analyst-') && old !== name && !old.endsWith('.partial')) rmSync(join(folder, old), { force: true });
  }
  return join(folder, name);
}

async function currentDatabase(warehouse: Warehouse): Promise<string> {
  return (await warehouse.one<{ db: string }>('select current_database() as db'))!.db;
}

export function currentSnapshot(folder: string): string | null {
  const pointer = join(folder, POINTER);
  if (!existsSync(pointer)) return null;
  const path = join(folder, readFileSync(pointer, 'utf8').trim());
  return existsSync(path) ? path : null;
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

  constructor(
    private readonly folder: string,
    private readonly limits: { timeoutMs: number; maxRows: number } = { timeoutMs: 10_000, maxRows: 10_000 },
  ) {}

  /** The instance on the newest snapshot; re-opened when the service has written a newer one. */
  private async current(): Promise<{ instance: DuckDBInstance; path: string }> {
    const path = currentSnapshot(this.folder);
    if (!path) throw new SqlConsoleError('分析快照尚未生成：数据导入完成后会自动生成 / no analyst snapshot yet: one is written after each load');
    if (this.instance && this.openPath === path) return { instance: this.instance, path };
    const instance = await openLockedSnapshot(path);
    this.instance?.closeSync();
    this.instance = instance;
    this.openPath = path;
    return { instance, path };
  }

  /** An analyst's query: at most the configured rows and time, whatever the caller asks for. */
  async query(sql: string, options: Partial<{ timeoutMs: number; maxRows: number }> = {}): Promise<QueryResult> {
    const timeoutMs = Math.min(options.timeoutMs ?? this.limits.timeoutMs, this.limits.timeoutMs);
    const maxRows = Math.min(options.maxRows ?? this.limits.maxRows, this.limits.maxRows);
    return this.execute(sql, timeoutMs, maxRows);
  }

  private async execute(sql: string, timeoutMs: number, maxRows: number): Promise<QueryResult> {
    const text = sql.trim().replace(/;\s*$/, '');
    if (!text) throw new SqlConsoleError('请输入一条 SQL 语句 / enter a SQL statement');
    const { instance, path } = await this.current();
    const connection: DuckDBConnection = await instance.connect();
    const started = performance.now();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      connection.interrupt();
    }, timeoutMs);
    try {
      const statements = await connection.extractStatements(text);
      if (statements.count !== 1) throw new SqlConsoleError(`一次只能执行一条语句（这里有 ${statements.count} 条）/ one statement at a time`);
      const prepared = await statements.prepare(0);
      if (!ALLOWED_STATEMENTS.has(prepared.statementType)) {
        throw new SqlConsoleError(`分析控制台只接受查询（SELECT / WITH / DESCRIBE / EXPLAIN）/ only queries are allowed here, not ${StatementType[prepared.statementType] ?? 'this statement'}`);
      }
      const reader = await prepared.streamAndReadUntil(maxRows + 1);
      const names = reader.columnNames();
      const types = reader.columnTypes().map((t) => t.toString());
      const all = reader.getRowsJson() as unknown[][];
      const truncated = all.length > maxRows || !reader.done;
      return {
        columns: names.map((name, i) => ({ name, type: types[i] })),
        rows: all.slice(0, maxRows),
        truncated,
        elapsedMs: Math.round(performance.now() - started),
        snapshot: basename(path),
      };
    } catch (error) {
      if (error instanceof SqlConsoleError) throw error;
      if (timedOut) throw new SqlConsoleError(`查询超过 ${timeoutMs / 1000} 秒被中止 / the query ran past its ${timeoutMs / 1000} s limit and was stopped`);
      throw new SqlConsoleError(explain((error as Error).message));
    } finally {
      clearTimeout(timer);
      connection.closeSync();
    }
  }

  /** Tables and columns with their comments, for the schema browser. */
  async schema(): Promise<{ table: string; column: string; type: string; comment: string | null }[]> {
    const result = await this.execute(
      `select table_name, column_name, data_type, comment from duckdb_columns() where schema_name = 'main' and not internal order by table_name, column_index`,
      this.limits.timeoutMs,
      100_000,
    );
    return result.rows.map(([table, column, type, comment]) => ({ table: String(table), column: String(column), type: String(type), comment: comment as string | null }));
  }

  close(): void {
    this.instance?.closeSync();
    this.instance = null;
    this.openPath = null;
  }
}

/** DuckDB's message, first line, with what the rule means in words. */
function explain(message: string): string {
  const first = message.split('\n')[0];
  if (/read-only mode|read only/i.test(first)) return `分析控制台只读，不能修改数据 / the console is read-only: ${first}`;
  if (/external access|file system|disabled by configuration|Permission Error/i.test(first)) return `分析控制台不能访问文件、网络或其他数据库 / no access to files, URLs or other databases: ${first}`;
  if (/configuration has been locked|lock_configuration|Cannot change/i.test(first)) return `分析控制台的设置已锁定 / settings are locked: ${first}`;
  return first;
}
