import { describe, expect, it } from 'vitest';
import { ENUMS } from '../../pipelines/ingest/profiles.js';
import { UNIT_KIND_ORDER, unitScoreDistributionOption, type ScoredUnit } from '../../reports/charts/ranking-options.js';

/**
 * The 三率 score histogram is drawn by one builder for the 承办单位 page and the monthly report. The
 * page passed the units ordered by kind, the report by score: each drew 企业 in another colour.
 */
describe('unitScoreDistributionOption', () => {
  const units: ScoredUnit[] = [
    { unit_kind: '企业', composite_score: 0.83 },
    { unit_kind: '乡镇街道', composite_score: 0.9 },
    { unit_kind: '县市部门', composite_score: 0.95 },
    { unit_kind: '州直部门', composite_score: 1 },
    { unit_kind: '园区', composite_score: 0.97 },
  ];
  const drawn = (list: ScoredUnit[]) => {
    const series = unitScoreDistributionOption(list).series as { name: string; itemStyle: { color: string } }[];
    return series.map((s) => [s.name, s.itemStyle.color]);
  };

  it('gives each unit kind its place and colour whatever order the units come in', () => {
    const byScore = drawn(units);
    expect(byScore.map(([name]) => name)).toEqual(['州直部门', '县市部门', '乡镇街道', '企业', '园区']);
    expect(drawn([...units].reverse())).toEqual(byScore);
    // a month without 州直部门 draws the others in their own colours, not shifted by one
    expect(drawn(units.slice(0, 3))).toEqual(byScore.slice(1, 4));
  });

  it('knows the kinds in the directory\'s order (the ingest profiles\' unit_kind values)', () => {
    expect([...UNIT_KIND_ORDER]).toEqual([...ENUMS.unit_kind]);
  });
});
