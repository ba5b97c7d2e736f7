/**
 * A KPI session: one request's (or one command's) view of the warehouse. It reads the rollup's
 * state and the data's fingerprint once, decides once whether the rollup answers, and knows the
 * data's as-of time; every figure asked of it afterwards (totals, series, breakdowns, the ranking)
 * reuses that. Reads run through a Reader, so a page's independent figures can run at the same time
 * on pooled connections, or in turn on one warehouse for the CLI and the reports.
 */
import { CliError } from '../cli-error.js';
import type { Params, Row, Warehouse } from '../warehouse.js';
import { DEFAULT_KPI_SETTINGS, type KpiSettings } from './catalogue.js';
import { bindParams, settingParams, stripComments, type RowSource, type Scope, type TicketFilter } from './compile.js';
import { dataAsOf, dataStart, rollupStatus, type RollupStatus } from './freshness.js';
import { isWholeDays, wholeMonths, type Period } from './period.js';

/** Connections to read with, one statement at a time each. */
export interface Reader {
  use<T>(fn: (w: Warehouse) => Promise<T>): Promise<T>;
}

export type Source = 'auto' | 'rollup' | 'direct';

export interface QueryOptions {
  settings?: KpiSettings;
  /** 'auto' (default): the rollup when it is up to date for these settings and the period, else direct. */
  source?: Source;
}

/** A query ready to run: the SQL, exactly the parameters it names, and where it reads from. */
export interface KpiQuery {
  sql: string;
  params: Params;
  source: 'rollup' | 'direct';
}

/** How a figure is asked for: which tickets, and whether rewound to an earlier moment. */
export interface FigureOptions {
  scope?: Scope;
  filter?: TicketFilter;
  /** Read the tickets as they stood at this moment (a like-with-like comparison of a young month). */
  rewindTo?: string;
  /** Only these metrics are needed (the rest come back empty): a rewound base reads less. */
  metrics?: ReadonlySet<string>;
}

export class KpiSession {
  private status: Promise<RollupStatus> | null = null;
  private asOfTime: Promise<string | null> | null = null;
  private startTime: Promise<string | null> | null = null;

  /** `judged`: the rollup's state as judged for the same data before (the dashboard keeps it per table versions). */
  constructor(
    readonly reader: Reader,
    readonly settings: KpiSettings = DEFAULT_KPI_SETTINGS,
    readonly requested: Source = 'auto',
    private readonly judged?: () => Promise<RollupStatus>,
  ) {}

  /** The rollup's state and whether it answers: two small reads, once per session. */
  rollup(): Promise<RollupStatus> {
    this.status ??= this.judged?.() ?? this.reader.use((w) => rollupStatus(w, this.settings));
    return this.status;
  }

  /** The data's own "now": the newest activity_at (the rollup's, when it answers: no scan). */
  asOf(): Promise<string | null> {
    this.asOfTime ??= this.rollup().then((status) => (status.usable ? (status.state?.as_of ?? null) : this.reader.use(dataAsOf)));
    return this.asOfTime;
  }

  /** When the data begins (the earliest ticket): a period ending before it has no data, not zeros. */
  dataStart(): Promise<string | null> {
    this.startTime ??= this.reader.use(dataStart);
    return this.startTime;
  }

  /**
   * Where rows for `period` come from: the rollup when it answers — one month's (or, for a series,
   * each month's) stored values, else the monthly or daily sums — otherwise the tickets.
   */
  async rowSource(period: Period, figure: FigureOptions = {}, needs: 'any' | 'days' | 'each month' = 'any'): Promise<RowSource> {
    const direct: RowSource = { kind: 'direct', grain: 'period', filter: figure.filter, rewind: !!figure.rewindTo, metrics: figure.metrics };
    // A rewound figure (a young month's same-age base) is never in the rollup: it always reads the tickets.
    if (figure.rewindTo) return direct;
    if (this.requested === 'direct' || figure.filter) {
      if (this.requested === 'rollup') throw new CliError('不能使用汇总表 / cannot answer from the rollup: 专题筛选只能直接查询 / a topic filter reads the tickets');
      return direct;
    }
    const status = await this.rollup();
    let reason = status.reason;
    if (status.usable) {
      const months = wholeMonths(period);
      if (months && (needs === 'each month' || (needs === 'any' && months.first === months.last))) return { kind: 'values' };
      if (needs === 'any' && months) return { kind: 'monthly', metrics: figure.metrics };
      if (isWholeDays(period)) return { kind: 'daily', metrics: figure.metrics };
      reason = '汇总表按整日汇总 / the rollup holds whole days only';
    }
    if (this.requested === 'rollup') throw new CliError(`不能使用汇总表 / cannot answer from the rollup: ${reason}（运行 hotline kpi --refresh 重建 / rebuild with hotline kpi --refresh）`);
    return direct;
  }

  /** The parameters every statement may name; bindParams keeps the ones it does. */
  async params(period: Period, source: RowSource, figure: FigureOptions, extra: Params = {}): Promise<Params> {
    const all: Params = { ...settingParams(this.settings), ...extra, from: period.from, to: period.to };
    if (source.kind === 'daily') Object.assign(all, { from_day: period.from.slice(0, 10), to_day: period.to.slice(0, 10) });
    if (source.kind === 'monthly' || source.kind === 'values') Object.assign(all, { from_month: period.from.slice(0, 10), to_month: period.to.slice(0, 10) });
    figure.scope?.keys.forEach((key, i) => (all[`k${i + 1}`] = key));
    if (figure.filter) Object.assign(all, figure.filter.params);
    return all;
  }

  /** Binds and, for a direct query that needs it, adds the as-of time (overdue, rewinding). */
  async plan(period: Period, source: RowSource, figure: FigureOptions, sql: string, extra: Params = {}): Promise<KpiQuery> {
    const all = await this.params(period, source, figure, extra);
    if (/\$as_of\b/.test(stripComments(sql))) all.as_of = figure.rewindTo ?? (await this.asOf());
    if (figure.rewindTo && figure.rewindTo < period.to) all.to = figure.rewindTo;
    return { sql, params: bindParams(sql, all), source: source.kind === 'direct' ? 'direct' : 'rollup' };
  }

  /** Runs a planned query; its statement stays prepared on the connection for the next request. */
  async run<T = Row>(query: KpiQuery): Promise<T[]> {
    return this.reader.use((w) => w.allPrepared<T>(query.sql, query.params));
  }
}

/** A reader of one warehouse connection, for the CLI and the reports. */
export function readerOf(warehouse: Warehouse): Reader {
  return { use: (fn) => fn(warehouse) };
}

/** A session for this call: the one given, or a new one on the warehouse with the options' settings. */
export function sessionOf(target: Warehouse | KpiSession, options: QueryOptions = {}): KpiSession {
  if (target instanceof KpiSession) return target;
  return new KpiSession(readerOf(target), options.settings ?? DEFAULT_KPI_SETTINGS, options.source ?? 'auto');
}
