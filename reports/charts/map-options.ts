import type { EChartsOption } from 'echarts';
import { formatValue, textWidth, type ValueKind } from './dashboard-options.js';
import { baseOption, chartColors, titleOption } from './theme.js';
import { isUnknownPlace } from '../../pipelines/kpi/catalogue.js';

/**
 * The district map: one pure option builder for the dashboard (canvas), the reports (server-side SVG)
 * and the e-mails (PNG). A choropleth of one figure by district — sequential blues for volumes,
 * red–blue diverging around the target for rates — with a legend that names the unit, Chinese labels
 * laid out here so that they never overlap (at A4 width and at phone width alike), incidents as
 * pins, and every district of the data accounted for: merged into its parent with a note, drawn as
 * a labelled point, or listed as not on the map — never silently dropped.
 *
 * The projection is ours (an equirectangular one scaled by cos(latitude), which is what ECharts' geo
 * component draws when given the bounding box and an exact width and height), so label boxes are
 * known in pixels before drawing. The caller registers the GeoJSON under `region.mapName` with the
 * ECharts it draws with (reports/charts/map-region.ts on the server, dashboard/client/map.ts in the
 * browser). Like the other builders: no functions inside the option, so it survives JSON.
 */

/** A GeoJSON FeatureCollection of district polygons (the `name` property names the district). */
export interface RegionGeoJson {
  type: 'FeatureCollection';
  features: {
    type: 'Feature';
    properties: { name: string; cp?: [number, number] } & Record<string, unknown>;
    geometry: { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };
  }[];
}

/** A district of the data that is not a polygon of the map: merged into a parent, or a point of its own. */
export type DistrictMapping = { mergeInto: string; note?: string } | { point: [number, number]; note?: string };

/** A known place (a residential compound, a township's centre) that addresses and townships resolve to. */
export interface MapPlace {
  name: string;
  district?: string;
  township?: string;
  coord: [number, number];
}

/** Everything a map needs, as the server hands it to the browser (GET /api/map). */
export interface RegionMap {
  /** The name the GeoJSON is registered under with ECharts. */
  mapName: string;
  /** e.g. 昌吉回族自治州 */
  title: string;
  geoJson: RegionGeoJson;
  districts: Record<string, DistrictMapping>;
  places: MapPlace[];
  /** Where the boundaries come from, for the figure's caption. */
  attribution: string;
}

/** One district's figure: counts as numbers, rates as fractions in [0, 1]. */
export interface DistrictFigure {
  name: string;
  value: number | null;
}

/** Something that happened somewhere: an alert episode, a hot address. */
export interface MapIncident {
  label: string;
  district?: string | null;
  township?: string | null;
  address?: string | null;
}

export interface DistrictMapOptions {
  kind: ValueKind;
  /** e.g. 受理量, 满意率 — the legend says it with its unit. */
  valueName: string;
  /** Pixel size the option is laid out for (labels are placed for exactly this box). */
  width: number;
  height: number;
  title?: string;
  /** Rates: the figure the colours diverge around (a target, or the prefecture's own rate). */
  target?: number | null;
  /** What the target is, for the legend: 目标 or 全州. Default 目标. */
  targetName?: string;
  /** Rates where a rise is bad news (重复诉求率, 退单率) get red above the target. */
  lowerIsBetter?: boolean;
  /** A district drawn with a thick outline (the selected one). */
  highlight?: string | null;
  incidents?: MapIncident[];
  /** Smaller pixel budget for text: used by the e-mail's small picture. */
  compact?: boolean;
  /**
   * A locator map (the alert e-mail's "where"): no figures and no legend; the highlighted district
   * tinted, the others plain, names only, and the incidents' pins.
   */
  locator?: boolean;
}

/** Where a district of the data ended up on the map. */
export interface DistrictPlacement {
  /** Figures per polygon, merged children included (counts summed; rates keep the parent's own). */
  shapes: Map<string, { value: number | null; sources: string[] }>;
  points: { name: string; value: number | null; coord: [number, number] }[];
  /** Districts of the data the map cannot show, with their figures. */
  offMap: DistrictFigure[];
  /** Sentences a reader needs: what was merged, what is not on the map. */
  notes: string[];
}

export interface ResolvedPlace {
  coord: [number, number];
  /** How precisely the place is known: a named place (compound), a township centre, or only its district. */
  precision: 'place' | 'township' | 'district';
  /** Where it is, in words: 宁边路街道 · 昌吉市. */
  where: string;
}

