import { Warehouse } from './pipelines/warehouse.js';
import { ReadPool } from './dashboard/read-pool.js';
import { overviewPage, unitsPage, categoriesPage, districtsPage } from './dashboard/page-data.js';
import { DEFAULT_KPI_SETTINGS } from './pipelines/kpi.js';
const w = await Warehouse.open('/tmp/kpi-bench/data/warehouse.duckdb');
const pool = new ReadPool(w, 3);
const months = ['2023-03', '2023-04', '2023-05', '2023-06', '2023-07', '2023-08', '2023-09', '2023-10'];
for (const [name, fn] of [['overview', overviewPage], ['units', unitsPage], ['categories', categoriesPage], ['districts', districtsPage]] as const) {
  const xs: number[] = [];
  for (const m of months) { const s = performance.now(); await (fn as any)(pool, DEFAULT_KPI_SETTINGS, { month: m }); xs.push(performance.now() - s); }
  console.log(name, xs.map((x) => x.toFixed(0)).join(' '));
}
const xs = []; for (let i = 0; i < 5; i++) { const s = performance.now(); await w.all('select count(*), sum(length(channel)) from tickets'); xs.push(performance.now() - s); }
console.log('scan', xs.map((x) => x.toFixed(0)).join(' '));
pool.close(); w.close();
