/** The shapes of the page APIs (dashboard/page-api.ts), as the browser reads them. */
import type { IncidentChartDay, IncidentWithMembers } from '../../pipelines/incidents.js';
import type { Calendar } from '../../pipelines/kpi/freshness.js';
import type { ValueKind } from '../../reports/charts/dashboard-options.js';

/** The data's months (pipelines/kpi/freshness.ts), as every page API sends them. */
export type { Calendar };

export interface Freshness {
  usable: boolean;
  reason: string | null;
  refreshedAt: string | null;
}

export interface Card {
  key: string;
  name: string;
  kind: ValueKind;
  measure: 'pct' | 'pp';
  value: number | null;
  previous_month: number | null;
  same_month_last_year: number | null;
  mom_pct?: number | null;
  yoy_pct?: number | null;
  mom_pp?: number | null;
  yoy_pp?: number | null;
  /** Why 环比 / 同比 is not shown (a base with far less data, or a young month that cannot be rewound). */
  mom_withheld?: string;
  yoy_withheld?: string;
  /** The bases are last month and last year at the same age (a young month). */
  same_age?: true;
  /** Why the KPI cannot be computed from this export, or null. */
  missing: string | null;
  /** 未满期: some of the month's dispatched tickets are still due. */
  young: boolean;
  spark: { month: string; value: number | null; young?: true }[];
}

export type Incident = IncidentWithMembers;
export type { IncidentChartDay };

export interface Overview {
  month: string;
  scope: { dimension: string; keys: string[] };
  ignored: string[];
  share: number | null;
  source: string;
  rollup: Freshness;
  calendar: Calendar;
  /** Missing KPIs and comparison rules, one line each. */
  notes: string[];
  cards: Card[];
  daily: { date: string; count: number }[];
  alerts: Incident[] | null;
}

export type Ticket = Record<string, string | number | null>;

export interface Categories {
  month: string;
  selected: string[];
  ignored: string[];
  source: string;
  calendar: Calendar;
  tree: { level: number; keys: (string | null)[]; received: number; share: number | null }[];
  summary: (Record<string, number | null> & { young?: string[] }) | null;
  trend: { month: string; received: number; satisfaction_rate: number | null; completion_rate: number | null }[];
  appealTypes: { name: string; count: number; share: number | null }[];
}

export interface Rising {
  /** Why no risers are told: the month before has far less data. */
  withheld: string | null;
  rows: { keys: (string | null)[]; received: number; previous: number; change_pct: number | null; is_new: boolean }[];
}

export interface AreaRow {
  name: string;
  received: number;
  share: number | null;
  completion_rate: number | null;
  ontime_completion_rate: number | null;
  satisfaction_rate: number | null;
  repeat_rate: number | null;
}

export interface Districts {
  month: string;
  selected: string | null;
  ignored: string[];
  calendar: Calendar;
  districts: AreaRow[];
  townships: AreaRow[];
  /** The rates still moving this month (未满期), as the overview marks them. */
  young: string[];
  trend: { month: string; received: number; satisfaction_rate: number | null }[];
}

export interface UnitRow {
  unit_kind: string;
  rank: number | null;
  unit: string;
  volume: number;
  response_rate: number | null;
  resolution_score: number | null;
  resolution_basis: string | null;
  satisfaction_rate: number | null;
  composite_score: number | null;
  overdue: number | null;
  returned_tickets: number | null;
  returns: number | null;
  unranked_reason: string | null;
}

export interface Units {
  month: string;
  calendar: Calendar;
  settings: { minTicketsForRanking: number; rankingWeights: Record<string, number> };
  kinds: string[];
  kind: string | null;
  rows: UnitRow[];
}