export interface LabelBox {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** The point the label belongs to (a polygon's visual centre, a point district, a pin). */
  anchor: [number, number];
}

export interface MapLayout {
  /** Projects [lng, lat] to pixels. */
  project: (coord: [number, number]) => [number, number];
  /** Pixels back to [lng, lat]. */
  unproject: (point: [number, number]) => [number, number];
  /** The map's box in pixels. */
  box: { left: number; top: number; width: number; height: number };
  labels: LabelBox[];
}

// --- colours: ColorBrewer schemes, which stay distinct in grey-scale print and for colour-blind readers

/** Blues (the darker five of six), so that the lightest class still reads as blue next to 无数据. */
export const SEQUENTIAL_COLORS = ['#c6dbef', '#9ecae1', '#6baed6', '#3182bd', '#08519c'];
/** RdBu, 4 classes: red well below the target … blue well above it. */
export const DIVERGING_COLORS = ['#ca0020', '#f4a582', '#92c5de', '#0571b0'];
export const NO_DATA_COLOR = '#f2f3f5';
const BORDER_COLOR = '#ffffff';
const PIN_COLOR = chartColors.alert;

const NAME_FONT = 12;
const VALUE_FONT = 11;

// --- names -------------------------------------------------------------------------------------------

/** 木垒哈萨克自治县 → 木垒县, 焉耆回族自治县 → 焉耆县: the short name people use on maps. */
export function shortDistrictName(name: string): string {
  const autonomous = /^(.{2,}?)(?:哈萨克|蒙古|锡伯|塔吉克|柯尔克孜|维吾尔|[^族县市区]{1,3}族).*自治(县|旗)$/.exec(name);
  return autonomous ? `${autonomous[1]}${autonomous[2]}` : name;
}

const normalise = (name: string) => shortDistrictName(name.trim()).replace(/(市|县|区|旗)$/, '');

/** The polygon names of the region, in file order. */
export function regionDistricts(region: Pick<RegionMap, 'geoJson'>): string[] {
  return region.geoJson.features.map((f) => f.properties.name);
}

/** The map's name for a district of the data: exact, or the same short name (木垒县 = 木垒哈萨克自治县). */
export function mapDistrictName(region: Pick<RegionMap, 'geoJson'>, name: string | null | undefined): string | null {
  if (!name) return null;
  const names = regionDistricts(region);
  if (names.includes(name)) return name;
  const matches = names.filter((n) => normalise(n) === normalise(name));
  return matches.length === 1 ? matches[0] : null;
}

/**
 * Why the region's map is not the data's, or null when it is: at least one district of the data
 * lands on it (its own polygon, a parent's, or a point). An NYC 311 export on the map of Changji is
 * not, nor an export whose tickets carry no district at all — every county would read 无数据 and
 * the figures only stand in a list under it. No district at all (an empty month): the map as it is.
 */
export function mapMismatch(region: Pick<RegionMap, 'geoJson' | 'districts' | 'title'>, names: readonly string[]): string | null {
  if (!names.length) return null;
  const known = names.filter((name) => !isUnknownPlace(name));
  if (!known.length) return '本数据的工单没有所属区县';
  const lands = known.some((name) => {
    if (mapDistrictName(region, name)) return true;
    const mapping = region.districts[name];
    return !!mapping && ('point' in mapping || ('mergeInto' in mapping && mapDistrictName(region, mapping.mergeInto) !== null));
  });
  return lands ? null : `本数据的区县（${known.slice(0, 3).join('、')}${known.length > 3 ? ' 等' : ''}）不在${region.title}地图上`;
}

export function fitsRegion(region: Pick<RegionMap, 'geoJson' | 'districts' | 'title'>, names: readonly string[]): boolean {
  return mapMismatch(region, names) === null;
}

/**
 * Puts every district of the data somewhere: its own polygon, its parent's (mapping `mergeInto`), a
 * point (mapping `point`), or the list of districts not on the map. Counts of merged districts are
 * added to the parent; a rate cannot be added, so the parent keeps its own and the note gives the
 * child's.
 */
export function placeDistricts(region: Pick<RegionMap, 'geoJson' | 'districts'>, figures: DistrictFigure[], kind: ValueKind): DistrictPlacement {
  const shapes = new Map<string, { value: number | null; sources: string[] }>();
  for (const name of regionDistricts(region)) shapes.set(name, { value: null, sources: [] });
  const points: DistrictPlacement['points'] = [];
  const offMap: DistrictFigure[] = [];
  const merged: { child: DistrictFigure; parent: string; note?: string }[] = [];
  for (const figure of figures) {
    const own = mapDistrictName(region, figure.name);
    const mapping = region.districts[figure.name];
    if (own) {
      const shape = shapes.get(own)!;
      shape.value = kind === 'count' ? (shape.value ?? 0) + (figure.value ?? 0) : figure.value;
      shape.sources.unshift(figure.name);
    } else if (mapping && 'mergeInto' in mapping && mapDistrictName(region, mapping.mergeInto)) {
      merged.push({ child: figure, parent: mapDistrictName(region, mapping.mergeInto)!, note: mapping.note });
    } else if (mapping && 'point' in mapping) {
      points.push({ name: figure.name, value: figure.value, coord: mapping.point });
    } else offMap.push(figure);
  }
  const notes: string[] = [];
  for (const { child, parent, note } of merged) {
    const shape = shapes.get(parent)!;
    if (kind === 'count') {
      shape.value = (shape.value ?? 0) + (child.value ?? 0);
      shape.sources.push(child.name);
      notes.push(`${parent}含${child.name} ${formatValue(child.value, kind)} 件${note ? `（${note}）` : ''}`);
    } else notes.push(`${child.name}并入${parent}范围，地图未单列（${child.name}：${formatValue(child.value, kind)}）`);
  }
  if (offMap.length) notes.push(`地图上没有：${offMap.map((f) => `${f.name} ${formatValue(f.value, kind)}${kind === 'count' ? ' 件' : ''}`).join('、')}`);
  return { shapes, points, offMap, notes };
}

/**
 * Where an incident is: a known place named in its address, else its township's known centre, else
 * its district's visual centre; null when not even the district is on the map.
 */
export function resolvePlace(region: Pick<RegionMap, 'geoJson' | 'districts' | 'places'>, incident: Omit<MapIncident, 'label'>): ResolvedPlace | null {
  const district = incident.district ?? null;
  const sameDistrict = (place: MapPlace) => !place.district || !district || place.district === district;
  const address = incident.address ?? '';
  const byAddress = region.places
    .filter((p) => address && address.includes(p.name) && sameDistrict(p))
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (byAddress) return { coord: byAddress.coord, precision: 'place', where: [byAddress.name, district].filter(Boolean).join(' · ') };
  const township = incident.township ? region.places.find((p) => (p.township ?? p.name) === incident.township && sameDistrict(p)) : undefined;
  if (township) return { coord: township.coord, precision: 'township', where: [incident.township, district].filter(Boolean).join(' · ') };
  const mapping = district ? region.districts[district] : undefined;
  if (mapping && 'point' in mapping) return { coord: mapping.point, precision: 'district', where: district! };
  const shape = mapDistrictName(region, mapping && 'mergeInto' in mapping ? mapping.mergeInto : district);
  if (!shape) return null;
  return { coord: visualCentre(region, shape), precision: 'district', where: district! };
}

// --- geometry ----------------------------------------------------------------------------------------

type Ring = number[][];

function polygonsOf(feature: RegionGeoJson['features'][number]): Ring[][] {
  return feature.geometry.type === 'Polygon' ? [feature.geometry.coordinates] : feature.geometry.coordinates;
}

function bounds(region: Pick<RegionMap, 'geoJson'>): { minLng: number; maxLng: number; minLat: number; maxLat: number } {
  let minLng = Infinity;
  let maxLng = -Infinity;
  let minLat = Infinity;
  let maxLat = -Infinity;
  for (const feature of region.geoJson.features)
    for (const polygon of polygonsOf(feature))
      for (const [lng, lat] of polygon[0]) {
        minLng = Math.min(minLng, lng);
        maxLng = Math.max(maxLng, lng);
        minLat = Math.min(minLat, lat);
        maxLat = Math.max(maxLat, lat);
      }
  return { minLng, maxLng, minLat, maxLat };
}

function insideRing(point: number[], ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > point[1] !== yj > point[1] && point[0] < ((xj - xi) * (point[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function insidePolygon(point: number[], polygon: Ring[]): boolean {
  return insideRing(point, polygon[0]) && !polygon.slice(1).some((hole) => insideRing(point, hole));
}

function edgeDistance(point: number[], polygon: Ring[]): number {
  let best = Infinity;
  for (const ring of polygon)
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [ax, ay] = ring[j];
      const [bx, by] = ring[i];
      const dx = bx - ax;
      const dy = by - ay;
      const t = dx || dy ? Math.max(0, Math.min(1, ((point[0] - ax) * dx + (point[1] - ay) * dy) / (dx * dx + dy * dy))) : 0;
      best = Math.min(best, Math.hypot(point[0] - ax - t * dx, point[1] - ay - t * dy));
    }
  return best;
}

function ringArea(ring: Ring): number {
  let area = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) area += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return Math.abs(area / 2);
}

/**
 * The point inside a polygon farthest from its edges (a "pole of inaccessibility", by a grid search
 * refined twice): where a label or a marker sits best. Computed in the given (pixel or degree) space.
 */
function poleOf(polygon: Ring[], xScale = 1): number[] {
  const scaled = polygon.map((ring) => ring.map(([x, y]) => [x * xScale, y]));
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [x, y] of scaled[0]) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  let best = [(minX + maxX) / 2, (minY + maxY) / 2];
  let bestDistance = insidePolygon(best, scaled) ? edgeDistance(best, scaled) : -Infinity;
  let step = Math.max(maxX - minX, maxY - minY) / 16;
  let centre = best;
  let span = 8;
  for (let round = 0; round < 3; round++) {
    for (let i = -span; i <= span; i++)
      for (let j = -span; j <= span; j++) {
        const p = [centre[0] + i * step, centre[1] + j * step];
        if (!insidePolygon(p, scaled)) continue;
        const d = edgeDistance(p, scaled);
        if (d > bestDistance) {
          best = p;
          bestDistance = d;
        }
      }
    centre = best;
    step /= 4;
    span = 4;
  }
  return [best[0] / xScale, best[1]];
}

const centres = new WeakMap<object, Map<string, [number, number]>>();

/** A district's visual centre in [lng, lat]: the pole of its largest polygon (cached per region). */
export function visualCentre(region: Pick<RegionMap, 'geoJson'>, name: string): [number, number] {
  let cache = centres.get(region.geoJson);
  if (!cache) centres.set(region.geoJson, (cache = new Map()));
  const hit = cache.get(name);
  if (hit) return hit;
  const feature = region.geoJson.features.find((f) => f.properties.name === name);
  if (!feature) throw new RangeError(`no district ${name} in the region`);
  const largest = polygonsOf(feature).sort((a, b) => ringArea(b[0]) - ringArea(a[0]))[0];
  const b = bounds(region);
  const pole = poleOf(largest, Math.cos((((b.minLat + b.maxLat) / 2) * Math.PI) / 180)) as [number, number];
  cache.set(name, pole);
  return pole;
}

// --- layout ------------------------------------------------------------------------------------------

/** Pixels kept for the legend below the map, and for the notes under it. */
function bands(options: Pick<DistrictMapOptions, 'title' | 'compact' | 'locator'> & { width: number }, noteLines: number) {
  // Narrower than 520 px the legend's title takes a line of its own above the classes.
  const legend = options.locator ? 0 : (options.compact ? 30 : 36) + (options.width < NARROW ? 16 : 0);
  return { top: options.title ? 40 : 8, legend, notes: noteLines * 16 + (noteLines ? 4 : 0) };
}

const NARROW = 520;

/**
 * The height a map of `width` pixels needs (map at its true shape, plus title, legend and notes);
 * `maxMapHeight` caps the map itself on wide screens (it is then centred).
 */
export function mapHeight(region: Pick<RegionMap, 'geoJson'>, width: number, options: { title?: string; noteLines?: number; compact?: boolean; locator?: boolean; maxMapHeight?: number } = {}): number {
  const b = bounds(region);
  const k = Math.cos((((b.minLat + b.maxLat) / 2) * Math.PI) / 180);
  const usable = width - 16;
  const mapPixels = (usable * (b.maxLat - b.minLat)) / ((b.maxLng - b.minLng) * k);
  const band = bands({ ...options, width }, options.noteLines ?? 0);
  return Math.round(Math.min(mapPixels, usable * 1.2, options.maxMapHeight ?? Infinity) + band.top + band.legend + band.notes + 8);
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }, gap = 2): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
}

