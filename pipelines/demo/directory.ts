import { COMMUNITY_STEMS, COMPOUND_STEMS, COMPOUND_SUFFIXES, DEPARTMENTS, DISTRICTS, EXTRA_COMPANIES, isUrban, PREFECTURE, PREFECTURE_ONLY, VILLAGE_STEMS, type Department, type DepartmentKey, type District, type UnitKind } from './changji.js';
import type { Random } from './random.js';

/**
 * The handling units of the prefecture and the places requests come from: every township with its
 * residential compounds, villages and neighbourhood committees. Each unit gets a working style
 * (how fast it signs and finishes, how often it sends tickets back, how callers judge it).
 */

export interface Unit {
  name: string;
  kind: UnitKind;
  district: string;
  /** Mean hours from dispatch to signing. */
  signHours: number;
  /** Multiplier on the time to finish. */
  slowness: number;
  /** Chance that a ticket is sent back at least once. */
  returnRate: number;
  /** Base chance that a caller is dissatisfied. */
  dissatisfaction: number;
}

export interface Township {
  district: District;
  name: string;
  urban: boolean;
  compounds: string[];
  villages: string[];
  office: Unit;
  /** Neighbourhood committees (urban) or village committees (rural). */
  committees: Unit[];
  /** The heating company serving each compound (several companies serve 昌吉市). */
  heatingCompany: Map<string, Unit>;
}

export interface UnitTrait {
  unit: string;
  trait: string;
}

export interface Directory {
  units: Unit[];
  townships: Township[];
  /** The townships of each district, in the order of changji.ts. */
  byDistrict: Map<string, Township[]>;
  departmentUnit(key: DepartmentKey, district: string): Unit;
  prefectureUnit(key: DepartmentKey): Unit | null;
  /** The units given a notably poor working style, for the demo's story. */
  traits: UnitTrait[];
}

/** Units whose weaknesses the demo makes visible in the unit ranking. */
const NAMED_TRAITS: readonly [string, keyof typeof STYLES][] = [
  ['昌吉市城市管理局', 'lateSigning'],
  ['阜康市住房和城乡建设局', 'manyReturns'],
  ['昌吉市热力有限公司', 'lowSatisfaction'],
  ['玛纳斯县交通运输局', 'slowCompletion'],
  ['奇台县自来水公司', 'lateSigning'],
  ['呼图壁县市场监督管理局', 'lowSatisfaction'],
];

const STYLES = {
  lateSigning: '签收慢（常超过 2 小时）',
  slowCompletion: '办理慢（超期办结多）',
  manyReturns: '退单多',
  lowSatisfaction: '满意度低',
} as const;

export function buildDirectory(random: Random): Directory {
  const units: Unit[] = [];
  const traits: UnitTrait[] = [];
  const named = new Map(NAMED_TRAITS);
  const add = (name: string, kind: UnitKind, district: string): Unit => {
    const unit: Unit = {
      name,
      kind,
      district,
      signHours: 0.15 + random.next() * 0.45,
      slowness: 0.7 + random.next() * 0.6,
      returnRate: 0.01 + random.next() * 0.03,
      dissatisfaction: 0.004 + random.next() * 0.014,
    };
    // A few units in every kind have one weak spot; some named ones always do.
    const roll = random.next();
    const style = named.get(name) ?? (roll < 0.01 ? 'lateSigning' : roll < 0.02 ? 'slowCompletion' : roll < 0.03 ? 'manyReturns' : roll < 0.04 ? 'lowSatisfaction' : null);
    if (style === 'lateSigning') unit.signHours = 1.6 + random.next();
    if (style === 'slowCompletion') unit.slowness = 2.6 + random.next();
    if (style === 'manyReturns') unit.returnRate = 0.18 + random.next() * 0.12;
    if (style === 'lowSatisfaction') unit.dissatisfaction = 0.08 + random.next() * 0.05;
    if (style) traits.push({ unit: name, trait: STYLES[style] });
    units.push(unit);
    return unit;
  };

  // Prefecture departments, then county departments district by district.
  const prefecture = new Map<DepartmentKey, Unit>();
  const county = new Map<DepartmentKey, Map<string, Unit>>();
  const departments = Object.entries(DEPARTMENTS) as [DepartmentKey, Department][];
  for (const [key, department] of departments) {
    if (department.prefecture) prefecture.set(key, add(department.prefecture, department.company ? '企业' : '州直部门', PREFECTURE));
  }
  for (const name of PREFECTURE_ONLY) add(name, '州直部门', PREFECTURE);
  const byName = new Map(units.map((u) => [u.name, u]));
  for (const district of DISTRICTS) {
    const zone = district.name === '昌吉高新区';
    for (const [key, department] of departments) {
      const name = zone ? department.zone : department.county ? department.county(district.name) : `${district.name}${department.name}`;
      if (!name) continue;
      // The prefecture water and gas companies also serve 昌吉市 directly.
      const unit = byName.get(name) ?? add(name, department.company ? '企业' : '县市部门', zone && !department.company ? district.name : department.company && name.startsWith('昌吉州') ? PREFECTURE : district.name);
      byName.set(name, unit);
      if (!county.has(key)) county.set(key, new Map());
      county.get(key)!.set(district.name, unit);
    }
  }
  const extraCompanies = EXTRA_COMPANIES.map(([name, district]) => add(name, '企业', district));

  // Townships with their compounds, villages and committees.
  const heating = county.get('heatingCompany')!;
  const townships: Township[] = [];
  const byDistrict = new Map<string, Township[]>();
  for (const district of DISTRICTS) {
    const list: Township[] = [];
    for (const name of district.townships) {
      const urban = isUrban(name);
      const compounds = distinct(random, urban ? 10 : 4, () => `${random.pick(COMPOUND_STEMS)}${random.pick(COMPOUND_SUFFIXES)}`);
      const villages = urban ? [] : distinct(random, 6, () => random.pick(VILLAGE_STEMS));
      const office = add(`${district.name}${name}${/片区$/.test(name) ? '管理办公室' : /街道$/.test(name) ? '办事处' : '人民政府'}`, '乡镇街道', district.name);
      const committees = urban
        ? distinct(random, 8, () => random.pick(COMMUNITY_STEMS)).map((stem) => add(`${district.name}${name}${stem}社区居民委员会`, '乡镇街道', district.name))
        : villages.map((village) => add(`${district.name}${name}${village}村民委员会`, '乡镇街道', district.name));
      const heatingCompanies = district.name === '昌吉市' ? [heating.get('昌吉市')!, extraCompanies[0], extraCompanies[1]] : district.name === '阜康市' ? [heating.get('阜康市')!, extraCompanies[2]] : [heating.get(district.name)!];
      const heatingCompany = new Map(compounds.map((c) => [c, random.pick(heatingCompanies)]));
      const township: Township = { district, name, urban, compounds, villages, office, committees, heatingCompany };
      list.push(township);
      townships.push(township);
    }
    byDistrict.set(district.name, list);
  }

  return {
    units,
    townships,
    byDistrict,
    departmentUnit: (key, district) => {
      const units = county.get(key)!;
      return units.get(district) ?? units.get('昌吉市')!;
    },
    prefectureUnit: (key) => prefecture.get(key) ?? null,
    traits,
  };
}

/** `count` different values from `make` (stems repeat, so draw until enough are distinct). */
function distinct(random: Random, count: number, make: () => string): string[] {
  const seen = new Set<string>();
  for (let attempts = 0; seen.size < count && attempts < count * 50; attempts++) seen.add(make());
  return [...seen];
}
