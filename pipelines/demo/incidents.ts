import { DAY_MS, HOUR_MS, stamp, type CalendarDay } from './calendar.js';
import { COMPOUND_STEMS, DISTRICTS } from './changji.js';
import type { Directory, Township, Unit } from './directory.js';
import type { Caller, Draft, Location, SubRef } from './model.js';
import type { Random } from './random.js';

/**
 * Outbreaks injected on top of the ordinary demand, with known place, start, length and size, so
 * that the early warning has something real to find: a water outage in one compound, a heating
 * failure in winter, construction noise at night in one street, wage arrears at one building site
 * before the Spring Festival, and roads to the cotton fields broken at harvest.
 */

export interface DemoIncident {
  kind: string;
  district: string;
  township: string;
  /** Every ticket of the incident has an address that starts with this. */
  address: string;
  category_l1: string;
  category_l2: string;
  /** 'YYYY-MM-DD HH:mm:ss', Beijing time. */
  start: string;
  /** Every ticket of the incident is received within [start, start + hours]. */
  hours: number;
  tickets: number;
}

export interface IncidentPlan {
  incidents: DemoIncident[];
  /** The incidents' tickets by day index (from the first day of history). */
  drafts: Map<number, Draft[]>;
}

interface PlanInput {
  calendar: CalendarDay[];
  historyDays: number;
  directory: Directory;
  refs: SubRef[];
  random: Random;
}

