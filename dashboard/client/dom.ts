/**
 * Building the page safely: every text goes in through a text node, never through innerHTML, so
 * ticket text and names from the exports are always escaped.
 */
import type { EChartsOption } from 'echarts';
import { chartTheme } from '../../reports/charts/theme.js';

type EChartsModule = typeof import('echarts');
type Chart = ReturnType<EChartsModule['init']>;
declare const echarts: EChartsModule;

export type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(parent: Element, ...children: Child[]): void {
  disposeCharts(parent);
  parent.replaceChildren();
  append(parent, children);
}

// --- charts ---------------------------------------------------------------------------------------

const charts = new Set<Chart>();
let themed = false;

/** An option laid out for the box's width (the map places its labels in pixels): the option and the height it needs. */
export type SizedOption = (width: number) => { option: EChartsOption; height: number };

const sized = new WeakMap<Chart, SizedOption>();

/**
 * Draws an option (built by reports/charts/*) into a new chart container and returns the container.
 * A `SizedOption` is built once the box has its width, and again when the window is resized.
 */
export function chartBox(option: EChartsOption | SizedOption, className = 'chart', onClick?: (params: Record<string, unknown>) => void): HTMLDivElement {
  const box = h('div', { class: className });
  // ECharts needs the box in the document to measure it: draw on the next frame.
  requestAnimationFrame(() => {
    if (!box.isConnected) return;
    if (!themed) {
      echarts.registerTheme('hotline', chartTheme as object);
      themed = true;
    }
    let drawn = option as EChartsOption;
    if (typeof option === 'function') {
      const built = option(box.clientWidth);
      box.style.height = `${built.height}px`;
      drawn = built.option;
    }
    const chart = echarts.init(box, 'hotline', { renderer: 'canvas' });
    // 'finished' fires once the chart (and any animation) is drawn: what the browser tests wait for.
    chart.on('finished', () => {
      box.dataset.chart = 'drawn';
    });
    chart.setOption(drawn);
    if (typeof option === 'function') sized.set(chart, option);
    if (onClick) chart.on('click', (params) => onClick(params as unknown as Record<string, unknown>));
    charts.add(chart);
  });
  return box;
}

function disposeCharts(parent: Element): void {
  for (const chart of [...charts]) {
    if (parent.contains(chart.getDom())) {
      chart.dispose();
      charts.delete(chart);
    }
  }
}

let resizeTimer: number | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(
    () =>
      charts.forEach((c) => {
        const build = sized.get(c);
        if (build) {
          const built = build(c.getDom().clientWidth);
          c.getDom().style.height = `${built.height}px`;
          c.resize();
          c.setOption(built.option, true);
        } else c.resize();
      }),
    120,
  );
});

// --- tables ---------------------------------------------------------------------------------------

export interface Column<T> {
  label: Child;
  value: (row: T) => Child;
  className?: string;
}

export function table<T>(rows: T[], columns: Column<T>[], options: { onRow?: (row: T) => void; selected?: (row: T) => boolean; empty?: string } = {}): HTMLElement {
  if (!rows.length) return h('p', { class: 'empty' }, options.empty ?? '暂无数据');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.className }, c.label)))),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            {
              class: [options.onRow ? 'clickable' : '', options.selected?.(row) ? 'selected' : ''].join(' ').trim() || undefined,
              onclick: options.onRow ? () => options.onRow!(row) : undefined,
            },
            columns.map((c) => h('td', { class: c.className }, c.value(row))),
          ),
        ),
      ),
    ),
  );
}

export function panel(title: Child, ...children: Child[]): HTMLElement {
  return h('section', { class: 'panel' }, h('h2', {}, title), ...children);
}

export function notice(text: string | null): void {
  const box = document.getElementById('notice');
  if (!box) return;
  box.hidden = !text;
  box.textContent = text ?? '';
}

/**
 * A redraw of the current page from inside it (a district or category chosen on the page): the body's
 * `data-ready` is cleared while it runs and set again when the page is drawn, as for a full redraw,
 * so nothing (a reader, a browser test) takes the old content for the new.
 */
export function pageRedraw(draw: () => Promise<void>): () => void {
  return () => {
    const page = document.body.dataset.page ?? '';
    document.body.dataset.ready = '';
    void draw().then(
      () => {
        document.body.dataset.ready = page;
      },
      (error: Error) => {
        notice(`加载失败：${error.message}`);
        document.body.dataset.ready = page;
      },
    );
  };
}

/** 未满期 beside a figure whose month still has dispatched tickets within their deadline (overview, 诉求分析, 区域分析). */
export function youngTag(): HTMLElement {
  return h('span', { class: 'tag young', title: '本月部分转办工单的办理时限未到，数值仍会变化' }, '未满期');
}
