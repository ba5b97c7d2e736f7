import type { Params, Warehouse } from '../pipelines/warehouse.js';

/** Results up to this many rows are shared between identical statements of one request. */
const SHARED_ROWS = 50;

/** Connections to read with, one statement at a time each. */
export interface Reader {
  use<T>(fn: (w: Warehouse) => Promise<T>): Promise<T>;
}

const statementKey = (sql: string, params?: Params) =>
  `${sql}\u0000${JSON.stringify(params ?? {}, (_key, value) => (typeof value === 'bigint' ? value.toString() : value))}`;

/**
 * The warehouse as one request sees it: an identical read (same SQL, same parameters) runs once and
 * its rows are shared, so the freshness checks that every kpi.ts call makes (row counts, the
 * rollup's state) cost one statement per page instead of one per figure. Only small results are
 * shared, and callers must treat them as read-only.
 */
function sharingReads(warehouse: Warehouse, memo: Map<string, Promise<unknown[]>>): Warehouse {
  const proxy: Warehouse = new Proxy(warehouse, {
    get(target, property, receiver) {
      if (property === 'all') {
        return (sql: string, params?: Params, connection?: unknown) => {
          if (connection !== undefined) return target.all(sql, params, connection as never);
          const key = statementKey(sql, params);
          const shared = memo.get(key);
          if (shared) return shared;
          const rows = target.all(sql, params).then((result) => {
            if (result.length > SHARED_ROWS) memo.delete(key);
            return result;
          });
          memo.set(key, rows);
          rows.catch(() => memo.delete(key));
          return rows;
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      // Methods run against the proxy, so that one() goes through the shared all().
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(proxy) : value;
    },
  });
  return proxy;
}

/**
 * A few connections of the service's warehouse instance, each used by one request at a time: one
 * DuckDB connection runs one statement at a time, and a page opens several requests at once.
 * Connections are opened on first use (createApp is synchronous).
 */
export class ReadPool {
  private readonly idle: Warehouse[] = [];
  private readonly waiting: ((w: Warehouse) => void)[] = [];
  private readonly all: Warehouse[] = [];
  private opening: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly warehouse: Warehouse,
    private readonly size = 2,
  ) {}

  private open(): Promise<void> {
    this.opening ??= (async () => {
      for (let i = 0; i < this.size; i++) {
        const session = await this.warehouse.session();
        this.all.push(session);
        this.idle.push(session);
      }
    })();
    return this.opening;
  }

  async use<T>(fn: (w: Warehouse) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the read pool is closed');
    await this.open();
    const w = this.idle.pop() ?? (await new Promise<Warehouse>((resolve) => this.waiting.push(resolve)));
    try {
      return await fn(w);
    } finally {
      const next = this.waiting.shift();
      if (next) next(w);
      else this.idle.push(w);
    }
  }

  /** A reader for one request: its identical small reads run once (see sharingReads). */
  request(): Reader {
    const memo = new Map<string, Promise<unknown[]>>();
    return { use: (fn) => this.use((w) => fn(sharingReads(w, memo))) };
  }

  close(): void {
    this.closed = true;
    for (const w of this.all) w.close();
    this.all.length = 0;
    this.idle.length = 0;
  }
}
