import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../pipelines/config.js';
import { Warehouse } from '../../pipelines/warehouse.js';

/**
 * A small warehouse of request texts for the text tests: five sub-categories, each with a few ways
 * citizens word it, at compounds of two districts, routed to the unit of that category and
 * district (property matters to the township office); plus uncategorised tickets (未分类), tickets
 * filed under a category their text plainly contradicts, and returned (退单) tickets.
 */

export interface FixtureTicket {
  ticket_id: string;
  received_at: string;
  category_l1: string;
  category_l2: string | null;
  content: string;
  address: string | null;
  district: string | null;
  township: string | null;
  phone_hash: string | null;
  handling: string;
  unit: string | null;
  status: string;
  returned_count: number;
  likes: number | null;
  dislikes: number | null;
}

export const CATEGORIES = [
  { l1: '城乡建设', l2: '物业管理', unit: (d: string, t: string) => `${t}办事处`, texts: ['{place}物业不作为，电梯坏了一个月没人修', '{place}物业费年年涨，服务却很差，垃圾堆在楼道没人清理', '{place}的物业公司乱收停车费，业主意见很大'] },
  { l1: '城乡建设', l2: '供暖', unit: (d: string) => `${d}热力公司`, texts: ['{place}暖气不热，室温只有十四度', '{place}家里暖气片冰凉，老人孩子受冻', '{place}供暖温度不达标，要求热力公司检修'] },
  { l1: '环境保护', l2: '噪声扰民', unit: (d: string) => `${d}生态环境分局`, texts: ['{place}旁边工地夜间施工，噪音吵得睡不着', '{place}楼下广场舞音响声音太大，噪声扰民', '{place}附近商铺高音喇叭整天播放，噪音严重'] },
  { l1: '交通运输', l2: '道路维修', unit: (d: string) => `${d}交通运输局`, texts: ['{place}门口路面坑洼不平，雨天积水，车辆难行', '{place}附近道路塌陷，存在安全隐患，请尽快修复', '{place}旁的人行道砖块松动破损'] },
  { l1: '劳动和社会保障', l2: '欠薪', unit: (d: string) => `${d}人力资源和社会保障局`, texts: ['在{place}附近工地干活，包工头拖欠工资三个月', '{place}项目的老板拖欠农民工工资不给，讨薪无门', '公司拖欠我们两个月工资，地点在{place}'] },
] as const;

export const DISTRICTS = [
  { name: '昌吉市', townships: ['宁边路街道', '延安北路街道'], compounds: ['天山小区', '阳光花园', '绿洲家园', '康居苑'] },
  { name: '阜康市', townships: ['博峰街道'], compounds: ['瑶池小区', '博峰嘉园', '天池家园'] },
] as const;

class Lcg {
  constructor(private state: number) {}
  next(): number {
    this.state = (Math.imul(this.state, 1664525) + 1013904223) >>> 0;
    return this.state / 4294967296;
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)];
  }
}

