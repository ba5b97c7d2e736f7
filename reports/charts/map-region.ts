import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DistrictMapping, MapPlace, RegionGeoJson, RegionMap } from './map-options.js';

/**
 * The region the maps draw (config `map`): its district boundaries (GeoJSON), the mapping of
 * districts the boundaries do not have, and known places for incident pins — read and checked once
 * per file version. A bad file is a `RegionError` that says
 * which file and what is wrong; `map.region: false` means no map at all (the pages and reports show
 * their ranked bars only).
 */

export interface MapSettings {
  /** 'changji' (the built-in 昌吉回族自治州 boundaries), a GeoJSON path, or false for no map. */
  region: string | false;
  /** Districts of the data that the boundaries do not have, on top of the file's own mapping. */
  districts: Record<string, DistrictMapping>;
  /** A CSV (名称,区县,乡镇街道,经度,纬度) or GeoJSON of points: compounds and township centres. */
  places?: string;
  /** Targets the rate maps diverge around, as fractions (satisfaction_rate: 0.97). */
  targets: Record<string, number>;
}

export class RegionError extends Error {}

const BUILT_IN: Record<string, string> = {
  changji: join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets', 'regions', 'changji.geojson'),
};

/** The boundary file a setting names (built-in names first, then a path relative to `root`). */
export function regionFile(region: string, root: string): string {
  return BUILT_IN[region] ?? (isAbsolute(region) ? region : resolve(root, region));
}

const cache = new Map<string, { stamp: string; region: RegionMap }>();

/**
 * The boundaries loaded in this process by map name. render.ts registers them with the server's
 * ECharts when an option draws one — so that loading a region (e.g. at the dashboard's start) does
 * not load ECharts.
 */
export const loadedGeoJson = new Map<string, RegionGeoJson>();

/** The configured region, or null when the configuration has none (`map.region: false`). */
export function loadRegion(settings: MapSettings, root: string): RegionMap | null {
  if (settings.region === false) return null;
  const file = regionFile(settings.region, root);
  if (!existsSync(file)) throw new RegionError(`地图边界文件不存在 / map.region file not found: ${file}`);
  const placesFile = settings.places ? (isAbsolute(settings.places) ? settings.places : resolve(root, settings.places)) : null;
  if (placesFile && !existsSync(placesFile)) throw new RegionError(`地点文件不存在 / map.places file not found: ${placesFile}`);
  const stamp = [file, statSync(file).mtimeMs, placesFile, placesFile ? statSync(placesFile).mtimeMs : '', JSON.stringify(settings.districts)].join('|');
  const key = `${file}|${placesFile}`;
  const hit = cache.get(key);
  if (hit?.stamp === stamp) return hit.region;
  const region = readRegion(file, settings.districts, placesFile);
  loadedGeoJson.set(region.mapName, region.geoJson);
  cache.set(key, { stamp, region });
  return region;
}

function readRegion(file: string, configured: Record<string, DistrictMapping>, placesFile: string | null): RegionMap {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RegionError(`地图边界文件 ${file} 不是合法的 JSON / not JSON: ${(error as Error).message}`);
  }
  const collection = json as RegionGeoJson & { hotline?: { title?: string; source?: string; licence?: string; districts?: Record<string, DistrictMapping> } };
  if (collection?.type !== 'FeatureCollection' || !Array.isArray(collection.features) || collection.features.length === 0) {
    throw new RegionError(`地图边界文件 ${file} 应为含区县多边形的 GeoJSON FeatureCollection / expected a FeatureCollection of district polygons`);
  }
  const names = new Set<string>();
  collection.features.forEach((feature, i) => {
    const where = `地图边界文件 ${file} 第 ${i + 1} 个要素 / feature ${i + 1}`;
    const name = feature?.properties?.name;
    if (typeof name !== 'string' || !name.trim()) throw new RegionError(`${where}：缺少 properties.name（区县名称）/ no name`);
    if (names.has(name)) throw new RegionError(`${where}：区县名称“${name}”重复 / duplicate name`);
    names.add(name);
    const geometry = feature.geometry;
    const type = (geometry as { type?: unknown } | undefined)?.type;
    if (type !== 'Polygon' && type !== 'MultiPolygon') throw new RegionError(`${where}（${name}）：几何类型应为 Polygon 或 MultiPolygon，实为 ${String(type)} / polygons only`);
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    for (const ring of polygons.flat()) {
      if (!Array.isArray(ring) || ring.length < 4) throw new RegionError(`${where}（${name}）：多边形的环至少需要 4 个点 / a ring needs 4 points`);
      for (const point of ring) {
        const [lng, lat] = point ?? [];
        if (!(Math.abs(lng) <= 180 && Math.abs(lat) <= 90)) throw new RegionError(`${where}（${name}）：坐标 ${JSON.stringify(point)} 不是经纬度 / not [longitude, latitude]`);
      }
    }
  });
  const districts = { ...(collection.hotline?.districts ?? {}), ...configured };
  for (const [child, mapping] of Object.entries(districts)) {
    if ('mergeInto' in mapping && !names.has(mapping.mergeInto)) {
      throw new RegionError(`map.districts.${child}.mergeInto：地图中没有“${mapping.mergeInto}”（有：${[...names].join('、')}）/ not a district of ${file}`);
    }
  }
  const title = collection.hotline?.title ?? file.split(/[\\/]/).at(-1)!.replace(/\.(geo)?json$/i, '');
  const geoJson: RegionGeoJson = { type: 'FeatureCollection', features: collection.features };
  return {
    mapName: `hotline:${title}`,
    title,
    geoJson,
    districts,
    places: placesFile ? readPlaces(placesFile) : [],
    attribution: collection.hotline?.source ? `边界：${collection.hotline.source}${collection.hotline.licence ? `（${collection.hotline.licence}）` : ''}` : `边界：${file.split(/[\\/]/).at(-1)}`,
  };
}

