import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  HeadingLevel,
  ImageRun,
  Packer,
  PageBreak,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { renderPngAsync } from './charts/render.js';
import { renderHtml, type Block, type ReportDocument } from './document.js';

/**
 * The report formats and the archive: `<dataDir>/reports/<kind>/<name>.html|pdf|docx` plus
 * `<name>.json`, the manifest saying what was built from which data (dataAsOf). Every file is
 * written to a temporary name and renamed, so a reader never sees half a report.
 */

export type ReportFormat = 'html' | 'pdf' | 'docx';
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'pdf', 'docx'];

export const CHROMIUM_PATH = process.env.HOTLINE_CHROMIUM ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

function writeAtomic(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

/** A4 PDF of the HTML through headless Chromium: cover page, page numbers in the footer. */
export async function htmlToPdf(html: string, title: string): Promise<Buffer> {
  if (!hasChromium()) throw new Error(`PDF needs Chromium at ${CHROMIUM_PATH} (apt-get install chromium fonts-noto-cjk, or set HOTLINE_CHROMIUM)`);
  const { chromium } = await import('playwright-core');
  // playwright gives the browser a fresh temporary profile of its own (it refuses --user-data-dir).
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    // No network: the HTML is self-contained, and nothing in a ticket may fetch anything.
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setContent(html, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    const footer =
      `<div style="width:100%;font-size:9px;color:#646a73;padding:0 14mm;display:flex;justify-content:space-between;font-family:'Noto Sans CJK SC',sans-serif">` +
      `<span>${title.replace(/[&<>"']/g, '')}</span><span>第 <span class="pageNumber"></span> 页 / 共 <span class="totalPages"></span> 页</span></div>`;
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<div></div>',
      footerTemplate: footer,
      margin: { top: '16mm', bottom: '18mm', left: '14mm', right: '14mm' },
    });
  } finally {
    await browser.close();
  }
}

const FONT = 'Noto Sans CJK SC';
const thin = { style: BorderStyle.SINGLE, size: 4, color: 'BFC4CC' };
const borders = { top: thin, bottom: thin, left: thin, right: thin };

function docxBlock(block: Block, pngs: Map<Block, Buffer>): (Paragraph | Table)[] {
  switch (block.kind) {
    case 'paragraph':
      return [new Paragraph({ spacing: { after: 120 }, children: [new TextRun({ text: block.text, bold: block.emphasis, font: FONT })] })];
    case 'note':
      return [new Paragraph({ spacing: { after: 120 }, children: [new TextRun({ text: block.text, size: 18, color: '646A73', font: FONT })] })];
    case 'list':
      return block.items.map((item) => new Paragraph({ bullet: { level: 0 }, children: [new TextRun({ text: item, font: FONT })] }));
    case 'table': {
      const numeric = new Set(block.numeric ?? []);
      const cell = (text: string, i: number, header: boolean, fill?: string) =>
        new TableCell({
          borders,
          shading: fill ? { type: ShadingType.CLEAR, color: 'auto', fill } : undefined,
          children: [
            new Paragraph({
              alignment: header ? AlignmentType.CENTER : numeric.has(i) ? AlignmentType.RIGHT : AlignmentType.LEFT,
              children: [new TextRun({ text, bold: header, size: 18, font: FONT })],
            }),
          ],
        });
      const rows = [
        new TableRow({ tableHeader: true, children: block.headers.map((h, i) => cell(h, i, true, 'F0F3F8')) }),
        ...block.rows.map(
          (row, r) =>
            new TableRow({
              cantSplit: true,
              children: row.map((c, i) => cell(c, i, false, block.tone?.[r] === 'good' ? 'EEFAF0' : block.tone?.[r] === 'bad' ? 'FDEEEE' : undefined)),
            }),
        ),
      ];
      const caption = block.caption ? [new Paragraph({ spacing: { before: 120, after: 60 }, children: [new TextRun({ text: block.caption, size: 18, color: '646A73', font: FONT })] })] : [];
      return [...caption, new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows }), new Paragraph({ children: [] })];
    }
    case 'chart': {
      const png = pngs.get(block)!;
      // 6.3 inches of text width at 96 px per inch.
      const width = Math.min(block.width, 600);
      const height = Math.round((block.height * width) / block.width);
      return [
        new Paragraph({ alignment: AlignmentType.CENTER, children: [new ImageRun({ type: 'png', data: png, transformation: { width, height } })] }),
        new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 160 }, children: [new TextRun({ text: block.title, size: 18, color: '646A73', font: FONT })] }),
      ];
    }
  }
}

