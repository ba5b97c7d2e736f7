import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import chineseDays from 'chinese-days';
import { CATEGORIES, CHANNELS, COMPOUND_NAMES, DISTRICTS, GIVEN, HOURS, STREETS, SURNAMES, WEEKDAY, type Season, type Subcategory } from './changji.js';

/**
 * Realistic, deterministic demo exports for the Changji hotline: what its platform would export
 * every night. Tickets as GBK CSV per year (the last month as XLSX with synonym headers), calls as
 * CSV per year, and the unit directory. They are loaded through the normal ingest path.
 */

export interface DemoOptions {
  outDir: string;
  seed: number;
  /** Last day of history (YYYY-MM-DD, inclusive), normally yesterday. */
  endDate: string;
  years: number;
  /** Mean tickets a day over the last year. */
  ticketsPerDay?: number;
  onProgress?: (message: string) => void;
}

export interface DemoIncident {
  kind: string;
  district: string;
  township: string;
  address: string;
  category_l1: string;
  category_l2: string;
  start: string;
  hours: number;
  tickets: number;
}

export interface DemoResult {
  files: string[];
  tickets: number;
  calls: number;
  units: number;
  incidents: DemoIncident[];
}

const { getDayDetail, isWorkday, getLunarDate } = chineseDays as unknown as {
  getDayDetail(d: string): { work: boolean; name: string };
  isWorkday(d: string): boolean;
  getLunarDate(d: string): { lunarMon: number; lunarDay: number; isLeap: boolean };
};

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(list: readonly T[]) => list[Math.floor(next() * list.length)],
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    exp: (mean: number) => -Math.log(1 - next()) * mean,
    weighted: <T>(items: readonly [T, number][]) => {
      let r = next() * items.reduce((s, [, w]) => s + w, 0);
      for (const [item, w] of items) if ((r -= w) <= 0) return item;
      return items[items.length - 1][0];
    },
  };
}

