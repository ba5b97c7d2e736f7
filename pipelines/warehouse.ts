import { DuckDBInstance, JsonDuckDBValueConverter, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBResult, type DuckDBValue } from '@duckdb/node-api';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from './cli-error.js';

export const QUERIES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'queries');

export type Params = Record<string, DuckDBValue | number | string | boolean | null | bigint>;
export type Row = Record<string, unknown>;

/**
 * The staging models (queries/staging/<name>.sql) as statements creating them as temporary views,
 * in name order: what every connection of the warehouse and of the analysts' console installs.
 */
export function stagingViews(): string[] {
  return readdirSync(join(QUERIES_DIR, 'staging'))
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => `create or replace temp view ${name.slice(0, -4)} as\n${sqlFile(join('staging', name))}`);
}

/** Read a SQL file under queries/ (path relative to that folder). */
export function sqlFile(relativePath: string): string {
  return readFileSync(join(QUERIES_DIR, relativePath), 'utf8');
}

/** Thrown when another process holds the warehouse file: DuckDB allows one writing process. */
export class WarehouseBusyError extends CliError {
  constructor(readonly path: string, readonly holder: string) {
    super(
      `数据仓库 ${path} 正被另一个进程占用（${holder}），通常是正在运行的 npm start 服务。\n` +
        `The warehouse ${path} is held by another process (${holder}), usually the running service (npm start).`,
    );
    this.name = 'WarehouseBusyError';
  }
}

/**
 * One open warehouse file. DuckDB must have exactly one instance per file per process
 * (a second instance on the same file silently loses writes), so instances come from the cache.
 */
export class Warehouse {
  private constructor(
    readonly path: string,
    readonly connection: DuckDBConnection,
    private readonly instance: DuckDBInstance,
  ) {}

  static async open(path: string, options: { migrate?: boolean } = {}): Promise<Warehouse> {
    const absolute = path === ':memory:' ? path : resolve(path);
    if (absolute !== ':memory:') mkdirSync(dirname(absolute), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = absolute === ':memory:' ? await DuckDBInstance.create(':memory:') : await DuckDBInstance.fromCache(absolute);
    } catch (error) {
      const message = String((error as Error).message ?? error);
      const lock = /Conflicting lock is held in (.*?)(?: \(PID (\d+)\))?(?:\.|$)/m.exec(message);
      if (/Could not set lock/i.test(message)) {
        throw new WarehouseBusyError(path, lock?.[2] ? `PID ${lock[2]}` : (lock?.[1] ?? 'unknown process'));
      }
      throw new CliError(`无法打开数据仓库 ${path}: ${message}`);
    }
    const connection = await instance.connect();
    await connection.run(`set TimeZone = 'Asia/Shanghai'`);
    const warehouse = new Warehouse(path, connection, instance);
    if (options.migrate !== false) await warehouse.migrate();
    await warehouse.installStagingModels();
    return warehouse;
  }

  /**
   * The same warehouse through a new connection of the same instance: its own transactions, so
   * readers (the dashboard) and bookkeeping keep answering while a writer loads a file.
   */
  async session(): Promise<Warehouse> {
    const connection = await this.instance.connect();
    await connection.run(`set TimeZone = 'Asia/Shanghai'`);
    const session = new Warehouse(this.path, connection, this.instance);
    await session.installStagingModels();
    return session;
  }

  /**
   * The staging models (queries/staging/<name>.sql) as temporary views of this connection: every
   * reader counts the same tickets, and a changed model file takes effect on the next connection
   * without a migration. Skipped while the warehouse has no tickets table yet. Installed in name
   * order, so a model reads only models whose names sort before its own (stg_tickets_shown after
   * stg_tickets).
   */
  private async installStagingModels(): Promise<void> {
    const tables = await this.all<{ n: number }>(`select count(*) as n from duckdb_tables() where schema_name = 'main' and table_name = 'tickets'`);
    if (!Number(tables[0]?.n)) return;
    for (const statement of stagingViews()) await this.connection.run(statement);
  }

  async all<T = Row>(sql: string, params?: Params, connection: DuckDBConnection = this.connection): Promise<T[]> {
    const result = await connection.run(sql, params as Record<string, DuckDBValue> | undefined);
    return (await plainRows(result)) as T[];
  }

