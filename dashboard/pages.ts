/**
 * The pages: one HTML shell per page (navigation, user, an empty content area) that the browser
 * bundle (client/main.ts) fills from the page's JSON API. No inline script anywhere: the CSP allows
 * scripts from this origin only. The navigation shows only what the role may open; the routes
 * enforce the same rule (requirePage / requireRole).
 */
import type { Role } from '../pipelines/users.js';
import { allows, type Session } from './auth.js';
import { conventions, DEFAULT_KPI_SETTINGS, definitions, rankingDefinitions, type KpiSettings } from '../pipelines/kpi.js';

export interface PageInfo {
  id: string;
  path: string;
  title: string;
  role: Role;
  /** Whether the month / district / category filters apply. */
  filters: ('month' | 'district' | 'category')[];
  /** Shown in the navigation (the definitions page is reached from the numbers). */
  nav: boolean;
  /** Reads the summary tables, so it waits for the first load (the others work during it). */
  needsData?: boolean;
}

export const PAGES: PageInfo[] = [
  { id: 'overview', path: '/', title: '总览', role: 'leader', filters: ['month', 'district', 'category'], nav: true, needsData: true },
  { id: 'categories', path: '/categories', title: '诉求分析', role: 'leader', filters: ['month', 'district', 'category'], nav: true, needsData: true },
  { id: 'districts', path: '/districts', title: '区域分析', role: 'leader', filters: ['month', 'district'], nav: true, needsData: true },
  { id: 'units', path: '/units', title: '承办单位', role: 'leader', filters: ['month'], nav: true, needsData: true },
  { id: 'alerts', path: '/alerts', title: '预警', role: 'leader', filters: [], nav: true },
  { id: 'topics', path: '/topics', title: '热点话题', role: 'leader', filters: [], nav: true, needsData: true },
  { id: 'reports', path: '/reports', title: '报告', role: 'leader', filters: [], nav: true },
  { id: 'data', path: '/data', title: '数据', role: 'admin', filters: [], nav: true },
  { id: 'sql', path: '/sql', title: 'SQL', role: 'analyst', filters: [], nav: true },
  { id: 'definitions', path: '/definitions', title: '指标定义', role: 'leader', filters: [], nav: false },
];

export const ROLE_NAMES: Record<Role, string> = { leader: '领导', analyst: '分析员', admin: '管理员' };

export const escapeHtml = (value: unknown) =>
  String(value ?? '—').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const HEAD = (title: string) => `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Hotline Pulse · 12345 热线数据仓库</title>
<link rel="stylesheet" href="/assets/app.css">`;

function header(page: PageInfo | null, session: Session): string {
  const links = PAGES.filter((p) => p.nav && allows(session.role, p.role))
    .map((p) => `<a href="${p.path}" data-page="${p.id}"${p.id === page?.id ? ' aria-current="page"' : ''}>${escapeHtml(p.title)}</a>`)
    .join('');
  return `<header class="top">
<a class="brand" href="/">Hotline Pulse <span>12345 热线数据仓库</span></a>
<nav aria-label="页面">${links}</nav>
<div class="user"><span>${escapeHtml(session.user)} · ${ROLE_NAMES[session.role]}</span><button type="button" id="logout">退出</button></div>
</header>`;
}

/** A page's shell; the bundle renders its content from `data-page`. */
export function pageShell(page: PageInfo, session: Session, body = ''): string {
  return `${HEAD(page.title)}
<meta name="csrf-token" content="${escapeHtml(session.csrf)}">
</head><body data-page="${page.id}" data-role="${session.role}" data-filters="${page.filters.join(' ')}"${page.needsData ? ' data-needs-data="1"' : ''}>
${header(page, session)}
<main id="main">
<div class="page-head"><h1>${escapeHtml(page.title)}</h1><div id="filters" class="filters"></div></div>
<div id="notice" class="notice" hidden></div>
<div id="content">${body || '<p class="loading">加载中…</p>'}</div>
</main>
<script src="/assets/echarts.min.js"></script>
<script src="/assets/app.js"></script>
</body></html>`;
}

/** 403 as a page: the user is signed in but the role cannot open it. */
export function forbiddenPage(page: PageInfo, session: Session): string {
  return `${HEAD('没有权限')}
<meta name="csrf-token" content="${escapeHtml(session.csrf)}">
</head><body data-page="forbidden" data-role="${session.role}">
${header(null, session)}
<main id="main"><h1>没有权限</h1><p>“${escapeHtml(page.title)}”需要${ROLE_NAMES[page.role]}及以上角色；您的角色是${ROLE_NAMES[session.role]}。</p><p><a href="/">返回总览</a></p></main>
<script src="/assets/app.js"></script>
</body></html>`;
}

/**
 * The definitions page's content, rendered on the server from the KPI catalogue (the same words as
 * docs/kpi-definitions.md and the reports' appendix): the conventions, every KPI, the ranking.
 */
export function definitionsBody(settings: KpiSettings = DEFAULT_KPI_SETTINGS): string {
  const kind = { count: '件数', rate: '比率', mean: '平均值' } as const;
  const items = definitions(settings)
    .map(
      (d) => `<section class="definition" id="${escapeHtml(d.key)}">
<h2>${escapeHtml(d.name)} <code>${escapeHtml(d.key)}</code> <span class="tag">${kind[d.kind]}</span></h2>
<dl>${d.denominator !== '—' ? `<dt>分子</dt><dd>${escapeHtml(d.numerator)}</dd><dt>分母</dt><dd>${escapeHtml(d.denominator)}</dd>` : `<dt>口径</dt><dd>${escapeHtml(d.numerator)}</dd>`}${d.inputs ? `<dt>所需字段</dt><dd>${escapeHtml(d.inputs)}</dd>` : ''}<dt>何时确定</dt><dd>${escapeHtml(d.settles)}</dd></dl>
<details><summary>计算口径（queries/${escapeHtml(d.file)}）</summary><pre>${escapeHtml(d.comment)}</pre><pre class="sql">${escapeHtml(d.sql.replace(/^(--[^\n]*\n)+/, '').trim())}</pre></details>
</section>`,
    )
    .join('\n');
  const ranking = rankingDefinitions(settings)
    .map(([name, text]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(text)}</dd>`)
    .join('');
  return `<p class="lead">页面上的每个数字都按下列口径计算；同一个数字只在一个 SQL 文件里定义。</p>
<section class="definition" id="conventions"><h2>通用约定</h2><ul>${conventions().map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul></section>
${items}
<section class="definition" id="unit_ranking"><h2>承办单位“三率”考评 <code>unit_ranking</code></h2><dl>${ranking}</dl></section>`;
}