interface LabelRequest {
  name: string;
  lines: string[];
  anchor: [number, number];
  /** The polygon (pixels) the label should preferably stay inside. */
  within?: Ring[];
}

/**
 * Places labels greedily: each tries positions around its anchor, nearest first, preferring ones
 * inside its own polygon, and takes the first that overlaps no label and no pin placed before it.
 * Small districts go first (they have the fewest good positions).
 */
function placeLabels(requests: LabelRequest[], area: { left: number; top: number; right: number; bottom: number }, obstacles: { x: number; y: number; width: number; height: number }[], fonts: { name: number; value: number }): LabelBox[] {
  const placed: LabelBox[] = [];
  for (const request of requests) {
    const width = Math.max(...request.lines.map((line, i) => textWidth(line, i === 0 ? fonts.name : fonts.value))) + 4;
    const height = fonts.name + 3 + (request.lines.length - 1) * (fonts.value + 3);
    const candidates: { x: number; y: number; score: number }[] = [];
    const stepY = height / 2;
    const stepX = width / 3;
    for (let i = -8; i <= 8; i++)
      for (let j = -4; j <= 4; j++) {
        const cx = request.anchor[0] + j * stepX;
        const cy = request.anchor[1] + i * stepY;
        const distance = Math.hypot(j * stepX, i * stepY);
        const inside = !request.within || insidePolygon([cx, cy], request.within);
        candidates.push({ x: cx - width / 2, y: cy - height / 2, score: distance + (inside ? 0 : 40) });
      }
    candidates.sort((a, b) => a.score - b.score);
    const fits = (c: { x: number; y: number }) =>
      c.x >= area.left && c.y >= area.top && c.x + width <= area.right && c.y + height <= area.bottom && ![...placed, ...obstacles].some((p) => overlaps(p, { x: c.x, y: c.y, width, height }));
    const spot = candidates.find(fits) ?? candidates[0];
    placed.push({ name: request.name, x: spot.x, y: spot.y, width, height, anchor: request.anchor });
  }
  return placed;
}

