import { describe, expect, it } from 'vitest';
import {
  classColor,
  countClasses,
  DIVERGING_COLORS,
  districtMap,
  districtMapAt,
  fitsRegion,
  mapDistrictName,
  mapMismatch,
  NO_DATA_COLOR,
  placeDistricts,
  rateClasses,
  resolvePlace,
  SEQUENTIAL_COLORS,
  shortDistrictName,
  visualCentre,
  type DistrictFigure,
  type LabelBox,
  type RegionMap,
} from '../../reports/charts/map-options.js';
import { loadRegion } from '../../reports/charts/map-region.js';
import { renderSvg } from '../../reports/charts/render.js';

const changji = loadRegion({ region: 'changji', districts: {}, targets: {} }, process.cwd())!;
const COUNTIES = ['昌吉市', '阜康市', '呼图壁县', '玛纳斯县', '吉木萨尔县', '奇台县', '木垒哈萨克自治县'];
/** The demo's shares of a month's ≈ 24,000 tickets, the zone included. */
const MONTH: DistrictFigure[] = [
  { name: '昌吉市', value: 9612 },
  { name: '阜康市', value: 2884 },
  { name: '奇台县', value: 2650 },
  { name: '玛纳斯县', value: 2641 },
  { name: '呼图壁县', value: 2163 },
  { name: '吉木萨尔县', value: 1920 },
  { name: '木垒哈萨克自治县', value: 1198 },
  { name: '昌吉高新区', value: 972 },
];