const DAY_MS = 86_400_000;
const toDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
/** Wall-clock (Beijing) milliseconds → 'YYYY-MM-DD HH:mm:ss'. */
const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const dayOfYear = (ms: number) => Math.floor((ms - Date.UTC(new Date(ms).getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
const bell = (x: number, centre: number, width: number) => Math.exp(-(((x - centre) / width) ** 2));

/** The first day of the lunar year, per Gregorian year, from the official calendar. */
function springFestivals(fromYear: number, toYear: number): number[] {
  const days: number[] = [];
  for (let year = fromYear; year <= toYear; year++) {
    for (let ms = Date.UTC(year, 0, 15); ms <= Date.UTC(year, 1, 25); ms += DAY_MS) {
      const lunar = getLunarDate(toDay(ms));
      if (lunar.lunarMon === 1 && lunar.lunarDay === 1 && !lunar.isLeap) {
        days.push(ms);
        break;
      }
    }
  }
  return days;
}

function seasonFactor(season: Season, ms: number, festivals: number[]): number {
  const doy = dayOfYear(ms);
  switch (season) {
    case 'flat':
      return 1;
    case 'summer-noise':
      return 0.55 + 2.6 * bell(doy, 198, 30);
    case 'heating': {
      // Heating runs from mid-October to early April in Xinjiang; complaints peak at the start and in the coldest weeks.
      const inSeason = doy >= 288 || doy <= 100;
      if (!inSeason) return 0.06;
      const fromStart = doy >= 288 ? doy - 288 : doy + 365 - 288;
      return 1.2 + 2.2 * bell(fromStart, 8, 10) + 1.6 * bell(fromStart, 85, 30);
    }
    case 'cotton-harvest':
      return 0.5 + 3.4 * bell(doy, 287, 13);
    case 'pre-spring-festival': {
      const next = festivals.find((f) => f >= ms - 7 * DAY_MS);
      if (next === undefined) return 1;
      const before = (next - ms) / DAY_MS;
      if (before < 0) return 0.35; // the holiday week itself
      if (before <= 45) return 1 + 3.2 * (1 - before / 45);
      return 0.85;
    }
    case 'summer':
      return 0.8 + 0.6 * bell(doy, 200, 45);
    case 'winter':
      return 0.8 + 0.5 * (Math.cos((2 * Math.PI * (doy - 15)) / 365) + 1) / 2;
    case 'school-start':
      return 0.8 + 1.6 * bell(doy, 243, 10) + 0.7 * bell(doy, 60, 8);
    case 'spring':
      return 0.8 + 0.6 * bell(doy, 110, 30);
  }
}

interface Unit {
  name: string;
  kind: string;
  district: string;
  /** > 1: slower than usual. */
  slowness: number;
  returnRate: number;
  dissatisfaction: number;
}

const TICKET_HEADERS = ['工单编号', '受理时间', '来源渠道', '诉求类型', '一级分类', '二级分类', '三级分类', '诉求内容', '诉求地址', '所属区县', '乡镇街道', '诉求人', '联系电话', '办理方式', '承办单位', '协办单位', '派单时间', '签收时间', '办理时限', '办结时间', '工单状态', '退单次数', '是否涉企', '是否紧急', '回访时间', '回访结果', '是否解决'];
/** The monthly XLSX uses the platform's other header spellings, as a second export template would. */
const XLSX_HEADERS = ['工单号', '来电时间', '渠道', '诉求性质', '诉求分类', '诉求描述', '事发地址', '区县', '街道', '来电人', '来电号码', '办理方式', '主办单位', '协办单位', '转办时间', '签收时间', '截止时间', '结案时间', '工单状态', '退单次数', '是否涉企', '是否紧急', '回访时间', '满意度', '解决情况'];
const CALL_HEADERS = ['呼叫编号', '来电时间', '呼入队列', '是否自助服务', '应答时间', '挂机时间', '话务员工号', '关联工单'];

function csvLine(values: (string | number | null)[]): string {
  return values
    .map((v) => {
      const text = v === null ? '' : String(v);
      return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    })
    .join(',');
}

function buildUnits(random: ReturnType<typeof prng>): { units: Unit[]; byDepartment: Map<string, Unit[]>; communities: Map<string, Unit[]> } {
  const units: Unit[] = [];
  const quality = (): Pick<Unit, 'slowness' | 'returnRate' | 'dissatisfaction'> => {
    const r = random.next();
    return {
      slowness: r < 0.06 ? 3 + random.next() * 2 : 0.6 + random.next() * 0.8,
      returnRate: r > 0.94 ? 0.2 + random.next() * 0.15 : 0.01 + random.next() * 0.03,
      dissatisfaction: random.next() < 0.05 ? 0.08 + random.next() * 0.06 : 0.005 + random.next() * 0.015,
    };
  };
  const departments = [...new Set(CATEGORIES.flatMap((c) => c.subs.map((s) => s.unit)))];
  const byDepartment = new Map<string, Unit[]>();
  const companies = new Set(['供热公司', '供水公司']);
  for (const department of departments) {
    const list: Unit[] = [];
    if (companies.has(department)) {
      for (const district of DISTRICTS) list.push({ name: `${district.name}${department}`, kind: '企业', district: district.name, ...quality() });
    } else {
      list.push({ name: `昌吉州${department}`, kind: '州直部门', district: '昌吉州', ...quality() });
      for (const district of DISTRICTS) list.push({ name: `${district.name}${department}`, kind: '县市部门', district: district.name, ...quality() });
    }
    byDepartment.set(department, list);
    units.push(...list);
  }
  const communities = new Map<string, Unit[]>();
  for (const district of DISTRICTS) {
    for (const township of district.townships) {
      const office: Unit = { name: `${district.name}${township}`, kind: '乡镇街道', district: district.name, ...quality() };
      units.push(office);
      const list = [office];
      for (let i = 1; i <= 10; i++) {
        const community: Unit = { name: `${district.name}${township}第${i}社区居委会`, kind: '乡镇街道', district: district.name, ...quality() };
        list.push(community);
        units.push(community);
      }
      communities.set(`${district.name}|${township}`, list);
    }
  }
  for (const name of ['昌吉州电力公司', '昌吉州燃气公司', '中国电信昌吉分公司', '中国移动昌吉分公司']) units.push({ name, kind: '企业', district: '昌吉州', ...quality() });
  return { units, byDepartment, communities };
}

interface TicketDraft {
  ms: number;
  sub: Subcategory;
  l1: string;
  district: string;
  township: string;
  place: string;
  forced?: { handling: '转办'; appeal: string; channel?: string };
}

export async function generateDemoExports(options: DemoOptions): Promise<DemoResult> {
  const { outDir, seed, endDate, years } = options;
  const perDay = options.ticketsPerDay ?? 800;
  const log = options.onProgress ?? (() => undefined);
  mkdirSync(outDir, { recursive: true });
  const random = prng(seed);
  const endMs = dayMs(endDate);
  const startMs = dayMs(`${Number(endDate.slice(0, 4)) - years}${endDate.slice(4)}`) + DAY_MS;
  const exportAt = endMs + DAY_MS - 1000; // the export ran just before midnight
  const festivals = springFestivals(new Date(startMs).getUTCFullYear() - 1, new Date(endMs).getUTCFullYear() + 1);
  const { units, byDepartment, communities } = buildUnits(random);

  const subs = CATEGORIES.flatMap((c) => c.subs.map((sub) => ({ l1: c.name, sub })));
  const districtWeights = DISTRICTS.map((d) => [d, d.share] as [typeof d, number]);
  const repeatPhones = subs.map((_, i) => Array.from({ length: 25 }, (_, k) => `13${(7 + (i % 3)).toString()}${String(((i * 7919 + k * 104729) % 100000000) + 10000000).slice(-8)}`));

  // --- incidents -----------------------------------------------------------------------------
  const incidents: DemoIncident[] = [];
  const drafts: TicketDraft[] = [];
  const addIncident = (kind: string, districtName: string, township: string, place: string, l1: string, l2: string, startMs: number, hours: number, count: number) => {
    const sub = CATEGORIES.find((c) => c.name === l1)!.subs.find((s) => s.name === l2)!;
    if (startMs < dayMs(toDay(startMs)) || startMs > exportAt) return;
    for (let i = 0; i < count; i++) {
      const ms = startMs + Math.floor((i / count) * hours * 3600_000 + random.next() * 600_000);
      drafts.push({ ms, sub, l1, district: districtName, township, place: `${districtName}${township}${place}${1 + random.int(12)}号楼`, forced: { handling: '转办', appeal: l2 === '欠薪' ? '投诉' : '求助' } });
    }
    incidents.push({ kind, district: districtName, township, address: `${districtName}${township}${place}`, category_l1: l1, category_l2: l2, start: stamp(startMs), hours, tickets: count });
  };
  addIncident('停水', '昌吉市', '宁边路街道', '绿洲家园', '供水', '停水', endMs - 12 * DAY_MS + 7.5 * 3600_000, 4, 46);
  addIncident('夜间施工噪声', '昌吉市', '北京南路街道', '锦绣华城', '环境保护', '噪声扰民', endMs - 40 * DAY_MS + 22 * 3600_000, 2, 28);
  const lastJanuary = Date.UTC(new Date(endMs).getUTCMonth() >= 0 && endMs >= Date.UTC(new Date(endMs).getUTCFullYear(), 0, 12) ? new Date(endMs).getUTCFullYear() : new Date(endMs).getUTCFullYear() - 1, 0, 10);
  if (lastJanuary >= startMs) addIncident('供暖故障', '阜康市', '博峰街道', '天山苑', '供暖', '供暖不热', lastJanuary + 6 * 3600_000, 6, 38);
  const lastFestival = [...festivals].reverse().find((f) => f - 20 * DAY_MS >= startMs && f <= endMs);
  if (lastFestival) addIncident('工地欠薪', '吉木萨尔县', '北庭镇', '北庭家园工地', '劳动和社会保障', '欠薪', lastFestival - 20 * DAY_MS + 9 * 3600_000, 5 * 24, 42);

  // --- ordinary demand -----------------------------------------------------------------------
  log(`演示数据：${toDay(startMs)} 至 ${endDate}，每日约 ${perDay} 件`);
  const totalBase = subs.reduce((s, x) => s + x.sub.weight, 0);
  let previousNonWork = 0;
  for (let ms = startMs; ms <= endMs; ms += DAY_MS) {
    const day = toDay(ms);
    const detail = getDayDetail(day);
    const work = isWorkday(day);
    const weekday = new Date(ms).getUTCDay();
    let factor = work ? 1.03 : /Spring Festival|National Day/.test(detail.name) ? 0.42 : detail.name && !/Saturday|Sunday/i.test(detail.name) && !work ? 0.5 : WEEKDAY[weekday];
    if (work && previousNonWork >= 3) factor *= 1.35; // the backlog after a long holiday
    previousNonWork = work ? 0 : previousNonWork + 1;
    const growth = Math.pow(1.12, -(endMs - ms) / (365 * DAY_MS));
    const weights = subs.map(({ l1, sub }) => [{ l1, sub }, sub.weight * seasonFactor(sub.season, ms, festivals)] as [(typeof subs)[number], number]);
    const seasonal = weights.reduce((s, [, w]) => s + w, 0) / totalBase;
    const mean = perDay * 1.17 * growth * factor * seasonal;
    const count = Math.max(0, Math.round(mean * (1 + 0.07 * random.normal())));
    for (let i = 0; i < count; i++) {
      const { l1, sub } = random.weighted(weights);
      const district = random.weighted(districtWeights);
      const township = random.pick(district.townships);
      const hour = random.weighted(HOURS.map((w, h) => [h, w] as [number, number]));
      const place = random.next() < 0.75 ? `${district.name}${township}${random.pick(COMPOUND_NAMES)}${1 + random.int(20)}号楼` : `${district.name}${random.pick(STREETS)}${1 + random.int(300)}号`;
      drafts.push({ ms: ms + hour * 3600_000 + random.int(3600) * 1000, sub, l1, district: district.name, township, place });
    }
  }
  drafts.sort((a, b) => a.ms - b.ms);
  log(`已生成 ${drafts.length} 条工单，正在写出导出文件…`);

  // --- tickets and calls -----------------------------------------------------------------------
  const lastMonth = toDay(endMs).slice(0, 7);
  const csvFiles = new Map<string, { fd: number; lines: string[]; path: string }>();
  const callFiles = new Map<string, { fd: number; lines: string[]; path: string }>();
  const flush = (file: { fd: number; lines: string[] }, encoding: 'gbk' | 'utf8') => {
    if (!file.lines.length) return;
    const text = file.lines.join('\n') + '\n';
    writeSync(file.fd, encoding === 'gbk' ? iconv.encode(text, 'gbk') : Buffer.from(text, 'utf8'));
    file.lines = [];
  };
  const open = (files: typeof csvFiles, key: string, name: string, headers: string[], encoding: 'gbk' | 'utf8') => {
    let file = files.get(key);
    if (!file) {
      const path = join(outDir, name);
      file = { fd: openSync(path, 'w'), lines: [csvLine(headers)], path };
      files.set(key, file);
    }
    if (file.lines.length >= 20_000) flush(file, encoding);
    return file;
  };
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: join(outDir, `工单导出_${lastMonth}.xlsx`), useStyles: true });
  const sheet = workbook.addWorksheet('工单');
  sheet.columns = XLSX_HEADERS.map((header) => ({ header, key: header, width: header.includes('时间') ? 20 : 14, style: header.includes('时间') ? { numFmt: 'yyyy-mm-dd hh:mm:ss' } : {} }));

  let sequence = 0;
  let sequenceDay = '';
  let calls = 0;
  let callSequence = 0;
  const agents = Array.from({ length: 27 }, (_, i) => `A${String(i + 1).padStart(3, '0')}`);
  for (const draft of drafts) {
    const day = toDay(draft.ms - (draft.ms % DAY_MS));
    if (day !== sequenceDay) {
      sequenceDay = day;
      sequence = 0;
    }
    const ticketId = `${day.replaceAll('-', '')}${String(++sequence).padStart(5, '0')}`;
    const sub = draft.sub;
    const channel = draft.forced?.channel ?? random.weighted(CHANNELS);
    const appeal = draft.forced?.appeal ?? (random.next() < sub.consult ? '咨询' : random.weighted([['投诉', 0.55], ['求助', 0.25], ['举报', 0.07], ['建议', 0.09], ['表扬', 0.04]]));
    const handling = draft.forced?.handling ?? (appeal === '咨询' ? (random.next() < 0.93 ? '直接答复' : '转办') : random.next() < 0.4 ? '直接答复' : '转办');
    const enterprise = random.next() < (sub.enterprise ?? 0) + 0.04;
    const urgent = random.next() < 0.02;
    const repeat = random.next() < 0.06;
    const subIndex = subs.findIndex((x) => x.sub === sub);
    const phone = repeat ? random.pick(repeatPhones[subIndex]) : random.next() < 0.08 ? `0994-${2000000 + random.int(7999999)}` : `1${random.pick(['3', '5', '7', '8', '9'])}${String(random.int(1e9)).padStart(9, '0')}`;
    const name = `${random.pick([...SURNAMES])}${random.pick([...GIVEN])}${random.next() < 0.5 ? random.pick([...GIVEN]) : ''}`;
    let content = random.pick(sub.texts).replaceAll('{place}', draft.place.replace(/\d+号楼$/, ''));
    if (random.next() < 0.01) content += random.next() < 0.5 ? `，回电请拨${phone.startsWith('1') ? phone : '13899001234'}` : `，身份证号6523011985${String(random.int(1e8)).padStart(8, '0')}`;

    const received = draft.ms;
    let unit: Unit | null = null;
    let coUnits = '';
    let dispatched: number | null = null;
    let signed: number | null = null;
    let deadline: number | null = null;
    let completed: number | null = null;
    let returned = 0;
    if (handling === '转办') {
      const candidates = /物业|违章|垃圾|农村环境/.test(sub.name) && random.next() < 0.6 ? communities.get(`${draft.district}|${draft.township}`)! : byDepartment.get(sub.unit)!;
      unit = candidates.find((u) => u.district === draft.district && random.next() < 0.85) ?? random.pick(candidates);
      if (random.next() < 0.08) coUnits = random.pick(byDepartment.get(random.pick(subs).sub.unit)!).name;
      dispatched = received + (5 + random.int(55)) * 60_000;
      signed = dispatched + random.exp(0.5 * unit.slowness) * 3600_000;
      deadline = dispatched + (urgent ? 1 : 7) * DAY_MS;
      returned = random.next() < unit.returnRate ? (random.next() < 0.2 ? 2 : 1) : 0;
      completed = signed + random.exp(2.2 * unit.slowness) * DAY_MS + returned * DAY_MS;
    } else {
      completed = received + (3 + random.int(12)) * 60_000;
    }
    let status = '已办结';
    let callback: number | null = null;
    let satisfaction = '';
    let resolved = '';
    if (random.next() < 0.005) {
      status = '已撤销';
      completed = null;
    } else if (signed !== null && signed > exportAt) {
      status = '待签收';
      signed = null;
      completed = null;
    } else if (completed !== null && completed > exportAt) {
      status = returned > 0 && random.next() < 0.3 ? '已退回' : '办理中';
      completed = null;
    } else if (handling === '转办' && completed !== null && random.next() < 0.95) {
      callback = completed + (0.5 + random.next() * 2.5) * DAY_MS;
      if (callback > exportAt) {
        status = '待回访';
        callback = null;
      } else {
        const r = random.next();
        const bad = unit!.dissatisfaction + (completed > deadline! ? 0.05 : 0);
        satisfaction = r < 0.03 ? '未评价' : r < 0.03 + bad ? '不满意' : random.next() < 0.9 ? '满意' : '基本满意';
        resolved = satisfaction === '未评价' ? '' : satisfaction === '不满意' ? (random.next() < 0.7 ? '未解决' : '已解决') : random.next() < 0.97 ? '已解决' : '未解决';
      }
    }
    const at = (ms: number | null) => (ms === null ? '' : stamp(Math.round(ms / 1000) * 1000));
    const month = day.slice(0, 7);
    if (month === lastMonth) {
      const date = (ms: number | null) => (ms === null ? null : new Date(Math.round(ms / 1000) * 1000));
      sheet
        .addRow([ticketId, date(received), channel, appeal, `${draft.l1}/${sub.name}`, content, draft.place, draft.district, draft.township, name, phone, handling, unit?.name ?? '', coUnits, date(dispatched), date(signed), date(deadline), date(completed), status, returned, enterprise ? '是' : '否', urgent ? '是' : '否', date(callback), satisfaction, resolved])
        .commit();
    } else {
      const year = day.slice(0, 4);
      const file = open(csvFiles, year, `工单导出_${year}.csv`, TICKET_HEADERS, 'gbk');
      file.lines.push(csvLine([ticketId, at(received), channel, appeal, draft.l1, sub.name, '', content, draft.place, draft.district, draft.township, name, phone, handling, unit?.name ?? '', coUnits, at(dispatched), at(signed), at(deadline), at(completed), status, returned, enterprise ? '是' : '否', urgent ? '是' : '否', at(callback), satisfaction, resolved]));
    }
    // Phone requests come with a call; a few more calls end in self-service or are abandoned.
    if (channel === '电话') {
      const year = day.slice(0, 4);
      const file = open(callFiles, year, `话务记录_${year}.csv`, CALL_HEADERS, 'utf8');
      const hour = new Date(received).getUTCHours();
      const busy = hour >= 9 && hour <= 11 ? 2 : 1;
      const wait = random.next() < 0.05 ? 15 + random.exp(30 * busy) : random.exp(4 * busy);
      const callAt = received - (60 + random.int(240)) * 1000;
      const queue = enterprise ? '涉企专席' : sub.name === '医保报销' ? '医保专席' : sub.name === '社保缴纳' ? '社保专席' : '综合';
      const answered = callAt + wait * 1000;
      file.lines.push(csvLine([`C${String(++callSequence).padStart(10, '0')}`, at(callAt), queue, '否', at(answered), at(answered + (120 + random.int(420)) * 1000), random.pick(agents), ticketId]));
      calls++;
      const extra = random.next();
      if (extra < 0.278) {
        const ivr = extra < 0.27;
        const start = callAt + random.int(3 * 3600) * 1000;
        const gaveUp = !ivr;
        file.lines.push(csvLine([`C${String(++callSequence).padStart(10, '0')}`, at(start), ivr ? '' : '综合', ivr ? '是' : '否', gaveUp ? '' : '', at(start + (ivr ? 60 + random.int(180) : 20 + random.int(90)) * 1000), '', '']));
        calls++;
      }
    }
  }
  for (const file of csvFiles.values()) {
    flush(file, 'gbk');
    closeSync(file.fd);
  }
  for (const file of callFiles.values()) {
    flush(file, 'utf8');
    closeSync(file.fd);
  }
  sheet.commit();
  await workbook.commit();

  const unitsFile = join(outDir, '承办单位名录.csv');
  writeFileSync(unitsFile, [csvLine(['单位名称', '单位类别', '所属区县']), ...units.map((u) => csvLine([u.name, u.kind, u.district]))].join('\n') + '\n');
  writeFileSync(join(outDir, 'demo-manifest.json'), JSON.stringify({ seed, endDate, years, ticketsPerDay: perDay, incidents }, null, 2));

  const files = [unitsFile, ...[...csvFiles.values()].map((f) => f.path).sort(), join(outDir, `工单导出_${lastMonth}.xlsx`), ...[...callFiles.values()].map((f) => f.path).sort()];
  return { files, tickets: drafts.length, calls, units: units.length, incidents };
}
