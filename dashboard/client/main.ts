/**
 * The dashboard's browser code (bundled by esbuild, dashboard/client-bundle.ts): finds the page in
 * body[data-page], draws its filter bar and content from its API, and redraws when the filters in
 * the URL change. Charts are built by the same option builders as the reports (reports/charts/).
 */
import { LoadingError, getJson, post, type LoadingProgress } from './api.js';
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

/** Whether the summary tables are there, and the first load's progress while they are not. */
interface Readiness {
  ready: boolean;
  loading: LoadingProgress | null;
}

/**
 * While the first load runs the page shows the load's progress and asks /api/ready every few
 * seconds (an answer, not an error, so the console stays clean) until the data is there.
 */
async function waitForData(content: HTMLElement, loading: LoadingProgress | null): Promise<void> {
  let current = loading;
  for (;;) {
    replace(content, loadingPanel(current));
    document.body.dataset.ready = 'loading';
    await new Promise((resolve) => setTimeout(resolve, 3000));
    try {
      const state = await getJson<Readiness>('/api/ready');
      if (state.ready) return;
      current = state.loading;
    } catch {
      // the server restarting: ask again
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
  // A page that reads the summary tables asks first whether they are there (the page APIs would
  // answer 503 "数据加载中", which the browser logs as an error).
  if (document.body.dataset.needsData) {
    const state = await getJson<Readiness>('/api/ready').catch(() => null);
    if (state && !state.ready) await waitForData(content, state.loading);
  }
  const draw = async () => {
    notice(null);
    try {
      await render(content);
    } catch (error) {
      if (error instanceof LoadingError) {
        await waitForData(content, error.loading);
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
        await waitForData(content, error.loading);
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