function stamp(day: number, minute: number): string {
  return new Date(Date.UTC(2025, 5, 1) + day * 86_400_000 + minute * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** The fixture's tickets: 60 days × 6 a day of categorised tickets, then the special cases. */
export function fixtureTickets(): FixtureTicket[] {
  const random = new Lcg(7);
  const tickets: FixtureTicket[] = [];
  let n = 0;
  const add = (t: Partial<FixtureTicket> & { content: string; received_at: string }) => {
    n++;
    tickets.push({ ticket_id: `TX${String(n).padStart(5, '0')}`, category_l1: '未分类', category_l2: null, address: null, district: null, township: null, phone_hash: `p${n}`, handling: '直接答复', unit: null, status: '已办结', returned_count: 0, likes: null, dislikes: null, ...t });
  };
  for (let day = 0; day < 60; day++) {
    for (let k = 0; k < 6; k++) {
      const category = random.pick(CATEGORIES);
      const district = random.pick(DISTRICTS);
      const township = random.pick(district.townships);
      const compound = random.pick(district.compounds);
      const dispatched = random.next() < 0.7;
      add({
        received_at: stamp(day, 480 + k * 60),
        category_l1: category.l1,
        category_l2: category.l2,
        content: `${random.next() < 0.5 ? '来电人反映：' : ''}${random.pick(category.texts).replace('{place}', compound)}。`,
        address: `${district.name}${township}${compound}${1 + Math.floor(random.next() * 20)}号楼`,
        district: district.name,
        township,
        handling: dispatched ? '转办' : '直接答复',
        unit: dispatched ? category.unit(district.name, township) : null,
      });
    }
  }
  return tickets;
}

/** Requests that no operator categorised (as a message board's 未分类). */
export const UNCATEGORISED = [
  { ticket_id: 'U1', content: '天山小区暖气一点都不热，家里冷得不行' },
  { ticket_id: 'U2', content: '包工头拖欠工资半年了，请帮忙讨薪' },
  { ticket_id: 'U3', content: '晚上工地施工噪音太大，吵得孩子没法睡觉' },
];

/** Filed under 噪声扰民, but the text is plainly about unpaid wages. */
export const MISFILED = { ticket_id: 'M1', content: '老板拖欠农民工工资三个月不给，讨薪无门，请劳动部门帮忙' };

/** A ticket returned (退单) by the unit it went to. */
export const RETURNED = { ticket_id: 'R1', content: '绿洲家园暖气不热，室温只有十二度' };

export async function insertFixtureTickets(warehouse: Warehouse, tickets: FixtureTicket[]): Promise<void> {
  const columns = ['ticket_id', 'received_at', 'category_l1', 'category_l2', 'content', 'address', 'district', 'township', 'phone_hash', 'handling', 'unit', 'status', 'returned_count', 'likes', 'dislikes'] as const;
  for (const t of tickets) {
    await warehouse.run(
      `insert into tickets (${columns.join(', ')}, channel, appeal_type, source_profile, first_run_id, last_run_id, activity_at)
       values (${columns.map((c) => `$${c}`).join(', ')}, '电话', '投诉', 'test', 1, 1, $received_at)`,
      { ...t },
    );
  }
}

/** Every special case, received on the fixture's last day. */
export function specialTickets(): FixtureTicket[] {
  const base = { received_at: '2025-07-30 15:00:00', category_l2: null, address: null, district: '昌吉市', township: '宁边路街道', phone_hash: null, handling: '直接答复', unit: null, status: '已办结', returned_count: 0, likes: null, dislikes: null };
  return [
    ...UNCATEGORISED.map((u) => ({ ...base, ...u, category_l1: '未分类' })),
    { ...base, ...MISFILED, category_l1: '环境保护', category_l2: '噪声扰民' },
    { ...base, ...RETURNED, category_l1: '城乡建设', category_l2: '供暖', address: '昌吉市延安北路街道绿洲家园3号楼', township: '延安北路街道', handling: '转办', unit: '昌吉市住房和城乡建设局', status: '已退回', returned_count: 1 },
  ];
}

/** A throw-away data folder, config (small training sample) and warehouse holding the fixture. */
export async function textWarehouse(prefix: string): Promise<{ warehouse: Warehouse; config: Config; dir: string; close(): void }> {
  const dir = mkdtempSync(join(tmpdir(), `hotline-text-${prefix}-`));
  const base = loadConfig({ env: { HOTLINE_DATA_DIR: join(dir, 'data'), HOTLINE_DB: join(dir, 'data', 'hotline.duckdb') }, cwd: dir });
  const config: Config = { ...base, text: { ...base.text, heldOut: 100 } };
  const warehouse = await Warehouse.open(config.db);
  await insertFixtureTickets(warehouse, [...fixtureTickets(), ...specialTickets()]);
  return {
    warehouse,
    config,
    dir,
    close() {
      warehouse.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
