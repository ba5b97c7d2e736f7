import { describe, expect, it } from 'vitest';
import { filterTree } from '../../dashboard/page-data.js';
import type { BreakdownRow } from '../../pipelines/kpi/breakdowns.js';

/**
 * The filter bar's districts → townships: most tickets first, as the breakdown orders them, but the
 * tickets that name no township (未知乡镇街道, the second choice under 昌吉市 on the demo) or no
 * district come after the named ones, as on 区域分析.
 */
describe('filterTree', () => {
  const row = (level: number, district: string | null, township?: string | null): BreakdownRow => ({
    level,
    keys: level === 0 ? {} : level === 1 ? { district } : { district, township: township ?? null },
    share: null,
    parent_share: null,
    values: {} as BreakdownRow['values'],
    sums: {},
  });

  it('puts 未知区县 and 未知乡镇街道 after the named districts and townships', () => {
    const rows = [
      row(0, null),
      row(1, '昌吉市'),
      row(2, '昌吉市', '未知乡镇街道'),
      row(2, '昌吉市', '建国路街道'),
      row(2, '昌吉市', '北京南路街道'),
      row(1, '未知区县'),
      row(2, '未知区县', '未知乡镇街道'),
      row(1, '阜康市'),
      row(2, '阜康市', '博峰街道'),
    ];
    expect(filterTree(rows, ['district', 'township'])).toEqual([
      { name: '昌吉市', children: [{ name: '建国路街道', children: [] }, { name: '北京南路街道', children: [] }, { name: '未知乡镇街道', children: [] }] },
      { name: '阜康市', children: [{ name: '博峰街道', children: [] }] },
      { name: '未知区县', children: [{ name: '未知乡镇街道', children: [] }] },
    ]);
  });
});
