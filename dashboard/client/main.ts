/**
 * The dashboard's browser code (bundled by esbuild, dashboard/client-bundle.ts): finds the page in
 * body[data-page], draws its filter bar and content from its API, and redraws when the filters in
 * the URL change. Charts are built by the same option builders as the reports (reports/charts/).
 */
import { post } from './api.js';
import { h, notice, replace } from './dom.js';
import { carryFiltersInNav, renderFilterBar } from './filters.js';
import { renderAlerts } from './pages/alerts.js';
import { renderCategories } from './pages/categories.js';
import { renderData } from './pages/data.js';
import { renderDistricts } from './pages/districts.js';
import { renderOverview } from './pages/overview.js';
import { renderReports } from './pages/reports.js';
import { renderSql } from './pages/sql.js';
import { renderTopics } from './pages/topics.js';
import { renderUnits } from './pages/units.js';

const PAGES: Record<string, (content: HTMLElement) => Promise<void>> = {
  overview: renderOverview,
  categories: renderCategories,
  districts: renderDistricts,
  units: renderUnits,
  alerts: renderAlerts,
  topics: renderTopics,
  reports: renderReports,
  data: renderData,
  sql: renderSql,
};

async function start(): Promise<void> {
  document.getElementById('logout')?.addEventListener('click', async () => {
    await post('/api/logout', {}).catch(() => undefined);
    location.href = '/login';
  });
  const page = document.body.dataset.page ?? '';
  const render = PAGES[page];
  carryFiltersInNav();
  if (!render) {
    document.body.dataset.ready = page;
    return;
  }
  const content = document.getElementById('content')!;
  const draw = async () => {
    notice(null);
    try {
      await render(content);
    } catch (error) {
      replace(content, h('p', { class: 'error', role: 'alert' }, `加载失败：${(error as Error).message}`));
    }
    document.body.dataset.ready = page;
  };
  const redraw = () => {
    document.body.dataset.ready = '';
    void draw();
  };
  try {
    await renderFilterBar(redraw);
  } catch (error) {
    notice(`筛选项加载失败：${(error as Error).message}`);
  }
  window.addEventListener('popstate', () => {
    carryFiltersInNav();
    void renderFilterBar(redraw).catch(() => undefined);
    redraw();
  });
  await draw();
}

void start();
