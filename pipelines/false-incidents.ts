import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How many false incidents a month the current settings give on quiet data — measured, not
 * assumed: `npm run bench:alerts -- --write` replays the demo's year (incidents on days without
 * an injected one count as false) and judges simulated series with no outbreak at all, and writes
 * the figures to false-incidents.json next to this file. Mails and the 预警 page quote them.
 */

export interface FalseIncidentRate {
  /** The command that produced the file. */
  command: string;
  measuredOn: string;
  /** The settings the figures hold for (hotspots.ts DEFAULT_HOTSPOT_SETTINGS at the time). */
  settings: Record<string, number>;
  demo: { seed: number; days: number; series: number; falseIncidents: number; perMonth: number };
  simulated: { seed: number; days: number; series: number; falseIncidents: number; perMonth: number };
}

export const FALSE_INCIDENTS_FILE = join(dirname(fileURLToPath(import.meta.url)), 'false-incidents.json');

let cached: FalseIncidentRate | null | undefined;

export function falseIncidentRate(): FalseIncidentRate | null {
  if (cached === undefined) cached = existsSync(FALSE_INCIDENTS_FILE) ? (JSON.parse(readFileSync(FALSE_INCIDENTS_FILE, 'utf8')) as FalseIncidentRate) : null;
  return cached;
}

const oneDecimal = (x: number) => (Math.round(x * 10) / 10).toString();

/** '按当前设置，在没有真实事件的数据上实测每月约 0.8 起误报（…）'; null before it was measured. */
export function falseIncidentSentence(rate = falseIncidentRate()): string | null {
  if (!rate) return null;
  const { demo, simulated } = rate;
  return (
    `按当前设置，在没有真实事件的数据上实测每月约 ${oneDecimal(Math.max(demo.perMonth, simulated.perMonth))} 起误报事件` +
    `（演示数据 ${demo.days} 天、${demo.series} 个序列：${demo.falseIncidents} 起，每月 ${oneDecimal(demo.perMonth)} 起；` +
    `模拟平稳数据 ${simulated.days} 天、${simulated.series} 个序列：${simulated.falseIncidents} 起，每月 ${oneDecimal(simulated.perMonth)} 起；${rate.measuredOn} 测定）。`
  );
}