/** The DOCX: cover, then the same sections as the HTML; charts as PNG pictures. */
export async function documentToDocx(doc: ReportDocument): Promise<Buffer> {
  // The charts' PNGs first, rasterised off the event loop (renderPngAsync), one after another.
  const pngs = new Map<Block, Buffer>();
  for (const block of doc.sections.flatMap((section) => section.blocks)) {
    if (block.kind === 'chart') pngs.set(block, await renderPngAsync(block.option, { width: block.width, height: block.height, scale: 2 }));
  }
  const cover = [
    new Paragraph({ spacing: { before: 3600, after: 600 }, alignment: AlignmentType.CENTER, children: [new TextRun({ text: doc.title, bold: true, size: 44, font: FONT })] }),
    ...doc.cover.map((line) => new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 120 }, children: [new TextRun({ text: line, size: 24, font: FONT })] })),
    new Paragraph({ children: [new PageBreak()] }),
  ];
  const body = doc.sections.flatMap((section, i) => [
    new Paragraph({
      heading: HeadingLevel.HEADING_2,
      pageBreakBefore: !!section.pageBreak && i > 0,
      spacing: { before: 240, after: 120 },
      children: [new TextRun({ text: section.title, bold: true, size: 30, font: FONT })],
    }),
    ...section.blocks.flatMap((block) => docxBlock(block, pngs)),
  ]);
  const document = new Document({
    title: doc.title,
    creator: 'Hotline Pulse',
    styles: { default: { document: { run: { font: FONT, size: 22 } } } },
    sections: [
      {
        properties: { page: { size: { width: 11906, height: 16838 }, margin: { top: 1134, bottom: 1134, left: 1134, right: 1134 } } },
        footers: {
          default: new Footer({
            children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: ['第 ', PageNumber.CURRENT, ' 页 / 共 ', PageNumber.TOTAL_PAGES, ' 页'], size: 18, font: FONT })] })],
          }),
        },
        children: [...cover, ...body],
      },
    ],
  });
  return Packer.toBuffer(document);
}

export interface ArchiveManifest {
  kind: 'monthly' | 'special';
  name: string;
  title: string;
  /** The inputs: month, or topic with from/to. */
  inputs: Record<string, unknown>;
  /** The data's own time stamp (kpi.ts dataAsOf) the report was built from. */
  dataAsOf: string | null;
  builtAt: string;
  files: string[];
}

/** The folder a kind of report is archived in. */
export function archiveFolder(dataDir: string, kind: 'monthly' | 'special'): string {
  return join(dataDir, 'reports', kind);
}

/**
 * Writes the document in each format into `outDir` as `<name>.<format>` and the manifest
 * `<name>.json`; returns the paths written (the manifest last).
 */
export async function writeReport(
  doc: ReportDocument,
  options: { outDir: string; name: string; formats: readonly ReportFormat[]; kind: 'monthly' | 'special'; inputs: Record<string, unknown>; dataAsOf: string | null; html?: string },
): Promise<string[]> {
  const files: string[] = [];
  const html = options.html ?? renderHtml(doc);
  for (const format of options.formats) {
    const path = join(options.outDir, `${options.name}.${format}`);
    if (format === 'html') writeAtomic(path, html);
    else if (format === 'pdf') writeAtomic(path, await htmlToPdf(html, doc.title));
    else writeAtomic(path, await documentToDocx(doc));
    files.push(path);
  }
  const manifestPath = join(options.outDir, `${options.name}.json`);
  const manifest: ArchiveManifest = {
    kind: options.kind,
    name: options.name,
    title: doc.title,
    inputs: options.inputs,
    dataAsOf: options.dataAsOf,
    builtAt: new Date().toISOString(),
    files: files.map((f) => f.split(/[\\/]/).at(-1)!),
  };
  writeAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  return [...files, manifestPath];
}