const PLACE_HEADERS: Record<string, keyof MapPlace | 'lng' | 'lat'> = {
  名称: 'name', name: 'name', 地点: 'name',
  区县: 'district', district: 'district',
  乡镇街道: 'township', township: 'township',
  经度: 'lng', lng: 'lng', lon: 'lng', longitude: 'lng',
  纬度: 'lat', lat: 'lat', latitude: 'lat',
};

/** Known places: a CSV with a header row (名称,区县,乡镇街道,经度,纬度), or GeoJSON points. */
export function readPlaces(file: string): MapPlace[] {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  if (text.trimStart().startsWith('{')) {
    const json = JSON.parse(text) as { features?: { properties?: Record<string, unknown>; geometry?: { type?: string; coordinates?: number[] } }[] };
    return (json.features ?? []).map((feature, i) => {
      const where = `地点文件 ${file} 第 ${i + 1} 个要素 / feature ${i + 1}`;
      const name = feature.properties?.name;
      if (typeof name !== 'string' || !name) throw new RegionError(`${where}：缺少 properties.name / no name`);
      if (feature.geometry?.type !== 'Point') throw new RegionError(`${where}（${name}）：应为 Point / points only`);
      return place(where, name, feature.properties?.district, feature.properties?.township, feature.geometry.coordinates?.[0], feature.geometry.coordinates?.[1]);
    });
  }
  const lines = text.split(/\r?\n/).filter((line) => line.trim());
  const header = (lines[0] ?? '').split(',').map((h) => PLACE_HEADERS[h.trim().toLowerCase()] ?? PLACE_HEADERS[h.trim()]);
  for (const needed of ['name', 'lng', 'lat'] as const) {
    if (!header.includes(needed)) throw new RegionError(`地点文件 ${file}：表头缺少 ${needed === 'name' ? '名称' : needed === 'lng' ? '经度' : '纬度'} 列 / header needs 名称,经度,纬度`);
  }
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    const get = (key: string) => cells[header.indexOf(key as never)] || undefined;
    return place(`地点文件 ${file} 第 ${i + 2} 行 / line ${i + 2}`, get('name') ?? '', get('district'), get('township'), Number(get('lng')), Number(get('lat')));
  });
}

function place(where: string, name: string, district: unknown, township: unknown, lng: unknown, lat: unknown): MapPlace {
  if (!name) throw new RegionError(`${where}：名称为空 / empty name`);
  if (typeof lng !== 'number' || typeof lat !== 'number' || !(Math.abs(lng) <= 180 && Math.abs(lat) <= 90)) {
    throw new RegionError(`${where}（${name}）：经纬度无效 / bad longitude or latitude`);
  }
  return {
    name,
    ...(typeof district === 'string' && district ? { district } : {}),
    ...(typeof township === 'string' && township ? { township } : {}),
    coord: [lng, lat],
  };
}

/** What the dashboard's pages need to draw maps (GET /api/map): the region, or why there is none. */
export function mapPayload(settings: MapSettings, root: string): { region: RegionMap | null; targets: Record<string, number>; error: string | null } {
  try {
    return { region: loadRegion(settings, root), targets: settings.targets, error: null };
  } catch (error) {
    if (!(error instanceof RegionError)) throw error;
    // The pages still show their ranked bars; the message tells the administrator what to fix.
    return { region: null, targets: settings.targets, error: error.message };
  }
}