export function planIncidents({ calendar, historyDays, directory, refs, random }: PlanInput): IncidentPlan {
  const incidents: DemoIncident[] = [];
  const drafts = new Map<number, Draft[]>();
  const first = calendar[0].ms;
  const last = historyDays - 1;
  const ref = (l1: string, l2: string) => refs.find((r) => r.l1 === l1 && r.sub.name === l2)!;
  const urbanOf = (district: string) => directory.byDistrict.get(district)!.filter((t) => t.urban);
  const ruralOf = (district: string) => directory.byDistrict.get(district)!.filter((t) => !t.urban);
  const latest = (test: (day: CalendarDay) => boolean, lastIndex: number) => {
    for (let i = Math.min(lastIndex, last); i >= 0; i--) if (test(calendar[i])) return i;
    return -1;
  };
  const monthDay = (day: CalendarDay) => day.date.slice(5);
  const building = (township: Township, compound: string) => `${township.district.name}${township.name}${compound}${random.between(1, 24)}号楼${random.between(1, 6)}单元`;
  const channel = () => (random.chance(0.8) ? '电话' : random.chance(0.5) ? '微信' : '小程序');
  const prefix = (ch: string) => (ch === '电话' ? random.pick(['', '来电人反映：', '市民来电反映，']) : random.pick(['', '网友留言：']));

  interface Ticket {
    at: number;
    ref: SubRef;
    l3: string;
    location: Location;
    content: string;
    appeal: string;
    handling: '直接答复' | '转办';
    unit: Unit | null;
    urgent: boolean;
    enterprise?: boolean;
    caller?: Caller;
    channel: string;
  }
  const add = (incident: Omit<DemoIncident, 'tickets'>, tickets: Ticket[]) => {
    for (const t of tickets) {
      const index = Math.floor((t.at - first) / DAY_MS);
      const list = drafts.get(index) ?? [];
      list.push({ at: t.at, ref: t.ref, l3: t.l3, location: t.location, caller: t.caller ?? null, channel: t.channel, appeal: t.appeal, content: t.content, repeat: false, enterprise: t.enterprise ?? false, urgent: t.urgent, handling: t.handling, unit: t.unit });
      drafts.set(index, list);
    }
    incidents.push({ ...incident, tickets: tickets.length });
  };
  /** Instants within [start, start + hours], more of them early on (word spreads, then the fix is announced). */
  const burst = (start: number, hours: number, count: number, earliness = 1.5) =>
    Array.from({ length: count }, () => start + Math.floor(random.next() ** earliness * hours * HOUR_MS)).sort((a, b) => a - b);

  // 1. A water outage in one compound of 昌吉市, nine days before the end (visible in a live demo).
  {
    const i = Math.max(0, last - 9);
    const township = random.pick(urbanOf('昌吉市'));
    const compound = random.pick(township.compounds);
    const start = calendar[i].ms + 7 * HOUR_MS + random.between(0, 50) * 60_000;
    const outage = ref('供水', '停水');
    const unit = directory.departmentUnit('waterCompany', '昌吉市');
    // Calls are registered a few minutes after they start: keep half an hour of margin.
    const times = burst(start, 3.5, random.between(40, 55));
    const texts = [
      (h: number) => `${compound}从早上${h}点多开始突然停水，没有接到任何通知，家里老人孩子没水用，请尽快恢复供水。`,
      () => `${compound}整个小区都停水了，物业说是外面主管道爆了，到底什么时候能来水？`,
      () => `${compound}停水好几个小时了，物业门口只贴了一张"抢修停水"的通知，没写恢复时间。`,
      () => `${compound}一早就没水，孩子上学都没法洗漱，请问什么时候恢复供水。`,
      () => `${compound}停水，家里有卧床老人急需用水，请尽快处理。`,
    ];
    add(
      { kind: '小区停水', district: '昌吉市', township: township.name, address: `昌吉市${township.name}${compound}`, category_l1: '供水', category_l2: '停水', start: stamp(start), hours: 4 },
      times.map((at, k) => {
        const ch = channel();
        // The first reports are dispatched; once the repair is known, operators answer directly.
        const handling = k < 10 || random.chance(0.35) ? '转办' : '直接答复';
        return { at, ref: outage, l3: '突发停水', location: { township, place: compound, address: building(township, compound), compound }, content: prefix(ch) + random.pick(texts)(7), appeal: random.chance(0.6) ? '求助' : random.chance(0.85) ? '投诉' : '咨询', handling, unit, urgent: k < 10 || random.chance(0.3), channel: ch };
      }),
    );
  }

  // 2. A heating failure in a compound of 阜康市 on the latest cold day (mid-November to February).
  {
    const cold = (day: CalendarDay) => { const md = monthDay(day); return md >= '11-15' || md <= '02-20'; };
    const i = latest(cold, last - 3);
    if (i >= 0) {
      const township = random.pick(urbanOf('阜康市'));
      const compound = random.pick(township.compounds);
      const start = calendar[i].ms + 6 * HOUR_MS + random.between(0, 60) * 60_000;
      const unit = township.heatingCompany.get(compound)!;
      const heating = ref('供暖', '供暖不热');
      const texts = [
        () => `${compound}暖气从昨晚开始突然不热了，现在室温只有十度左右，家里有老人孩子。`,
        () => `${compound}整个小区暖气都停了，听说是换热站设备故障，什么时候能修好？`,
        () => `${compound}暖气片冰凉，打供热公司电话一直占线。`,
        () => `${compound}停暖大半天了，外面零下二十多度，家里冻得待不住。`,
      ];
      add(
        { kind: '小区供暖故障', district: '阜康市', township: township.name, address: `阜康市${township.name}${compound}`, category_l1: '供暖', category_l2: '供暖不热', start: stamp(start), hours: 10 },
        burst(start, 9.5, random.between(35, 50), 1.3).map((at, k) => {
          const ch = channel();
          return { at, ref: heating, l3: '', location: { township, place: compound, address: building(township, compound), compound }, content: prefix(ch) + random.pick(texts)(), appeal: random.chance(0.7) ? '投诉' : '求助', handling: k < 15 || random.chance(0.5) ? '转办' : '直接答复', unit, urgent: random.chance(0.5), channel: ch };
        }),
      );
    }
  }

  // 3. Construction at night in one street of 昌吉市: three nights running in the latest summer.
  {
    const i = latest((day) => ['06-18', '07-12', '08-12'].includes(monthDay(day)), last - 3);
    if (i >= 0) {
      const township = random.pick(urbanOf('昌吉市'));
      const offset = random.int(Math.max(1, township.compounds.length - 2));
      const nearby = township.compounds.slice(offset, offset + 3);
      const site = `${random.pick(COMPOUND_STEMS)}商业综合体项目`;
      const noise = ref('环境保护', '噪声扰民');
      const unit = directory.departmentUnit('ecology', '昌吉市');
      const start = calendar[i].ms + 22 * HOUR_MS;
      const tickets: Ticket[] = [];
      for (let night = 0; night < 3; night++) {
        for (const at of burst(start + night * DAY_MS, 2.5, random.between(12, 20), 1.2)) {
          const compound = random.pick(nearby);
          const ch = channel();
          const texts = [
            `${compound}旁边的${site}工地每天晚上施工到凌晨，打桩声音很大，根本没法睡觉。`,
            `${site}工地夜间施工噪声扰民，已经半夜了还在浇筑混凝土。`,
            `${compound}附近工地连续几晚通宵施工，渣土车来回跑，请相关部门管一管。`,
            `住在${compound}，${site}半夜还在施工，孩子第二天还要上学。`,
          ];
          tickets.push({ at, ref: noise, l3: '建筑施工噪声', location: { township, place: compound, address: building(township, compound), compound }, content: prefix(ch) + random.pick(texts), appeal: '投诉', handling: night === 0 || random.chance(0.6) ? '转办' : '直接答复', unit, urgent: false, channel: ch });
        }
      }
      add({ kind: '夜间施工噪声', district: '昌吉市', township: township.name, address: `昌吉市${township.name}`, category_l1: '环境保护', category_l2: '噪声扰民', start: stamp(start), hours: 51 }, tickets);
    }
  }

  // 4. Wage arrears at one building site, building up over four weeks before the latest Spring Festival.
  {
    const i = latest((day) => day.daysToSpringFestival === 35, last - 27);
    if (i >= 0) {
      const district = random.pick(DISTRICTS.slice(0, 7));
      const township = random.pick(directory.byDistrict.get(district.name)!);
      const site = `${random.pick(COMPOUND_STEMS)}${random.pick(['家园', '花园', '雅居'])}项目工地`;
      const wages = ref('劳动和社会保障', '欠薪');
      const unit = directory.departmentUnit('humanResources', district.name);
      const workers: Caller[] = Array.from({ length: 30 }, () => ({ phone: `1${random.pick(['3', '5', '8', '9'])}${random.int(10)}${String(random.int(100_000_000)).padStart(8, '0')}`, name: `${random.pick([...'王李张刘陈杨马赵'])}${random.chance(0.5) ? '师傅' : '先生'}` }));
      const address = `${district.name}${township.name}${site}`;
      const tickets: Ticket[] = [];
      for (let j = 0; j < 28; j++) {
        const day = calendar[i + j];
        const n = random.poisson((day.work ? 2.2 : 1.2) * (1 + j / 20));
        for (let k = 0; k < n; k++) {
          const at = day.ms + (8 + random.next() * 12.5) * HOUR_MS;
          const ch = random.chance(0.75) ? '电话' : '微信';
          const texts = [
            `在${site}干活的${random.between(8, 40)}名工人被拖欠工资${random.between(100, 900) * 1000}元，包工头联系不上，快过年了请帮忙讨薪。`,
            `${site}拖欠我们农民工工资${random.between(2, 6)}个月，开发商说工程款已经付给总包了，总包又推给劳务公司。`,
            `我是${site}的工人，被拖欠工资${random.between(80, 400) * 100}元，要回家过年了，请政府帮忙。`,
            `${site}项目部承诺年前发工资，现在又说没钱，工人们都很着急。`,
          ];
          tickets.push({ at: Math.floor(at), ref: wages, l3: '工程建设领域欠薪', location: { township, place: site, address, compound: null }, content: prefix(ch) + random.pick(texts), appeal: random.chance(0.8) ? '投诉' : '求助', handling: '转办', unit, urgent: false, enterprise: random.chance(0.5), caller: random.pick(workers), channel: ch });
        }
      }
      add({ kind: '工地欠薪', district: district.name, township: township.name, address, category_l1: '劳动和社会保障', category_l2: '欠薪', start: stamp(calendar[i].ms + 8 * HOUR_MS), hours: 27 * 24 + 13 }, tickets);
    }
  }

  // 5. Roads to the cotton fields broken in one village at the latest harvest.
  {
    const i = latest((day) => monthDay(day) === '10-08', last - 4);
    if (i >= 0) {
      const districtName = random.pick(['玛纳斯县', '呼图壁县', '奇台县', '昌吉市']);
      const township = random.pick(ruralOf(districtName));
      const village = random.pick(township.villages);
      const roads = ref('交通运输', '农村道路');
      const address = `${districtName}${township.name}${village}村`;
      const tickets: Ticket[] = [];
      for (let j = 0; j < 5; j++) {
        for (let k = random.between(5, 9); k > 0; k--) {
          const at = Math.floor(calendar[i + j].ms + (9 + random.next() * 10.5) * HOUR_MS);
          const ch = channel();
          const texts = [
            `${township.name}${village}村通往棉田的机耕道被拉棉车压坏，坑深半米，采棉机进不了地。`,
            `${village}村到轧花厂的路被压烂了，拉棉车陷进去好几辆。`,
            `${village}村田间道路塌陷，棉花拉不出来，急需修复。`,
          ];
          tickets.push({ at, ref: roads, l3: '', location: { township, place: `${village}村`, address: `${address}${random.between(1, 8)}组`, compound: null }, content: prefix(ch) + random.pick(texts), appeal: '求助', handling: '转办', unit: random.chance(0.5) ? township.office : directory.departmentUnit('transport', districtName), urgent: false, channel: ch });
        }
      }
      add({ kind: '棉区道路损毁', district: districtName, township: township.name, address, category_l1: '交通运输', category_l2: '农村道路', start: stamp(calendar[i].ms + 9 * HOUR_MS), hours: 4 * 24 + 11 }, tickets);
    }
  }

  incidents.sort((a, b) => a.start.localeCompare(b.start));
  return { incidents, drafts };
}
