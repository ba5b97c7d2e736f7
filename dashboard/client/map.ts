/**
 * The district map in the browser: the region comes from GET /api/map once per page load and is
 * registered with the page's ECharts; the option is built by reports/charts/map-options.ts — the
 * same builder as the reports' SVG and the e-mails' PNG — for the box's width, so the labels are
 * laid out for exactly what is on the screen.
 */
import { districtMapAt, type DistrictFigure, type DistrictMapOptions, type RegionMap } from '../../reports/charts/map-options.js';
import { getJson } from './api.js';
import { chartBox } from './dom.js';

declare const echarts: typeof import('echarts');

export interface MapPayload {
  region: RegionMap | null;
  targets: Record<string, number>;
  /** Why a configured region could not be read (the pages then show their bars only). */
  error: string | null;
}

let payload: Promise<MapPayload> | null = null;

export function loadMap(): Promise<MapPayload> {
  payload ??= getJson<MapPayload>('/api/map').then((p) => {
    if (p.region) echarts.registerMap(p.region.mapName, p.region.geoJson as never);
    return p;
  });
  payload.catch(() => (payload = null));
  return payload;
}

/** The figures' map in a box as wide as its panel; a click on a district (or its label) names it. */
export function districtMapBox(region: RegionMap, figures: DistrictFigure[], options: Omit<DistrictMapOptions, 'width' | 'height'>, onDistrict?: (name: string) => void): HTMLDivElement {
  return chartBox(
    (width) => {
      // On a wide screen the map stays at a height that leaves room for the bars and tables below.
      const map = districtMapAt(region, figures, { ...options, width: Math.max(280, width), maxMapHeight: 460 });
      return { option: map.option, height: map.height };
    },
    'chart map',
    onDistrict
      ? (params) => {
          const data = params.data as { district?: string } | undefined;
          const name = data?.district ?? (params.seriesName === '标注' || params.componentSubType === 'map' ? params.name : undefined);
          if (typeof name === 'string' && figures.some((f) => f.name === name)) onDistrict(name);
        }
      : undefined,
  );
}
