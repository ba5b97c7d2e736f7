import { usageError } from '../cli-error.js';
import { memberName } from '../incident-names.js';
import { hasIncidentTables, listIncidents, type IncidentWithMembers } from '../incidents.js';
import { COMMON_HELP, commandConfig, openWarehouse, parseCommand, printJson } from './common.js';

const HELP = `hotline incidents — 列出预警事件（一次事件的各序列告警合并为一条）
Lists the incidents with a day in [--from, --to]: one line per incident, headed by its most
specific series, with every series that alarmed as part of it.

Usage: hotline incidents [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]
  --json  one JSON array, one object per incident: id, firstDay, lastDay, district, township,
          place, category_l1, category_l2, series (names), peakCount, expected, pValue (the
          smallest multiplicity-adjusted p-value of its alarms), notified (e-mails it caused)
${COMMON_HELP}`;

/** The `--json` contract (issue 9): exactly these fields. */
export interface IncidentJson {
  id: number;
  firstDay: string;
  lastDay: string;
  district: string | null;
  township: string | null;
  place: string | null;
  category_l1: string | null;
  category_l2: string | null;
  series: string[];
  peakCount: number;
  expected: number;
  pValue: number | null;
  notified: number;
}

export function incidentJson(incident: IncidentWithMembers): IncidentJson {
  const head = incident.members.find((m) => m.series_key === incident.head_series);
  const others = [...new Map(incident.members.map((m) => [m.series_key, m])).values()].filter((m) => m !== head && m.series_key !== incident.head_series);
  return {
    id: incident.incident_id,
    firstDay: incident.first_day,
    lastDay: incident.last_day,
    district: incident.district,
    township: incident.township,
    place: incident.place,
    category_l1: incident.category_l1,
    category_l2: incident.category_l2,
    series: [...(head ? [head] : []), ...others].map(memberName),
    peakCount: incident.peak_count,
    expected: Math.round(incident.peak_expected * 100) / 100,
    pValue: incident.p_value,
    notified: incident.notified,
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, { from: { type: 'string' }, to: { type: 'string' } });
  if (values.help) return void process.stdout.write(HELP + '\n');
  for (const name of ['from', 'to'] as const) if (values[name] !== undefined && !DATE.test(values[name]!)) throw usageError(`--${name} takes YYYY-MM-DD`);
  if (values.from && values.to && values.from > values.to) throw usageError('--from must not be after --to');
  const warehouse = await openWarehouse(commandConfig(values));
  try {
    const incidents = (await hasIncidentTables(warehouse)) ? await listIncidents(warehouse, { from: values.from, to: values.to }) : [];
    const rows = incidents.map(incidentJson).sort((a, b) => a.firstDay.localeCompare(b.firstDay) || a.id - b.id);
    if (values.json) return printJson(rows);
    if (!rows.length) return void process.stdout.write('没有预警事件 / no incidents\n');
    for (const r of rows) {
      const days = r.firstDay === r.lastDay ? r.firstDay : `${r.firstDay} – ${r.lastDay}`;
      process.stdout.write(`#${r.id}  ${days}  ${r.series[0] ?? '—'}  峰值 ${r.peakCount} 件（预期 ${r.expected}）  邮件 ${r.notified} 封\n`);
      for (const name of r.series.slice(1)) process.stdout.write(`      ${name}\n`);
    }
  } finally {
    warehouse.close();
  }
}