function projection(region: Pick<RegionMap, 'geoJson'>, width: number, top: number, mapHeightPixels: number) {
  const b = bounds(region);
  const k = Math.cos((((b.minLat + b.maxLat) / 2) * Math.PI) / 180);
  const scale = Math.min((width - 16) / ((b.maxLng - b.minLng) * k), mapHeightPixels / (b.maxLat - b.minLat));
  const boxWidth = (b.maxLng - b.minLng) * k * scale;
  const boxHeight = (b.maxLat - b.minLat) * scale;
  const box = { left: (width - boxWidth) / 2, top, width: boxWidth, height: boxHeight };
  const project = ([lng, lat]: [number, number]): [number, number] => [box.left + (lng - b.minLng) * k * scale, box.top + (b.maxLat - lat) * scale];
  const unproject = ([x, y]: [number, number]): [number, number] => [b.minLng + (x - box.left) / (k * scale), b.maxLat - (y - box.top) / scale];
  return { bounds: b, box, project, unproject };
}

// --- scales ------------------------------------------------------------------------------------------

function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = Math.round((raw / power) * 1e9) / 1e9; // 10.000000000000002 is 10
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 2.5 ? 2.5 : unit <= 5 ? 5 : 10) * power;
}

export interface ColorClass {
  min?: number;
  max?: number;
  color: string;
  label: string;
}

