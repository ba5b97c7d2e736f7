import type { Reader } from '../pipelines/kpi.js';
import type { Warehouse } from '../pipelines/warehouse.js';

export type { Reader };


/**
 * A few connections of the service's warehouse instance, each used by one request at a time: one
 * DuckDB connection runs one statement at a time, and a page opens several requests at once.
 * Connections are opened on first use (createApp is synchronous).
 */
export class ReadPool implements Reader {
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

  close(): void {
    this.closed = true;
    for (const w of this.all) w.close();
    this.all.length = 0;
    this.idle.length = 0;
  }
}
