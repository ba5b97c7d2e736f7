import type { EChartsOption } from 'echarts';
import { renderSvg } from './charts/render.js';
import { CHART_FONT_FAMILY, chartColors } from './charts/theme.js';

/**
 * A report as a list of blocks, independent of the format: the HTML (and through it the PDF) and
 * the DOCX are both drawn from the same document, so every format says the same thing.
 * Text in blocks is plain text — the HTML renderer escapes all of it (ticket text is untrusted).
 */

export type Block =
  | { kind: 'paragraph'; text: string; emphasis?: boolean }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; headers: string[]; rows: string[][]; caption?: string; numeric?: number[]; nowrap?: number[]; tone?: ('good' | 'bad' | null)[] }
  | {
      kind: 'chart';
      title: string;
      option: EChartsOption;
      width: number;
      height: number;
      /** A drawing laid out for phone width (maps place their labels in pixels); by default the same option. */
      narrow?: { option: EChartsOption; height: number };
    }
  | { kind: 'note'; text: string };

export interface Section {
  title: string;
  blocks: Block[];
  /** Start the section on a new printed page. */
  pageBreak?: boolean;
}

export interface ReportDocument {
  /** e.g. 昌吉州 12345 热线 2025 年 8 月运行月报 */
  title: string;
  subtitle: string;
  /** Cover lines: period, data as of, issuing office. */
  cover: string[];
  sections: Section[];
}

/**
 * Figures numbered in the order they appear (图 1, 图 2 …), whatever number a builder wrote: a chart
 * a month has no use for (one channel, one appeal type) leaves no gap in the numbers.
 */
export function numberFigures(doc: ReportDocument): ReportDocument {
  let n = 0;
  const renumber = (title: string) => title.replace(/^图 \d+　/, () => `图 ${++n}　`);
  return { ...doc, sections: doc.sections.map((s) => ({ ...s, blocks: s.blocks.map((b) => (b.kind === 'chart' ? { ...b, title: renumber(b.title) } : b)) })) };
}

export const CHART_WIDTH = 680;
/** Charts are drawn a second time at this width for phones. */
export const PHONE_CHART_WIDTH = 400;

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
const esc = escapeHtml;

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f2f3f5;color:${chartColors.text};font-family:${CHART_FONT_FAMILY};font-size:15px;line-height:1.7}
main{max-width:760px;margin:0 auto;background:#fff;padding:16px 20px 32px}
h1{font-size:24px;line-height:1.35;margin:8px 0 4px;text-align:center}
h2{font-size:18px;margin:28px 0 10px;padding-left:8px;border-left:4px solid ${chartColors.count}}
p{margin:8px 0;text-align:justify}
p.lead{font-size:16px;background:#f5f7fb;border-radius:6px;padding:10px 12px}
p.note{color:${chartColors.subtext};font-size:13px}
.subtitle{text-align:center;color:${chartColors.subtext};margin:0 0 12px}
.cover{display:none}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:8px 0}
table{border-collapse:collapse;width:100%;font-size:13px;line-height:1.45}
caption{caption-side:top;text-align:left;color:${chartColors.subtext};font-size:13px;padding-bottom:4px}
th,td{border:1px solid #dfe1e5;padding:4px 6px;vertical-align:top;overflow-wrap:anywhere}
td:first-child{min-width:6.5em}
th{background:#f0f3f8;font-weight:600;text-align:center;white-space:nowrap}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.nowrap{white-space:nowrap}
tr.good td{background:#eefaf0}
tr.bad td{background:#fdeeee}
figure{margin:12px 0;text-align:center}
figure svg{max-width:100%;height:auto}
figcaption{font-size:13px;color:${chartColors.subtext}}
ul{margin:6px 0;padding-left:22px}
.chart-narrow{display:none}
@media screen and (max-width:600px){main{padding:12px}h1{font-size:20px}body{font-size:15px}table{font-size:12px}th,td{padding:3px 4px}.chart-wide{display:none}.chart-narrow{display:block}}
@page{size:A4;margin:18mm 14mm 18mm 14mm}
@media print{
  body{background:#fff;font-size:11.5pt}
  main{max-width:none;padding:0 2px}
  .cover{display:flex;flex-direction:column;justify-content:center;align-items:center;height:240mm;page-break-after:always;text-align:center}
  .cover h1{font-size:28pt;margin-bottom:14mm}
  .cover p{text-align:center;font-size:13pt;margin:2mm 0}
  .screen-title{display:none}
  h2{page-break-after:avoid;break-after:avoid}
  section.break{page-break-before:always;break-before:page}
  figure,tr,.table-wrap.keep{page-break-inside:avoid;break-inside:avoid}
  thead{display:table-header-group}
  .table-wrap{overflow:visible}
}
`;

/** A table of at most this many rows is not split across pages in print. */
const KEEP_TOGETHER_ROWS = 10;

function blockHtml(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p${block.emphasis ? ' class="lead"' : ''}>${esc(block.text)}</p>`;
    case 'note':
      return `<p class="note">${esc(block.text)}</p>`;
    case 'list':
      return `<ul>${block.items.map((item) => `<li>${esc(item)}</li>`).join('')}</ul>`;
    case 'table': {
      const numeric = new Set(block.numeric ?? []);
      const nowrap = new Set(block.nowrap ?? []);
      const head = `<thead><tr>${block.headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`;
      const body = block.rows
        .map((row, r) => {
          const tone = block.tone?.[r];
          return `<tr${tone ? ` class="${tone}"` : ''}>${row.map((cell, i) => `<td${numeric.has(i) ? ' class="num"' : nowrap.has(i) ? ' class="nowrap"' : ''}>${esc(cell)}</td>`).join('')}</tr>`;
        })
        .join('');
      const caption = block.caption ? `<caption>${esc(block.caption)}</caption>` : '';
      // (a short table is kept on one page: split, it left two rows under a chart and a near-empty page after)
      return `<div class="table-wrap${block.rows.length <= KEEP_TOGETHER_ROWS ? ' keep' : ''}"><table>${caption}${head}<tbody>${body}</tbody></table></div>`;
    }
    case 'chart':
      // The SVG comes from ECharts (text in it is escaped by zrender); the caption is ours.
      // Two drawings of the same option: the print/desktop width, and a narrow one whose labels
      // stay legible on a phone (CSS shows one of them).
      return (
        `<figure><div class="chart-wide">${renderSvg(block.option, { width: block.width, height: block.height })}</div>` +
        `<div class="chart-narrow">${renderSvg(block.narrow?.option ?? block.option, { width: PHONE_CHART_WIDTH, height: block.narrow?.height ?? block.height })}</div>` +
        `<figcaption>${esc(block.title)}</figcaption></figure>`
      );
  }
}

/** The self-contained HTML: inline CSS and inline SVG charts, no script, no external resource. */
export function renderHtml(doc: ReportDocument): string {
  const sections = doc.sections
    .map((s) => `<section${s.pageBreak ? ' class="break"' : ''}><h2>${esc(s.title)}</h2>${s.blocks.map(blockHtml).join('\n')}</section>`)
    .join('\n');
  return (
    `<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(doc.title)}</title><style>${CSS}</style></head><body><main>\n` +
    `<div class="cover"><h1>${doc.title.split(/(?<=热线)\s*/).map(esc).join('<br>')}</h1>${doc.cover.map((line) => `<p>${esc(line)}</p>`).join('')}</div>\n` +
    `<div class="screen-title"><h1>${esc(doc.title)}</h1><p class="subtitle">${esc(doc.subtitle)}</p></div>\n` +
    sections +
    `\n</main></body></html>\n`
  );
}