/** Legend limits: 8,000, 2.3万, 12万 — short enough for five classes across a phone. */
const countText = (n: number) => (n >= 10_000 ? `${Number((n / 10_000).toPrecision(2))}万` : Math.round(n).toLocaleString('zh-CN'));
const pctText = (fraction: number, digits: number) => `${(fraction * 100).toFixed(digits)}%`;

/** Rounds down to `digits` significant digits: 12,345 → 12,000; class limits people can read. */
function roundLimit(value: number, digits: number): number {
  if (value <= 0) return 0;
  const power = 10 ** Math.max(0, Math.floor(Math.log10(value)) - digits + 1);
  return Math.floor(value / power) * power;
}

/**
 * Up to five classes with round limits at the quantiles of the counts: a prefecture whose seat has
 * 40 % of the tickets still shows differences between the other districts (equal widths would paint
 * them all the lightest blue). Each limit is a district's figure rounded down, so the largest
 * district always falls in the darkest class and the smallest in the lightest.
 */
export function countClasses(values: number[]): ColorClass[] {
  const sorted = [...values].sort((a, b) => a - b);
  const k = SEQUENTIAL_COLORS.length;
  const starts = Array.from({ length: k - 1 }, (_, i) => sorted[Math.ceil(((i + 1) * sorted.length) / k)]).filter((v): v is number => v !== undefined);
  const limitsAt = (digits: number) => [...new Set(starts.map((v) => roundLimit(v, digits)))].filter((limit) => limit > (sorted[0] ?? 0)).sort((a, b) => a - b);
  // Two significant digits read best; a third only when districts are too close for two to tell apart.
  const limits = limitsAt(2).length >= limitsAt(3).length - 1 ? limitsAt(2) : limitsAt(3);
  const colors = SEQUENTIAL_COLORS.slice(SEQUENTIAL_COLORS.length - limits.length - 1);
  return colors.map((color, i) => {
    const min = i === 0 ? 0 : limits[i - 1];
    const max = limits[i];
    return { min, max, color, label: max === undefined ? `≥ ${countText(min)}` : `${countText(min)}–${countText(max)}` };
  });
}

/**
 * Four classes around the target t, in round steps d: below t − d, [t − d, t), [t, t + d), t + d and
 * above. Red is the bad side: below the target, or above it for rates where a rise is bad news.
 */
