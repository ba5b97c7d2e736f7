/**
 * Which unit should handle a request (智能派单): learnt from where past tickets of the same
 * category and place went. The most specific history with enough tickets decides — the same
 * category at the same place (a compound, a street, a village: the address up to its first
 * number), else in the same township, else in the same district, else the category anywhere.
 * Heating goes to the company serving that compound; roads in a township to its county bureau.
 */

export interface RoutingCount {
  category_l1: string;
  category_l2: string | null;
  district: string | null;
  township: string | null;
  place: string | null;
  unit: string;
  tickets: number;
}

export interface RoutingQuery {
  category_l1: string;
  category_l2: string | null;
  district: string | null;
  township: string | null;
  place: string | null;
}

export type RoutingBasis = 'place' | 'township' | 'district' | 'category' | 'category_l1';

export const BASIS_LABELS: Record<RoutingBasis, string> = {
  place: '同一地点',
  township: '同一乡镇街道',
  district: '同一区县',
  category: '同类诉求',
  category_l1: '同一大类',
};

export interface UnitSuggestion {
  unit: string;
  /** Share of the deciding history's tickets that went to this unit. */
  confidence: number;
  basis: RoutingBasis;
}

/** A key's answer: the commonest unit, its share, and how many tickets the key has. */
type Answer = [unit: string, share: number, tickets: number];

export interface UnitRouterState {
  minTickets: number;
  levels: Record<RoutingBasis, Record<string, Answer>>;
}

const LEVELS: RoutingBasis[] = ['place', 'township', 'district', 'category', 'category_l1'];

/** The lookup key of a query at one level, or null when the query lacks that detail. */
function keyAt(level: RoutingBasis, q: RoutingQuery): string | null {
  const category = q.category_l2 ? `${q.category_l1}/${q.category_l2}` : q.category_l1;
  switch (level) {
    case 'place':
      return q.place && q.district ? `${category}|${q.district}|${q.place}` : null;
    case 'township':
      return q.township && q.district ? `${category}|${q.district}|${q.township}` : null;
    case 'district':
      return q.district ? `${category}|${q.district}` : null;
    case 'category':
      return category;
    case 'category_l1':
      return q.category_l1;
  }
}

export class UnitRouter {
  private constructor(private readonly state: UnitRouterState) {}

  /**
   * Builds the tables from counts of (category, place, unit). A key is kept only when it has at
   * least `minTickets` tickets and answers differently from the next, coarser level — the rest
   * would give the same suggestion by backing off, so the stored model stays small.
   */
  static build(counts: readonly RoutingCount[], minTickets = 3): UnitRouter {
    const tallies = Object.fromEntries(LEVELS.map((l) => [l, new Map<string, Map<string, number>>()])) as Record<RoutingBasis, Map<string, Map<string, number>>>;
    for (const row of counts) {
      for (const level of LEVELS) {
        const key = keyAt(level, row);
        if (key === null) continue;
        let units = tallies[level].get(key);
        if (!units) tallies[level].set(key, (units = new Map()));
        units.set(row.unit, (units.get(row.unit) ?? 0) + row.tickets);
      }
    }
    const levels = Object.fromEntries(LEVELS.map((l) => [l, {}])) as UnitRouterState['levels'];
    for (const level of LEVELS) {
      for (const [key, units] of tallies[level]) {
        let best = '';
        let bestCount = -1;
        let total = 0;
        for (const [unit, n] of units) {
          total += n;
          if (n > bestCount || (n === bestCount && unit < best)) [best, bestCount] = [unit, n];
        }
        if (total >= minTickets) levels[level][key] = [best, bestCount / total, total];
      }
    }
    const router = new UnitRouter({ minTickets, levels });
    // Prune from the coarse end: a key that agrees with where backing off would lead adds nothing.
    for (let i = LEVELS.length - 2; i >= 0; i--) {
      const level = LEVELS[i];
      const table = levels[level];
      for (const key of Object.keys(table)) {
        const [unit] = table[key];
        const coarser = router.suggestFrom(i + 1, queryOfKey(level, key));
        if (coarser && coarser.unit === unit) delete table[key];
      }
    }
    return router;
  }

  static restore(state: UnitRouterState): UnitRouter {
    return new UnitRouter(state);
  }

  toState(): UnitRouterState {
    return this.state;
  }

  get size(): number {
    return LEVELS.reduce((n, l) => n + Object.keys(this.state.levels[l]).length, 0);
  }

  suggest(query: RoutingQuery): UnitSuggestion | null {
    return this.suggestFrom(0, query);
  }

  /** The commonest unit of the category alone, ignoring the place: the baseline to beat. */
  categoryOnly(query: RoutingQuery): UnitSuggestion | null {
    return this.suggestFrom(LEVELS.indexOf('category'), query);
  }

  private suggestFrom(start: number, query: RoutingQuery): UnitSuggestion | null {
    for (let i = start; i < LEVELS.length; i++) {
      const key = keyAt(LEVELS[i], query);
      const answer = key === null ? undefined : this.state.levels[LEVELS[i]][key];
      if (answer) return { unit: answer[0], confidence: answer[1], basis: LEVELS[i] };
    }
    return null;
  }
}

/** The query that a stored key stands for (to ask the coarser levels while pruning). */
function queryOfKey(level: RoutingBasis, key: string): RoutingQuery {
  const [category, district = null, detail = null] = key.split('|');
  const slash = category.indexOf('/');
  const l1 = slash < 0 ? category : category.slice(0, slash);
  const l2 = slash < 0 ? null : category.slice(slash + 1);
  return { category_l1: l1, category_l2: l2, district, township: level === 'township' ? detail : null, place: level === 'place' ? detail : null };
}