/** A small seeded generator, so that the "any figures" checks are the same on every run. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

function overlapping(labels: LabelBox[]): string[] {
  const clashes: string[] = [];
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i];
      const b = labels[j];
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) clashes.push(`${a.name} × ${b.name}`);
    }
  return clashes;
}

describe('district names', () => {
  it('shortens autonomous counties the way maps label them, and matches the short names of the data', () => {
    expect(shortDistrictName('木垒哈萨克自治县')).toBe('木垒县');
    expect(shortDistrictName('焉耆回族自治县')).toBe('焉耆县');
    expect(shortDistrictName('巴里坤哈萨克自治县')).toBe('巴里坤县');
    expect(shortDistrictName('双江拉祜族佤族布朗族傣族自治县')).toBe('双江县');
    expect(shortDistrictName('昌吉市')).toBe('昌吉市');
    expect(mapDistrictName(changji, '木垒县')).toBe('木垒哈萨克自治县');
    expect(mapDistrictName(changji, '奇台')).toBe('奇台县');
    expect(mapDistrictName(changji, '昌吉高新区')).toBeNull();
    expect(mapDistrictName(changji, null)).toBeNull();
  });
});

describe('placing the districts of the data', () => {
  it('merges the zone into 昌吉市 for counts, with a note, and loses no ticket', () => {
    const placement = placeDistricts(changji, MONTH, 'count');
    expect(placement.shapes.get('昌吉市')).toEqual({ value: 9612 + 972, sources: ['昌吉市', '昌吉高新区'] });
    expect(placement.notes).toEqual(['昌吉市含昌吉高新区 972 件']);
    const onMap = [...placement.shapes.values()].reduce((s, x) => s + (x.value ?? 0), 0);
    expect(onMap).toBe(MONTH.reduce((s, f) => s + (f.value ?? 0), 0));
  });

  it('never adds a rate: the parent keeps its own, the note gives the zone’s', () => {
    const placement = placeDistricts(changji, [{ name: '昌吉市', value: 0.95 }, { name: '昌吉高新区', value: 0.99 }], 'rate');
    expect(placement.shapes.get('昌吉市')!.value).toBe(0.95);
    expect(placement.notes).toEqual(['昌吉高新区并入昌吉市范围，地图未单列（昌吉高新区：99.00%）']);
  });

  it('names a district the map does not know instead of dropping it; a point mapping draws it as a point', () => {
    const figures = [...MONTH, { name: '准东开发区', value: 57 }, { name: '未知区县', value: 3 }];
    const placement = placeDistricts(changji, figures, 'count');
    expect(placement.offMap).toEqual([{ name: '准东开发区', value: 57 }, { name: '未知区县', value: 3 }]);
    expect(placement.notes.at(-1)).toBe('地图上没有：准东开发区 57 件、未知区县 3 件');
    const mapped = placeDistricts({ ...changji, districts: { ...changji.districts, 准东开发区: { point: [89.6, 44.9] } } }, figures, 'count');
    expect(mapped.points).toEqual([{ name: '准东开发区', value: 57, coord: [89.6, 44.9] }]);
    expect(mapped.offMap.map((f) => f.name)).toEqual(['未知区县']);
    // …and the point is drawn, labelled, in its class colour.
    const map = districtMapAt({ ...changji, districts: { ...changji.districts, 准东开发区: { point: [89.6, 44.9] } } }, figures, { kind: 'count', valueName: '受理量', width: 680 });
    const points = (map.option.series as { name?: string; data: { name: string }[] }[]).find((s) => s.name === '单列区县')!;
    expect(points.data.map((d) => d.name)).toEqual(['准东开发区']);
    expect(map.layout.labels.map((l) => l.name)).toContain('准东开发区');
  });
});

describe('whether the map is the data\'s', () => {
  it('is, when at least one district of the data lands on it; an export of another city is not', () => {
    expect(mapMismatch(changji, ['BROOKLYN', 'QUEENS', 'MANHATTAN', 'BRONX', '未知区县'])).toBe(`本数据的区县（BROOKLYN、QUEENS、MANHATTAN 等）不在${changji.title}地图上`);
    expect(fitsRegion(changji, ['BROOKLYN', '未知区县'])).toBe(false);
    expect(fitsRegion(changji, ['木垒县', 'BROOKLYN'])).toBe(true);
    expect(fitsRegion({ ...changji, districts: { 准东开发区: { point: [89.6, 44.9] } } }, ['准东开发区'])).toBe(true);
    expect(fitsRegion({ ...changji, districts: { 昌吉高新区: { mergeInto: '昌吉市' } } }, ['昌吉高新区'])).toBe(true);
    // tickets without any district (a message-board export): no map of 无数据 either
    expect(mapMismatch(changji, ['未知区县'])).toBe('本数据的工单没有所属区县');
    // no district at all (an empty month): the map as it is
    expect(fitsRegion(changji, [])).toBe(true);
  });
});

describe('colour scales', () => {
  it('volumes: sequential blues, darker for more, with round limits; no data is grey', () => {
    const classes = countClasses(MONTH.map((f) => f.value!));
    expect(classes.length).toBeGreaterThanOrEqual(3);
    expect(classes.map((c) => c.color)).toEqual(SEQUENTIAL_COLORS.slice(SEQUENTIAL_COLORS.length - classes.length));
    for (const c of classes.slice(1)) expect(String(c.min)).toMatch(/^\d{1,2}0*$/);
    const shades = MONTH.map((f) => SEQUENTIAL_COLORS.indexOf(classColor(classes, f.value)));
    // More tickets never get a lighter blue.
    for (let i = 1; i < MONTH.length; i++) expect(shades[i]).toBeLessThanOrEqual(shades[i - 1]);
    expect(classColor(classes, null)).toBe(NO_DATA_COLOR);
    // Close figures still get told apart.
    expect(new Set([99, 106, 106, 107, 114, 115, 143].map((v) => classColor(countClasses([99, 106, 106, 107, 114, 115, 143]), v))).size).toBeGreaterThanOrEqual(3);
  });

  it('rates: red below the target, blue above, in round steps around it; reversed when a rise is bad news', () => {
    const classes = rateClasses([0.952, 0.961, 0.968, 0.975, 0.982, 0.99], 0.97);
    expect(classes.map((c) => c.label)).toEqual(['< 96%', '96%–97%', '97%–98%', '≥ 98%']);
    expect(rateClasses([0.991, 0.993, 0.994], 0.99).map((c) => c.label)).toEqual(['< 98.8%', '98.8%–99.0%', '99.0%–99.2%', '≥ 99.2%']);
    expect(classColor(classes, 0.952)).toBe(DIVERGING_COLORS[0]);
    expect(classColor(classes, 0.969999)).toBe(DIVERGING_COLORS[1]);
    expect(classColor(classes, 0.97)).toBe(DIVERGING_COLORS[2]);
    expect(classColor(classes, 0.99)).toBe(DIVERGING_COLORS[3]);
    const repeat = rateClasses([0.02, 0.05, 0.08], 0.05, true);
    expect(classColor(repeat, 0.08)).toBe(DIVERGING_COLORS[0]);
    expect(classColor(repeat, 0.02)).toBe(DIVERGING_COLORS[3]);
  });

  it('the legend names the figure with its unit, or the target a rate is coloured around', () => {
    const counts = districtMapAt(changji, MONTH, { kind: 'count', valueName: '受理量', width: 680 });
    expect(JSON.stringify(counts.option.visualMap)).toContain('受理量（件）');
    const rates = districtMapAt(changji, MONTH.map((f, i) => ({ name: f.name, value: 0.95 + i / 200 })), { kind: 'rate', valueName: '满意率', width: 680, target: 0.97 });
    expect(JSON.stringify(rates.option.visualMap)).toContain('满意率（目标 97.0%）');
    const median = districtMapAt(changji, MONTH.map((f, i) => ({ name: f.name, value: 0.95 + i / 200 })), { kind: 'rate', valueName: '办结率', width: 680 });
    expect(JSON.stringify(median.option.visualMap)).toContain('办结率（区县中位数');
  });
});

describe('labels', () => {
  for (const width of [680, 400, 320]) {
    it(`at ${width} px every county is labelled, inside the picture, and no two labels overlap (the month’s figures and 200 random ones)`, () => {
      const random = seeded(width);
      const cases: DistrictFigure[][] = [MONTH, ...Array.from({ length: 200 }, () => COUNTIES.map((name) => ({ name, value: Math.round(random() * (random() < 0.5 ? 1000 : 100000)) })))];
      for (const figures of cases) {
        const map = districtMapAt(changji, figures, { kind: 'count', valueName: '受理量', width });
        const { labels } = map.layout;
        expect(labels.map((l) => l.name).sort()).toEqual([...COUNTIES].sort());
        expect(overlapping(labels)).toEqual([]);
        for (const l of labels) {
          expect(l.x).toBeGreaterThanOrEqual(0);
          expect(l.x + l.width).toBeLessThanOrEqual(width);
          expect(l.y + l.height).toBeLessThanOrEqual(map.height);
        }
      }
    });
  }

  it('labels stay clear of incident pins, which sit inside their district', () => {
    const incidents = COUNTIES.map((district) => ({ label: '停水', district }));
    for (const width of [680, 400]) {
      const map = districtMapAt(changji, MONTH, { kind: 'count', valueName: '受理量', width, incidents });
      expect(map.incidents.every((i) => i.place?.precision === 'district')).toBe(true);
      expect(overlapping(map.layout.labels)).toEqual([]);
      for (const pin of map.incidents) {
        const [x, y] = map.layout.project(pin.place!.coord);
        const body = { x: x - 9, y: y - 26, width: 18, height: 26 };
        for (const label of map.layout.labels) expect(overlapping([{ ...label }, { ...body, name: 'pin', anchor: [x, y] }]), `${label.name} at ${width}`).toEqual([]);
      }
    }
  });

  it('the SVG (what the reports print) carries every short name, the figures and the legend', () => {
    const map = districtMapAt(changji, MONTH, { kind: 'count', valueName: '受理量', width: 680 });
    const svg = renderSvg(map.option, { width: 680, height: map.height });
    for (const name of COUNTIES.map(shortDistrictName)) expect(svg).toContain(`>${name}<`);
    expect(svg).toContain('>10,584<'); // 昌吉市 with the zone
    expect(svg).toContain('受理量（件）');
    expect(svg).toContain('昌吉市含昌吉高新区 972 件');
    // One filled path per county, in its class colour.
    for (const colour of new Set(map.classes.map((c) => c.color).filter((c) => MONTH.some((f) => classColor(map.classes, f.value) === c)))) {
      expect(svg.toLowerCase(), colour).toContain(`fill="${colour}"`);
    }
  });
});

describe('where an incident is', () => {
  const withPlaces: RegionMap = {
    ...changji,
    places: [
      { name: '幸福小区', district: '昌吉市', coord: [87.31, 44.02] },
      { name: '宁边路街道', district: '昌吉市', township: '宁边路街道', coord: [87.3, 44.0] },
      { name: '幸福小区', district: '阜康市', coord: [87.98, 44.16] },
    ],
  };

  it('a known compound in the address, else the township’s centre, else the district’s visual centre (inside it)', () => {
    expect(resolvePlace(withPlaces, { district: '昌吉市', township: '宁边路街道', address: '昌吉市宁边路幸福小区 3 号楼' })).toEqual({ coord: [87.31, 44.02], precision: 'place', where: '幸福小区 · 昌吉市' });
    expect(resolvePlace(withPlaces, { district: '阜康市', address: '阜康市幸福小区' })!.coord).toEqual([87.98, 44.16]);
    expect(resolvePlace(withPlaces, { district: '昌吉市', township: '宁边路街道', address: '无名路' })).toEqual({ coord: [87.3, 44.0], precision: 'township', where: '宁边路街道 · 昌吉市' });
    const centre = resolvePlace(withPlaces, { district: '奇台县' })!;
    expect(centre.precision).toBe('district');
    expect(centre.coord).toEqual(visualCentre(changji, '奇台县'));
    // The zone resolves to its parent's centre; a district not on the map to nothing.
    expect(resolvePlace(withPlaces, { district: '昌吉高新区' })!.coord).toEqual(visualCentre(changji, '昌吉市'));
    expect(resolvePlace(withPlaces, { district: '准东开发区' })).toBeNull();
  });

  it('every visual centre lies inside its own county and no other', () => {
    const inside = ([x, y]: number[], ring: number[][]) => {
      let hit = false;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        if (ring[i][1] > y !== ring[j][1] > y && x < ((ring[j][0] - ring[i][0]) * (y - ring[i][1])) / (ring[j][1] - ring[i][1]) + ring[i][0]) hit = !hit;
      }
      return hit;
    };
    const rings = (name: string) => {
      const geometry = changji.geoJson.features.find((f) => f.properties.name === name)!.geometry;
      return geometry.type === 'Polygon' ? [geometry.coordinates[0]] : geometry.coordinates.map((p) => p[0]);
    };
    for (const name of COUNTIES) {
      const centre = visualCentre(changji, name);
      for (const other of COUNTIES) expect(rings(other).some((ring) => inside(centre, ring)), `${name} centre in ${other}`).toBe(other === name);
    }
  });

  it('a locator map tints the incident’s county and pins it, without a legend', () => {
    const map = districtMap(changji, [], { kind: 'count', valueName: '受理量', width: 480, height: 320, locator: true, compact: true, highlight: '阜康市', incidents: [{ label: '停水', district: '阜康市' }] });
    expect(map.option.visualMap).toBeUndefined();
    const svg = renderSvg(map.option, { width: 480, height: 320 });
    expect(svg).toContain('#fbd5d2');
    expect(svg).toContain('>停水<');
    expect(svg).toContain('>阜康市<');
  });
});