export function rateClasses(values: number[], target: number, lowerIsBetter = false): ColorClass[] {
  const spread = Math.max(0.001, ...values.map((v) => Math.abs(v - target)));
  const d = niceStep(spread / 2 / 0.001) * 0.001; // steps of 0.1, 0.2, 0.25, 0.5 … percentage points
  const digits = d * 100 >= 1 ? 0 : d * 100 >= 0.1 ? 1 : 2;
  const colors = lowerIsBetter ? [...DIVERGING_COLORS].reverse() : DIVERGING_COLORS;
  const edges = [target - d, target, target + d].map((e) => Math.round(e * 1e6) / 1e6);
  return [
    { min: 0, max: edges[0], color: colors[0], label: `< ${pctText(edges[0], digits)}` },
    { min: edges[0], max: edges[1], color: colors[1], label: `${pctText(edges[0], digits)}–${pctText(edges[1], digits)}` },
    { min: edges[1], max: edges[2], color: colors[2], label: `${pctText(edges[1], digits)}–${pctText(edges[2], digits)}` },
    { min: edges[2], color: colors[3], label: `≥ ${pctText(edges[2], digits)}` },
  ];
}

export function classColor(classes: ColorClass[], value: number | null): string {
  if (value === null || Number.isNaN(value)) return NO_DATA_COLOR;
  return (classes.find((c) => (c.min === undefined || value >= c.min) && (c.max === undefined || value < c.max)) ?? classes[classes.length - 1]).color;
}

// --- the option --------------------------------------------------------------------------------------

export interface DistrictMap {
  option: EChartsOption;
  layout: MapLayout;
  placement: DistrictPlacement;
  classes: ColorClass[];
  /** The incidents with where they were placed (null: not on the map). */
  incidents: (MapIncident & { place: ResolvedPlace | null })[];
}

/** A label's own text: the short name, and the figure on a second line (a locator map: the name only). */
const labelLines = (name: string, value: number | null, kind: ValueKind, locator?: boolean) =>
  locator ? [shortDistrictName(name)] : [shortDistrictName(name), value === null ? '无数据' : formatValue(value, kind)];
/** The locator map's tint for the district of the incident. */
const LOCATOR_COLOR = '#fbd5d2';

/**
 * The district map of one figure: the option, plus its layout and placement for the caption and the
 * tests. Rates are coloured around `target` (when absent: no diverging scale, the median is used).
 */
