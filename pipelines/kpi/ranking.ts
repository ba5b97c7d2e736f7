/** 承办单位“三率”考评: the lead units' scores from their own KPIs, ranked within each unit kind. */
import type { Warehouse } from '../warehouse.js';
import type { KpiSettings } from './catalogue.js';
import { unitRankingSql } from './compile.js';
import { asPeriod, type Period } from './period.js';
import { sessionOf, type KpiSession, type QueryOptions } from './session.js';

export type UnrankedReason = 'volume_below_minimum' | 'no_response_rate' | 'no_resolution_rate' | 'no_satisfaction_rate';

export interface UnitRankingRow {
  unit_kind: string;
  /** Rank within unit_kind (1 = best); null when the unit is listed but not ranked. */
  rank: number | null;
  unit: string;
  /** Tickets dispatched to the unit in the period. */
  volume: number;
  /** 响应率 = ontime_sign_rate. */
  response_rate: number | null;
  /** 解决率 as scored: resolution_rate, or ontime_completion_rate when no callback said. */
  resolution_score: number | null;
  resolution_basis: 'resolution_rate' | 'ontime_completion_rate' | null;
  /** 满意率 = satisfaction_rate. */
  satisfaction_rate: number | null;
  composite_score: number | null;
  /** Null when the export has no deadlines. */
  overdue: number | null;
  /** Dispatched tickets returned at least once (return_rate's numerator); null without return counts. */
  returned_tickets: number | null;
  /** Sum of returned_count; null without return counts. */
  returns: number | null;
  ontime_completion_rate: number | null;
  resolution_rate: number | null;
  unranked_reason: UnrankedReason | null;
}

export interface UnitRankingReport {
  period: Period;
  source: 'rollup' | 'direct';
  settings: KpiSettings;
  rows: UnitRankingRow[];
}

/** The lead units' “三率” scores, ranked within unit_kind (queries/kpi/unit_ranking.sql). */
export async function unitRanking(target: Warehouse | KpiSession, period: Period | string, options: QueryOptions = {}): Promise<UnitRankingReport> {
  const session = sessionOf(target, options);
  const resolved = asPeriod(period);
  const source = await session.rowSource(resolved);
  const query = await session.plan(resolved, source, {}, unitRankingSql(source), { dimension: 'unit' });
  const rows = (await session.run<UnitRankingRow>(query)).map((row) => ({ ...row, rank: row.rank === null ? null : Number(row.rank) }));
  return { period: resolved, source: query.source, settings: session.settings, rows };
}
