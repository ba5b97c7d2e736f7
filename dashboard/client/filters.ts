/**
 * The filters (month, district, category) live in the URL, so a view can be shared as a link; every
 * page link in the navigation carries them along.
 */
import { getJson } from './api.js';
import { h, replace } from './dom.js';

export interface FilterState {
  month?: string;
  district?: string;
  category?: string;
}

export interface TreeNode {
  name: string;
  children: TreeNode[];
}

export interface FilterOptions {
  months: string[];
  defaultMonth: string | null;
  lastDay: string | null;
  districts: TreeNode[];
  categories: TreeNode[];
}

const KEYS = ['month', 'district', 'category'] as const;

export function readFilters(): FilterState {
  const params = new URLSearchParams(location.search);
  const state: FilterState = {};
  for (const key of KEYS) {
    const value = params.get(key);
    if (value) state[key] = value;
  }
  return state;
}

/** Changes the URL (one history entry per change) and tells the page. */
export function setFilters(patch: FilterState, onChange: () => void): void {
  const params = new URLSearchParams(location.search);
  for (const key of KEYS) {
    if (!(key in patch)) continue;
    const value = patch[key];
    if (value) params.set(key, value);
    else params.delete(key);
  }
  const query = params.toString();
  history.pushState(null, '', query ? `${location.pathname}?${query}` : location.pathname);
  carryFiltersInNav();
  onChange();
}

/** Navigation links keep the current filters. */
export function carryFiltersInNav(): void {
  const state = readFilters();
  const query = new URLSearchParams(Object.entries(state) as [string, string][]).toString();
  document.querySelectorAll<HTMLAnchorElement>('header nav a, a.brand').forEach((link) => {
    const path = new URL(link.href, location.href).pathname;
    link.href = query ? `${path}?${query}` : path;
  });
}

let options: Promise<FilterOptions> | null = null;
export function filterOptions(): Promise<FilterOptions> {
  // A failed answer (数据加载中 during the first load) is not kept: the next call asks again.
  options ??= getJson<FilterOptions>('/api/filters').catch((error: unknown) => {
    options = null;
    throw error;
  });
  return options;
}

/** The filter bar of a page: only the filters the page uses (body[data-filters]). */
export async function renderFilterBar(onChange: () => void): Promise<void> {
  const bar = document.getElementById('filters');
  const wanted = (document.body.dataset.filters ?? '').split(' ').filter(Boolean);
  if (!bar || !wanted.length) return;
  const opts = await filterOptions();
  const state = readFilters();
  const month = state.month ?? opts.defaultMonth ?? '';
  const select = (label: string, key: keyof FilterState, choices: [string, string][], value: string) =>
    h(
      'label',
      {},
      label,
      h(
        'select',
        { name: key, 'aria-label': label, onchange: (event: Event) => setFilters({ [key]: (event.target as HTMLSelectElement).value }, onChange) },
        choices.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
      ),
    );
  const parts: HTMLElement[] = [];
  if (wanted.includes('month')) parts.push(select('月份', 'month', opts.months.map((m) => [m, `${m.slice(0, 4)}年${m.slice(5)}月`]), month));
  if (wanted.includes('district')) {
    const choices: [string, string][] = [['', '全部区县']];
    for (const d of opts.districts) {
      choices.push([d.name, d.name]);
      for (const t of d.children) choices.push([`${d.name}/${t.name}`, `　${t.name}`]);
    }
    parts.push(select('区县', 'district', choices, state.district ?? ''));
  }
  if (wanted.includes('category')) {
    const choices: [string, string][] = [['', '全部分类']];
    for (const c of opts.categories) {
      choices.push([c.name, c.name]);
      for (const s of c.children) choices.push([`${c.name}/${s.name}`, `　${s.name}`]);
    }
    const value = state.category ?? '';
    // A deeper path chosen on the treemap is still shown in the list.
    if (value && !choices.some(([v]) => v === value)) choices.push([value, value.split('/').join(' › ')]);
    parts.push(select('分类', 'category', choices, value));
  }
  replace(bar, parts);
}