export function districtMap(region: RegionMap, figures: DistrictFigure[], options: DistrictMapOptions): DistrictMap {
  const { kind } = options;
  const placement = placeDistricts(region, figures, kind);
  const values = [...placement.shapes.values(), ...placement.points].map((s) => s.value).filter((v): v is number => v !== null);
  const target = options.target ?? (values.length ? [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] : 0);
  const targetName = options.targetName ?? (options.target === undefined || options.target === null ? '区县中位数' : '目标');
  const classes = kind === 'rate' ? rateClasses(values, target, options.lowerIsBetter) : countClasses(values);
  const legendTitle = kind === 'rate' ? `${options.valueName}（${targetName} ${pctText(target, 1)}）` : `${options.valueName}（${kind === 'count' ? '件' : '小时'}）`;
  const noteLines = placement.notes.length;
  const band = bands(options, noteLines);
  const mapPixels = options.height - band.top - band.legend - band.notes - 8;
  const { bounds: b, box, project, unproject } = projection(region, options.width, band.top, mapPixels);
  const fonts = options.compact ? { name: 11, value: 10 } : { name: NAME_FONT, value: VALUE_FONT };

  // Pins first: labels must stay clear of them.
  const incidents = (options.incidents ?? []).map((incident) => ({ ...incident, place: resolvePlace(region, incident) }));
  const pins = incidents.filter((i) => i.place).map((i) => ({ ...i, pixel: project(i.place!.coord) }));
  const pinBoxes = pins.map((p) => ({ x: p.pixel[0] - 9, y: p.pixel[1] - 26, width: 18, height: 26 }));

  const requests: LabelRequest[] = [];
  const areaOf = new Map<string, number>();
  for (const feature of region.geoJson.features) {
    const name = feature.properties.name;
    const shape = placement.shapes.get(name)!;
    const polygon = polygonsOf(feature)
      .map((p) => p.map((ring) => ring.map((c) => project(c as [number, number]))))
      .sort((x, y) => ringArea(y[0]) - ringArea(x[0]))[0];
    areaOf.set(name, ringArea(polygon[0]));
    requests.push({ name, lines: labelLines(name, shape.value, kind, options.locator), anchor: project(visualCentre(region, name)), within: polygon });
  }
  requests.sort((x, y) => (areaOf.get(x.name) ?? 0) - (areaOf.get(y.name) ?? 0));
  for (const point of placement.points) requests.push({ name: point.name, lines: labelLines(point.name, point.value, kind, options.locator), anchor: project(point.coord) });
  const pinLabels: LabelRequest[] = pins.map((p) => ({ name: p.label, lines: [p.label], anchor: [p.pixel[0], p.pixel[1] - 34] as [number, number] }));
  const area = { left: 2, top: band.top, right: options.width - 2, bottom: box.top + box.height + 4 };
  const labels = placeLabels([...pinLabels, ...requests], area, pinBoxes, fonts);

  const unitText = kind === 'count' ? ' 件' : kind === 'mean' ? ' 小时' : '';
  const featureData = region.geoJson.features.map((feature) => {
    const name = feature.properties.name;
    const shape = placement.shapes.get(name)!;
    const display = formatValue(shape.value, kind);
    return {
      name,
      value: shape.value === null ? -1 : kind === 'rate' ? Math.round(shape.value * 10000) / 10000 : shape.value,
      // The data's own district name, for click-to-filter (a polygon that also holds a merged zone keeps its own name).
      district: shape.sources[0] ?? name,
      selected: name === mapDistrictName(region, options.highlight),
      tooltip: { formatter: `${escapeTooltip(shape.sources.length > 1 ? `${name}（含${shape.sources.slice(1).join('、')}）` : name)}<br/>${escapeTooltip(options.valueName)}：${shape.value === null ? '无数据' : display + unitText}` },
    };
  });
  const moved = (l: LabelBox) => Math.hypot(l.x + l.width / 2 - l.anchor[0], l.y + l.height / 2 - l.anchor[1]) > l.height;
  const labelText = (l: LabelBox) => {
    const request = [...pinLabels, ...requests].find((r) => r.name === l.name)!;
    const pin = pinLabels.includes(request);
    return request.lines.length > 1 ? `{n|${escapeRich(request.lines[0])}}\n{v|${escapeRich(request.lines[1])}}` : `{${pin ? 'p' : 'n'}|${escapeRich(request.lines[0])}}`;
  };
  const pieces = [
    // [min, max): the same intervals as classColor (ECharts' own min/max would be (min, max]).
    { value: -1, color: NO_DATA_COLOR, label: '无数据' },
    ...classes.map((c) => ({ gte: c.min, lt: c.max, color: c.color, label: c.label })),
  ];
  const labelSeriesData = labels.map((l) => ({
    name: pins.some((p) => p.label === l.name) ? l.name : (placement.shapes.get(l.name)?.sources[0] ?? l.name),
    value: unproject([l.x + l.width / 2, l.y + l.height / 2]),
    label: { formatter: labelText(l) },
  }));
  const rich = {
    n: { fontSize: fonts.name, fontWeight: 'bold' as const, color: chartColors.text, lineHeight: fonts.name + 3, align: 'center' as const },
    v: { fontSize: fonts.value, color: chartColors.text, lineHeight: fonts.value + 3, align: 'center' as const },
    p: { fontSize: fonts.value, fontWeight: 'bold' as const, color: PIN_COLOR, lineHeight: fonts.value + 3, align: 'center' as const },
  };
  const option: EChartsOption = {
    ...baseOption(),
    title: titleOption(options.title),
    tooltip: { trigger: 'item', confine: true },
    geo: {
      map: region.mapName,
      roam: false,
      silent: false,
      boundingCoords: [
        [b.minLng, b.maxLat],
        [b.maxLng, b.minLat],
      ],
      left: box.left,
      top: box.top,
      width: box.width,
      height: box.height,
      label: { show: false },
      itemStyle: { areaColor: NO_DATA_COLOR, borderColor: BORDER_COLOR, borderWidth: 1 },
      emphasis: { disabled: true },
      select: { disabled: true },
      // The selected district: a dark outline (on a locator map also a tint).
      regions: featureData.filter((d) => d.selected).map((d) => ({ name: d.name, itemStyle: { borderColor: chartColors.text, borderWidth: 2.5, ...(options.locator ? { areaColor: LOCATOR_COLOR } : {}) } })),
    },
    visualMap: options.locator ? undefined : {
      type: 'piecewise',
      seriesIndex: 0,
      orient: 'horizontal',
      left: 'center',
      top: box.top + box.height + 6 + band.notes + (options.width < NARROW ? 16 : 0),
      itemWidth: 12,
      itemHeight: 10,
      itemGap: 6,
      itemSymbol: 'rect',
      text: [legendTitle, ''],
      showLabel: true,
      textGap: 6,
      textStyle: { color: chartColors.subtext, fontSize: options.compact ? 10 : 11 },
      pieces,
      selectedMode: false,
      ...(options.width < NARROW ? { text: undefined } : {}),
    },
    graphic: [
      ...placement.notes.map((note, i) => ({
        type: 'text' as const,
        left: 8,
        top: box.top + box.height + 4 + i * 16,
        silent: true,
        style: { text: note, fill: chartColors.subtext, fontSize: 11, width: options.width - 16, overflow: 'truncate' as const },
      })),
      // On narrow pictures the legend's title goes on its own line, centred above the classes.
      ...(options.width < NARROW && !options.locator
        ? [{ type: 'text' as const, left: 'center' as const, top: box.top + box.height + band.notes + 6, silent: true, style: { text: legendTitle, fill: chartColors.subtext, fontSize: 11 } }]
        : []),
    ],
    series: [
      {
        type: 'map',
        geoIndex: 0,
        name: options.valueName,
        data: featureData,
      } as never,
      {
        // Point districts (mapped to a coordinate): a circle in the class colour.
        type: 'scatter',
        coordinateSystem: 'geo',
        name: '单列区县',
        symbol: 'circle',
        symbolSize: 12,
        itemStyle: { borderColor: chartColors.text, borderWidth: 1, opacity: 1 },
        data: placement.points.map((p) => ({
          name: p.name,
          value: p.coord,
          itemStyle: { color: classColor(classes, p.value) },
          tooltip: { formatter: `${escapeTooltip(p.name)}<br/>${escapeTooltip(options.valueName)}：${formatValue(p.value, kind)}${unitText}` },
        })),
      },
      {
        // Leader lines from a moved label back to its place.
        type: 'lines',
        coordinateSystem: 'geo',
        silent: true,
        symbol: 'none',
        lineStyle: { color: chartColors.subtext, width: 0.8, opacity: 0.9 },
        data: labels.filter(moved).map((l) => ({ coords: [unproject(l.anchor), unproject(nearestEdge(l))] })),
      },
      {
        type: 'scatter',
        coordinateSystem: 'geo',
        name: '位置',
        symbol: 'pin',
        symbolSize: [18, 26],
        symbolOffset: [0, '-50%'],
        itemStyle: { color: PIN_COLOR, borderColor: '#ffffff', borderWidth: 1, opacity: 1 },
        tooltip: { formatter: '{b}' },
        data: pins.map((p) => ({ name: `${p.label}（${p.place!.where}${p.place!.precision === 'district' ? '，位置精确到区县' : ''}）`, value: p.place!.coord })),
      },
      {
        // The labels, where placeLabels put them: a white halo keeps them legible on any fill.
        type: 'scatter',
        coordinateSystem: 'geo',
        name: '标注',
        symbolSize: 1,
        itemStyle: { color: 'rgba(0,0,0,0)' },
        tooltip: { show: false },
        label: { show: true, position: 'inside', rich, textBorderColor: '#ffffff', textBorderWidth: 3, color: chartColors.text },
        emphasis: { disabled: true },
        data: labelSeriesData,
      },
    ],
  };
  return { option, layout: { project, unproject, box, labels }, placement, classes, incidents };
}

