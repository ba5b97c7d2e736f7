import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { definitionsBody } from '../../dashboard/pages.js';
import { conventions, DEFAULT_KPI_SETTINGS, definitions, definitionsMarkdown, KPI_JSON_KEYS, METRICS } from '../../pipelines/kpi.js';
import { sqlFile } from '../../pipelines/warehouse.js';
import { monthlyDocument, type MonthlyReportData } from '../../reports/monthly.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the definitions: one source, every surface', () => {
  it('docs/kpi-definitions.md is exactly `hotline kpi --definitions` (regenerate it, never edit it)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'kpi-definitions.md'), 'utf8')).toBe(definitionsMarkdown(DEFAULT_KPI_SETTINGS));
  });

  it('covers every key of the KPI JSON and every metric file, and names each input a metric file checks', () => {
    const keys = definitions().map((d) => d.key);
    for (const key of KPI_JSON_KEYS) expect(keys, key).toContain(key);
    for (const metric of METRICS) {
      const sql = sqlFile(`kpi/${metric.key}.sql`);
      for (const input of metric.inputs) expect(sql, `${metric.key} ${input.column}`).toContain(`${metric.key}_without_${input.column}`);
    }
  });

  it('the 指标定义 page prints the same words, with the configured settings', () => {
    const settings = { ...DEFAULT_KPI_SETTINGS, signLimitHours: 4 };
    const page = definitionsBody(settings);
    const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
    for (const d of definitions(settings)) expect(page, d.key).toContain(escaped(d.numerator));
    for (const rule of conventions()) expect(page).toContain(escaped(rule));
    expect(page).toContain('派单时间 + 4 小时');
  });

  it('the monthly report appendix prints the same words', () => {
    const data = { month: '2025-07', kpis: KPI_JSON_KEYS.map((key) => ({ key, name: key })), dataAsOf: null, empty: true, headline: '' } as unknown as MonthlyReportData;
    const document = monthlyDocument(data, { kpi: DEFAULT_KPI_SETTINGS });
    const appendix = JSON.stringify(document.sections.at(-1));
    for (const d of definitions().filter((d) => (KPI_JSON_KEYS as readonly string[]).includes(d.key))) expect(appendix, d.key).toContain(JSON.stringify(d.numerator).slice(1, -1));
    for (const rule of conventions()) expect(appendix).toContain(JSON.stringify(rule).slice(1, -1));
  });
});
