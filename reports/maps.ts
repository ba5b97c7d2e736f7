import type { Config } from '../pipelines/config.js';
import { districtMapAt, mapMismatch, resolvePlace, type DistrictFigure, type MapIncident, type RegionMap } from './charts/map-options.js';
import { mapPayload } from './charts/map-region.js';
import { CHART_WIDTH, PHONE_CHART_WIDTH, type Block } from './document.js';

/**
 * The district map as report blocks (月报 区域分布, the 专报's places): the map drawn at the print
 * width and again at phone width (its labels are laid out for each), the notes on merged and
 * unmapped districts, and where the boundaries come from. Null when the configuration has no region
 * (the report keeps its ranked bars); a broken boundary file gives the bars and a note saying why,
 * so that the monthly job still delivers.
 */

export type MapConfig = Partial<Pick<Config, 'map' | 'root'>>;

/** The configured region for a report, or why there is none. */
export function reportRegion(config: MapConfig): { region: RegionMap | null; error: string | null } {
  if (!config.map) return { region: null, error: null };
  const { region, error } = mapPayload(config.map, config.root ?? process.cwd());
  return { region, error };
}

export function districtMapBlocks(
  region: RegionMap,
  figures: DistrictFigure[],
  options: { title: string; valueName: string; incidents?: MapIncident[] },
): Block[] {
  const common = { kind: 'count' as const, valueName: options.valueName, incidents: options.incidents };
  const wide = districtMapAt(region, figures, { ...common, width: CHART_WIDTH });
  const narrow = districtMapAt(region, figures, { ...common, width: PHONE_CHART_WIDTH });
  const notes = [...wide.placement.notes];
  const placed = wide.incidents.filter((i) => i.place);
  if (placed.length) notes.push(`红色标记：${placed.map((i) => `${i.label}（${i.place!.where}）`).join('、')}`);
  return [
    { kind: 'chart', title: options.title, option: wide.option, width: CHART_WIDTH, height: wide.height, narrow: { option: narrow.option, height: narrow.height } },
    { kind: 'note', text: `${notes.length ? `注：${notes.join('；')}。` : ''}${region.attribution}。` },
  ];
}

/**
 * The map for a report's district figures: none, with the reason as its error, when not one of the
 * districts is on it (fitsRegion) — the report then shows its bars, as without boundaries.
 */
export function regionForDistricts(map: { region: RegionMap | null; error: string | null }, names: readonly string[]): { region: RegionMap | null; error: string | null } {
  const mismatch = map.region ? mapMismatch(map.region, names) : null;
  return mismatch ? { region: null, error: `${mismatch}，以条形图显示` } : map;
}

/** Incidents worth a pin: those that resolve to a known place or township (a district is already its colour). */
export function pinnedIncidents(region: RegionMap, incidents: MapIncident[]): MapIncident[] {
  return incidents.filter((incident) => {
    const place = resolvePlace(region, incident);
    return place !== null && place.precision !== 'district';
  });
}