/** The map at `width` pixels, with the height its shape, title, notes and legend need. */
export function districtMapAt(region: RegionMap, figures: DistrictFigure[], options: Omit<DistrictMapOptions, 'height'> & { maxMapHeight?: number }): DistrictMap & { height: number } {
  const noteLines = placeDistricts(region, figures, options.kind).notes.length;
  const height = mapHeight(region, options.width, { title: options.title, noteLines, compact: options.compact, locator: options.locator, maxMapHeight: options.maxMapHeight });
  return { ...districtMap(region, figures, { ...options, height }), height };
}

/** The option only (what the dashboard draws). */
export function districtMapOption(region: RegionMap, figures: DistrictFigure[], options: DistrictMapOptions): EChartsOption {
  return districtMap(region, figures, options).option;
}

/** The point of a label box nearest to its anchor: where its leader line ends. */
function nearestEdge(label: LabelBox): [number, number] {
  return [Math.max(label.x, Math.min(label.anchor[0], label.x + label.width)), Math.max(label.y, Math.min(label.anchor[1], label.y + label.height))];
}

/** Tooltip templates read {…} as placeholders and the browser reads HTML: names stay plain text. */
function escapeTooltip(text: string): string {
  return text.replace(/[{}]/g, ' ').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Rich-text markup uses {, } and |: keep names from breaking it. */
function escapeRich(text: string): string {
  return text.replace(/[{}|]/g, ' ');
}
