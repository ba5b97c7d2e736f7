import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import { loadedGeoJson } from './map-region.js';

export interface ChartSize {
  width: number;
  height: number;
}

export interface PngOptions extends ChartSize {
  /** Pixel density: 2 gives a sharp picture on phones (the PNG is then 2 × width by 2 × height). Default 1. */
  scale?: number;
  /** Font files to use in addition to the system's; defaults to the CJK fonts found by `cjkFontFiles()`. */
  fontFiles?: string[];
}

/** Server-side SVG of a chart option, as the reports embed it. */
export function renderSvg(option: EChartsOption, size: ChartSize): string {
  registerMaps(option);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ ...option, animation: false });
    return chart.renderToSVGString();
  } finally {
    // Without dispose the zrender timers keep the process alive.
    chart.dispose();
  }
}

const registered = new Map<string, object>();

/** A map option names its boundaries; the region loader (map-region.ts) has read them (again, if the file changed). */
function registerMaps(option: EChartsOption): void {
  const geos = [option.geo ?? []].flat() as { map?: string }[];
  for (const { map } of geos) {
    const geoJson = map ? loadedGeoJson.get(map) : undefined;
    if (map && geoJson && registered.get(map) !== geoJson) {
      echarts.registerMap(map, geoJson as never);
      registered.set(map, geoJson);
    }
  }
}

/**
 * The chart as a PNG (for e-mail: mail clients do not show SVG). The SVG is rasterised by resvg
 * with the system fonts plus the CJK fonts found on this machine. Without any CJK font the PNG is
 * still produced, but Chinese glyphs are missing.
 */
export function renderPng(option: EChartsOption, options: PngOptions): Buffer {
  const svg = renderSvg(option, options);
  return svgToPng(svg, options);
}

/** Rasterises an SVG (e.g. from `renderSvg`) at `scale` × its own size. */
export function svgToPng(svg: string, options: { scale?: number; fontFiles?: string[] } = {}): Buffer {
  const scale = options.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`scale must be a positive number, got ${scale}`);
  const fontFiles = options.fontFiles ?? cjkFontFiles();
  const cjkFamily = fontFiles.length > 0 ? cjkFamilyFor(fontFiles[0]) : undefined;
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
    font: {
      loadSystemFonts: true,
      fontFiles,
      // The generic family ends the CSS font list; point it at a font that has Chinese glyphs.
      ...(cjkFamily ? { defaultFontFamily: cjkFamily, sansSerifFamily: cjkFamily } : {}),
    },
  });
  return resvg.render().asPng();
}

/** Where Linux distributions, macOS and Windows keep fonts with simplified-Chinese glyphs. */
const FONT_DIRS = [
  '/usr/share/fonts/opentype/noto', // Debian/Ubuntu fonts-noto-cjk
  '/usr/share/fonts/noto-cjk', // Arch
  '/usr/share/fonts/google-noto-cjk', // Fedora
  '/usr/share/fonts/opentype',
  '/usr/share/fonts/truetype',
  '/usr/share/fonts',
  '/usr/local/share/fonts',
  '/System/Library/Fonts',
  '/Library/Fonts',
  'C:\\Windows\\Fonts',
];

/** File names of CJK fonts, best first (Noto Sans CJK is what the CI installs). */
const CJK_FONT_NAMES: [RegExp, string][] = [
  [/^NotoSansCJK-Regular\.ttc$/i, 'Noto Sans CJK SC'],
  [/^NotoSansCJKsc-Regular\.otf$/i, 'Noto Sans CJK SC'],
  [/^NotoSansSC-Regular\.(otf|ttf)$/i, 'Noto Sans SC'],
  [/^NotoSansCJK-.*\.ttc$/i, 'Noto Sans CJK SC'],
  [/^SourceHanSans(SC|CN)?-Regular\.(otf|ttc)$/i, 'Source Han Sans SC'],
  [/^PingFang\.ttc$/i, 'PingFang SC'],
  [/^msyh\.tt[cf]$/i, 'Microsoft YaHei'],
  [/^wqy-(zenhei|microhei)\.tt[cf]$/i, 'WenQuanYi Zen Hei'],
];

let cachedFontFiles: string[] | undefined;

/**
 * CJK font files on this machine, best first; empty when there is none. Looked up once per process.
 * HOTLINE_CJK_FONT (a font file path) comes first when set.
 */
export function cjkFontFiles(): string[] {
  if (cachedFontFiles) return cachedFontFiles;
  const found: { file: string; rank: number }[] = [];
  const seen = new Set<string>();
  const fromEnv = process.env.HOTLINE_CJK_FONT;
  if (fromEnv && existsSync(fromEnv)) {
    found.push({ file: fromEnv, rank: -1 });
    seen.add(fromEnv);
  }
  for (const dir of FONT_DIRS) {
    for (const file of listFonts(dir, 2)) {
      if (seen.has(file)) continue;
      const name = file.split(/[\\/]/).at(-1) ?? '';
      const rank = CJK_FONT_NAMES.findIndex(([pattern]) => pattern.test(name));
      if (rank >= 0) {
        found.push({ file, rank });
        seen.add(file);
      }
    }
  }
  // Regular weights only: one face per family is enough for charts, and each file costs load time.
  cachedFontFiles = found.sort((a, b) => a.rank - b.rank).slice(0, 2).map((entry) => entry.file);
  return cachedFontFiles;
}

/** True when Chinese text in a PNG will show real glyphs. */
export function hasCjkFont(): boolean {
  return cjkFontFiles().length > 0;
}

function cjkFamilyFor(file: string): string | undefined {
  const name = file.split(/[\\/]/).at(-1) ?? '';
  return CJK_FONT_NAMES.find(([pattern]) => pattern.test(name))?.[1];
}

function listFonts(dir: string, depth: number): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry);
    if (/\.(ttc|otf|ttf)$/i.test(entry)) {
      files.push(path);
    } else if (depth > 0) {
      try {
        if (statSync(path).isDirectory()) files.push(...listFonts(path, depth - 1));
      } catch {
        // unreadable entry: not a font we can use
      }
    }
  }
  return files;
}
