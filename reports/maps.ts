import type { Config } from '../pipelines/config.js';
import { districtMapAt, mapMismatch, resolvePlace, type DistrictFigure, type MapIncident, type RegionMap } from './charts/map-options.js';
import { mapPayload } from './charts/map-region.js';
import { isUnknownPlace } from '../pipelines/kpi/catalogue.js';
import { rankedBarOption } from './charts/dashboard-options.js';
import { CHART_WIDTH, PHONE_CHART_WIDTH, type Block } from './document.js';
import { countText } from './format.js';

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

/** A district's figure in a report: its name, tickets and share of all. */
export interface DistrictShare {
  name: string;
  received: number;
  share: number | null;
}

/**
 * The picture of a report's district figures: the map when the deployment has boundaries and the
 * data's districts are on them (mapMismatch), else the ranked bars of the first `barLimit` — with a
 * note saying why there is no map, when there could have been one. `incidents` pins places on the map.
 */
export function districtPicture(
  map: { region: RegionMap | null; error: string | null },
  districts: DistrictShare[],
  options: { mapTitle: string; barTitle: string; barLimit?: number; incidents?: (region: RegionMap) => MapIncident[] },
): Block[] {
  const mismatch = map.region ? mapMismatch(map.region, districts.map((d) => d.name)) : null;
  if (map.region && !mismatch) {
    return districtMapBlocks(map.region, districts.map((d) => ({ name: d.name, value: d.received })), {
      title: options.mapTitle,
      valueName: '受理量',
      incidents: options.incidents?.(map.region),
    });
  }
  const bars = districts.slice(0, options.barLimit ?? districts.length);
  const error = mismatch ? `${mismatch}，以条形图显示` : map.error;
  return [
    {
      kind: 'chart',
      title: options.barTitle,
      option: rankedBarOption(bars.map((d) => ({ name: d.name, value: d.received, share: d.share })), { kind: 'count', valueName: '受理量' }),
      width: CHART_WIDTH,
      height: Math.max(120, bars.length * 28 + 24),
    },
    ...(error ? [{ kind: 'note' as const, text: `区县地图未能绘制：${error}` }] : []),
  ];
}

/** The one district of a report's tickets as a sentence: where they come from, or that none was recorded. */
export function oneDistrictText(subject: string, district: DistrictShare): string {
  return isUnknownPlace(district.name) ? `${subject}均未记录所属区县。` : `${subject}均来自${district.name}（${countText(district.received)} 件）。`;
}

/** Incidents worth a pin: those that resolve to a known place or township (a district is already its colour). */
export function pinnedIncidents(region: RegionMap, incidents: MapIncident[]): MapIncident[] {
  return incidents.filter((incident) => {
    const place = resolvePlace(region, incident);
    return place !== null && place.precision !== 'district';
  });
}
