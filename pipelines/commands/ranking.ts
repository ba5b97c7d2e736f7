import { unitRanking, type UnitRankingRow, type UnrankedReason } from '../kpi.js';
import { COMMON_HELP, commandConfig, openWarehouse, parseCommand, printJson } from './common.js';
import {
  PERIOD_HELP,
  PERIOD_OPTIONS,
  describePeriod,
  describeSettings,
  formatCount,
  formatRate,
  formatTable,
  periodFromFlags,
  periodOrDefault,
  sourceFromFlag,
  toCsv,
} from './kpi.js';
import { usageError } from '../cli-error.js';

const HELP = `hotline ranking — 承办单位“三率”考评：响应率、解决率、满意率与综合得分，按单位类别排名
Usage: hotline ranking [--month YYYY-MM | --from DATE --to DATE] [--kind 单位类别] [--json | --csv]
  响应率 = 按期签收率; 解决率 = 解决率 (无回访结果时用按时办结率); 满意率 = 满意率;
  综合得分 = weights from config kpi.rankingWeights (default 0.30 / 0.35 / 0.35).
  Units with fewer than kpi.minTicketsForRanking tickets dispatched (default 10) are listed, unranked.
${PERIOD_HELP}
  --kind K          only units of this kind (州直部门, 县市部门, 乡镇街道, 企业, 其他 …)
  --csv             print CSV (UTF-8) on stdout
${COMMON_HELP}`;

const COLUMNS: (keyof UnitRankingRow)[] = [
  'unit_kind',
  'rank',
  'unit',
  'volume',
  'response_rate',
  'resolution_score',
  'resolution_basis',
  'satisfaction_rate',
  'composite_score',
  'overdue',
  'returned_tickets',
  'returns',
  'ontime_completion_rate',
  'resolution_rate',
  'unranked_reason',
];

export function unrankedText(reason: UnrankedReason | null, minTickets: number): string {
  switch (reason) {
    case 'volume_below_minimum':
      return `转办量不足 ${minTickets} 件，不排名`;
    case 'no_response_rate':
      return '无响应率，不排名';
    case 'no_resolution_rate':
      return '无解决率，不排名';
    case 'no_satisfaction_rate':
      return '无满意率（本期无有效回访评价），不排名';
    default:
      return '';
  }
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, { ...PERIOD_OPTIONS, csv: { type: 'boolean', default: false }, kind: { type: 'string' } });
  if (values.help) return void process.stdout.write(HELP + '\n');
  const asked = periodFromFlags(values);
  const source = sourceFromFlag(values.source);
  if (values.json && values.csv) throw usageError('give --json or --csv, not both');
  const config = commandConfig(values);
  const settings = config.kpi;
  const warehouse = await openWarehouse(config);
  try {
    const period = await periodOrDefault(asked, warehouse);
    const report = await unitRanking(warehouse, period, { settings, source });
    const rows = values.kind === undefined ? report.rows : report.rows.filter((row) => row.unit_kind === values.kind);
    if (values.json) {
      const head = period.kind === 'month' ? { month: period.month } : period.kind === 'dates' ? { from: period.fromDate, to: period.toDate } : { from: period.from, to: period.to };
      return printJson({ ...head, source: report.source, settings: { minTicketsForRanking: settings.minTicketsForRanking, rankingWeights: settings.rankingWeights }, rows });
    }
    if (values.csv) return void process.stdout.write(toCsv(COLUMNS, rows.map((row) => COLUMNS.map((c) => row[c]))));
    process.stdout.write(`承办单位“三率”考评 · ${describePeriod(period)}\n`);
    const w = settings.rankingWeights;
    process.stdout.write(`综合得分 = ${w.response} × 响应率 + ${w.resolution} × 解决率 + ${w.satisfaction} × 满意率；转办量至少 ${settings.minTicketsForRanking} 件参与排名；同分按转办量\n`);
    if (!rows.length) return void process.stdout.write('\n（本期无承办单位）\n');
    const kinds = [...new Set(rows.map((row) => row.unit_kind))];
    for (const kind of kinds) {
      const table = rows
        .filter((row) => row.unit_kind === kind)
        .map((row) => [
          row.rank === null ? '—' : String(row.rank),
          row.unit,
          formatCount(row.volume),
          formatRate(row.response_rate),
          formatRate(row.resolution_score) + (row.resolution_basis === 'ontime_completion_rate' ? '*' : ''),
          formatRate(row.satisfaction_rate),
          formatRate(row.composite_score),
          formatCount(row.overdue),
          formatCount(row.returned_tickets),
          unrankedText(row.unranked_reason, settings.minTicketsForRanking),
        ]);
      process.stdout.write(
        `\n【${kind}】\n` +
          formatTable(['排名', '承办单位', '转办量', '响应率', '解决率', '满意率', '综合得分', '超期', '退单', '说明'], table, [1, 9]),
      );
    }
    process.stdout.write('\n* 无回访“是否解决”结果，解决率按按时办结率计。\n');
    process.stdout.write((await describeSettings(warehouse, settings, report.source)) + '\n');
  } finally {
    warehouse.close();
  }
}
