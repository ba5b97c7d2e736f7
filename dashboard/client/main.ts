/**
 * The dashboard's browser code (bundled by esbuild, dashboard/client-bundle.ts): finds the page in
 * body[data-page], draws its filter bar and content from its API, and redraws when the filters in
 * the URL change. Charts are built by the same option builders as the reports (reports/charts/).
 */
import { LoadingError, getJson, post } from './api.js';
import { h, notice, replace } from './dom.js';
import { loadingPanel } from './loading.js';
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

/**
 * While the first load runs the page APIs answer "数据加载中": the page shows the load's progress
 * and asks again every few seconds until the data is there.
 */
async function waitForData(content: HTMLElement, loading: LoadingError): Promise<void> {
  let current: LoadingError = loading;
  for (;;) {
    replace(content, loadingPanel(current.loading));
    document.body.dataset.ready = 'loading';
    await new Promise((resolve) => setTimeout(resolve, 3000));
    try {
      await getJson('/api/filters');
      return;
    } catch (error) {
      if (error instanceof LoadingError) current = error;
    }
  }
}

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
      if (error instanceof LoadingError) {
        await waitForData(content, error);
        return draw();
      }
      replace(content, h('p', { class: 'error', role: 'alert' }, `加载失败：${(error as Error).message}`));
    }
    document.body.dataset.ready = page;
  };
  const redraw = () => {
    document.body.dataset.ready = '';
    void draw();
  };
  const filterBar = async (): Promise<void> => {
    try {
      await renderFilterBar(redraw);
    } catch (error) {
      if (error instanceof LoadingError) {
        await waitForData(content, error);
        return filterBar();
      }
      notice(`筛选项加载失败：${(error as Error).message}`);
    }
  };
  await filterBar();
  window.addEventListener('popstate', () => {
    carryFiltersInNav();
    void renderFilterBar(redraw).catch(() => undefined);
    redraw();
  });
  await draw();
}

void start();