  /**
   * Like all(), but the statement is prepared once per connection and kept (the last 64): a
   * statement run again with other parameters skips parsing and planning, which for the KPI queries
   * (a few hundred lines each) costs more than running them on the rollup.
   */
  async allPrepared<T = Row>(sql: string, params: Params = {}): Promise<T[]> {
    let statements = PREPARED.get(this.connection);
    if (!statements) PREPARED.set(this.connection, (statements = new Map()));
    let entry = statements.get(sql);
    if (entry) statements.delete(sql); // re-inserted below: the map's order is the use order
    else {
      const statement = this.connection.prepare(sql);
      entry = { statement, turn: statement.then(() => undefined) };
      statement.catch(() => statements!.delete(sql));
      if (statements.size >= 64) {
        const [oldest, dropped] = statements.entries().next().value!;
        statements.delete(oldest);
        void dropped.turn.then(() => dropped.statement).then((s) => s.destroySync(), () => undefined);
      }
    }
    statements.set(sql, entry);
    // One binding at a time: callers sharing this connection take turns with the statement.
    const result = entry.turn.then(async () => {
      const prepared = await entry!.statement;
      prepared.bind(params as Record<string, DuckDBValue>);
      return (await plainRows(await prepared.run())) as T[];
    });
    entry.turn = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  async one<T = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params?: Params, connection: DuckDBConnection = this.connection): Promise<void> {
    await connection.run(sql, params as Record<string, DuckDBValue> | undefined);
  }

  /** Runs fn inside BEGIN/COMMIT; any error rolls back so the warehouse is exactly as before. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.connection.run('begin transaction');
    try {
      const result = await fn();
      await this.connection.run('commit');
      return result;
    } catch (error) {
      await this.connection.run('rollback').catch(() => undefined);
      throw error;
    }
  }

  /** Applies the numbered schema files under queries/schema/ that this warehouse has not seen yet. */
  async migrate(): Promise<string[]> {
    await this.run(`create table if not exists schema_migrations (
      version integer primary key, name varchar not null, applied_at timestamp not null default current_localtimestamp())`);
    const applied = new Set((await this.all<{ version: number }>('select version from schema_migrations')).map((r) => r.version));
    const files = readdirSync(join(QUERIES_DIR, 'schema'))
      .filter((name) => /^\d+_.*\.sql$/.test(name))
      .sort();
    const done: string[] = [];
    for (const name of files) {
      const version = Number.parseInt(name, 10);
      if (applied.has(version)) continue;
      await this.transaction(async () => {
        await this.connection.run(sqlFile(join('schema', name)));
        await this.run('insert into schema_migrations (version, name) values ($version, $name)', { version, name });
      });
      done.push(name);
    }
    return done;
  }

  /**
   * Writes the WAL into the file. DuckDB refuses while another connection of this instance has a
   * write open (the job bookkeeping, an alert being handled), so this waits and tries again; if the
   * writes never pause it gives up quietly — DuckDB checkpoints by itself as the WAL grows, and a
   * job must not fail for it. Returns whether it checkpointed.
   */
  async checkpoint(options: { attempts?: number; waitMs?: number } = {}): Promise<boolean> {
    const attempts = options.attempts ?? 12;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.connection.run('checkpoint');
        return true;
      } catch (error) {
        if (!/other write transactions|transactions active/i.test(String((error as Error).message))) throw error;
        if (attempt >= attempts) return false;
        await new Promise((resolve) => setTimeout(resolve, Math.min((options.waitMs ?? 50) * 2 ** (attempt - 1), 3000)));
      }
    }
  }

  close(): void {
    this.connection.closeSync();
  }
}

/** Prepared statements per connection (allPrepared): a connection runs one statement at a time. */
const PREPARED = new WeakMap<DuckDBConnection, Map<string, { statement: Promise<DuckDBPreparedStatement>; turn: Promise<void> }>>();

const NUMERIC_TEXT_TYPES = /^(BIGINT|HUGEINT|UBIGINT|UHUGEINT|DECIMAL)/;

/**
 * Rows as plain JSON-friendly objects: counts as numbers, timestamps as 'YYYY-MM-DD HH:mm:ss'
 * (Beijing wall-clock, as stored). The warehouse keeps no TIMESTAMPTZ columns on purpose.
 * Converted a chunk (≈ 2,048 rows) at a time: each fetch of the next chunk hands the event loop
 * back, so a result of 250,000 rows — seconds of conversion — does not hold the service's requests.
 */
async function plainRows(result: DuckDBResult): Promise<Row[]> {
  const names = result.deduplicatedColumnNames();
  const kinds = result.columnTypes().map((type) => {
    const name = type.toString();
    return NUMERIC_TEXT_TYPES.test(name) ? 'number' : name === 'TIMESTAMP' ? 'timestamp' : 'json';
  });
  const rows: Row[] = [];
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    for (let index = 0; index < chunk.rowCount; index++) {
      const row: Row = {};
      chunk.visitRowValues(index, (value, _row, column, type) => {
        const json = JsonDuckDBValueConverter(value, type, JsonDuckDBValueConverter);
        row[names[column]] = json === null ? null : kinds[column] === 'number' ? Number(json) : kinds[column] === 'timestamp' ? String(json).slice(0, 19) : json;
      });
      rows.push(row);
    }
  }
  return rows;
}
