import { usageError } from '../cli-error.js';
import {
  BREAKDOWN_DIMENSIONS,
  BREAKDOWN_DIMENSION_NAMES,
  KPI_JSON_KEYS,
  breakdown,
  isBreakdownDimension,
  metricName,
  risingCategories,
  topCategories,
  type BreakdownDimension,
  type BreakdownReport,
  type CategoryRank,
  type CategoryRiser,
  type Period,
} from '../kpi.js';
import { COMMON_HELP, commandConfig, openWarehouse, parseCommand, printJson } from './common.js';
import {
  PERIOD_HELP,
  PERIOD_OPTIONS,
  describePeriod,
  describeSettings,
  formatCount,
  formatRate,
  formatTable,
  formatValue,
  periodFromFlags,
  periodOrDefault,
  sourceFromFlag,
  toCsv,
  wholeFlag,
} from './kpi.js';

const HELP = `hotline breakdown — 按维度拆分全部指标（分类树、区县/乡镇、渠道、诉求类型、专席、涉企、承办单位）
Usage: hotline breakdown <dimension> [--month YYYY-MM | --from DATE --to DATE] [--json | --csv]
Dimensions:
  category      一级分类 → 二级分类 → 三级分类 (a tree; --depth 1–3)
  district      区县 → 乡镇街道 (a tree; --depth 1–2)
  channel       来源渠道
  appeal-type   诉求类型
  enterprise    是否涉企
  unit          承办单位 (lead unit)
  queue         专席队列: tickets by the queue of their first linked call, calls by their queue
  top           the categories with most tickets (--level 1–3, default 1; --limit N, default 10)
  risers        the categories rising fastest vs the month before (--level, default 2; --limit;
                --min-volume N tickets this period, default 20)
Options:
${PERIOD_HELP}
  --depth N         how deep a tree goes (default: every level)
  --level N         category level for top / risers
  --limit N         rows for top / risers
  --min-volume N    risers: at least N tickets received in the period
  --csv             print CSV (UTF-8) on stdout
${COMMON_HELP}`;

/** The columns of the human table (every KPI is in --json and --csv). */
const TABLE_KEYS = [
  'received',
  'dispatched',
  'completion_rate',
  'ontime_completion_rate',
  'ontime_sign_rate',
  'satisfaction_rate',
  'resolution_rate',
  'repeat_rate',
] as const;

function dimensionFromArg(arg: string | undefined): BreakdownDimension | 'top' | 'risers' {
  if (arg === undefined) throw usageError(`which dimension? one of ${[...BREAKDOWN_DIMENSION_NAMES, 'top', 'risers'].join(', ')}`);
  const name = arg.replaceAll('-', '_');
  if (name === 'top' || name === 'risers' || isBreakdownDimension(name)) return name;
  throw usageError(`unknown dimension "${arg}": one of ${[...BREAKDOWN_DIMENSION_NAMES, 'top', 'risers'].join(', ')}`);
}

function periodHead(period: Period): Record<string, string> {
  return period.kind === 'month' ? { month: period.month } : period.kind === 'dates' ? { from: period.fromDate, to: period.toDate } : { from: period.from, to: period.to };
}

function flatRow(report: BreakdownReport, row: BreakdownReport['rows'][number]): Record<string, string | number | null> {
  const keys = Object.fromEntries(BREAKDOWN_DIMENSIONS[report.dimension].keys.map((key) => [key.name, row.keys[key.name] ?? null]));
  return { level: row.level, ...keys, share: row.share, ...row.values, overdue: row.sums.overdue, returns: row.sums.returns };
}

function categoryPath(keys: Record<string, string | null>): string {
  return Object.values(keys)
    .map((k) => k || '（空）')
    .join(' / ');
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    {
      ...PERIOD_OPTIONS,
      csv: { type: 'boolean', default: false },
      depth: { type: 'string' },
      level: { type: 'string' },
      limit: { type: 'string' },
      'min-volume': { type: 'string' },
    },
    true,
  );
  if (values.help) return void process.stdout.write(HELP + '\n');
  if (positionals.length > 1) throw usageError(`one dimension at a time (got ${positionals.join(', ')})`);
  const dimension = dimensionFromArg(positionals[0]);
  const asked = periodFromFlags(values);
  const source = sourceFromFlag(values.source);
  if (values.json && values.csv) throw usageError('give --json or --csv, not both');
  const config = commandConfig(values);
  const settings = config.kpi;
  const warehouse = await openWarehouse(config);
  try {
    const period = await periodOrDefault(asked, warehouse);
    if (dimension === 'top' || dimension === 'risers') {
      const level = wholeFlag('level', values.level, dimension === 'top' ? 1 : 2);
      if (level > 3) throw usageError('--level takes 1, 2 or 3');
      const limit = wholeFlag('limit', values.limit, 10);
      const rows: (CategoryRank | CategoryRiser)[] =
        dimension === 'top'
          ? await topCategories(warehouse, period, { settings, source, level, limit })
          : await risingCategories(warehouse, period, { settings, source, level, limit, minVolume: wholeFlag('min-volume', values['min-volume'], 20, 0) });
      const keyNames = BREAKDOWN_DIMENSIONS.category.keys.slice(0, level).map((k) => k.name);
      const flat = rows.map((row) => {
        const { keys, level: _level, ...rest } = row;
        return { ...Object.fromEntries(keyNames.map((k) => [k, keys[k] ?? null])), ...rest };
      });
      if (values.json) return printJson({ ...periodHead(period), view: dimension, level, rows: flat });
      if (values.csv) {
        const headers = flat.length ? Object.keys(flat[0]) : keyNames;
        return void process.stdout.write(toCsv(headers, flat.map((row) => headers.map((h) => (row as Record<string, string | number | boolean | null>)[h]))));
      }
      const title = dimension === 'top' ? `受理量最多的${level}级分类` : `环比上升最快的${level}级分类（本期至少 ${wholeFlag('min-volume', values['min-volume'], 20, 0)} 件）`;
      const table =
        dimension === 'top'
          ? formatTable(
              ['排名', '分类', '受理量', '占比'],
              rows.map((row, i) => [String(i + 1), categoryPath(row.keys), formatCount(row.received), formatRate(row.share)]),
              [1],
            )
          : formatTable(
              ['排名', '分类', '本期', '上月', '增量', '环比'],
              (rows as CategoryRiser[]).map((row, i) => [
                String(i + 1),
                categoryPath(row.keys),
                formatCount(row.received),
                formatCount(row.previous_received),
                `+${formatCount(row.change)}`,
                row.is_new ? '新出现' : `+${row.change_pct!.toFixed(2)}%`,
              ]),
              [1],
            );
      process.stdout.write(`${title} · ${describePeriod(period)}\n\n${rows.length ? table : '（无）\n'}`);
      return;
    }

    const depth = values.depth === undefined ? undefined : wholeFlag('depth', values.depth, 1);
    const maxDepth = BREAKDOWN_DIMENSIONS[dimension].keys.length;
    if (depth !== undefined && depth > maxDepth) throw usageError(`--depth for ${dimension} takes 1…${maxDepth}`);
    const report = await breakdown(warehouse, dimension, period, { settings, source, depth });
    const flat = report.rows.map((row) => flatRow(report, row));
    if (values.json) {
      return printJson({ ...periodHead(period), dimension, source: report.source, rows: flat });
    }
    if (values.csv) {
      const headers = ['level', ...BREAKDOWN_DIMENSIONS[dimension].keys.map((k) => k.name), 'share', ...KPI_JSON_KEYS, 'overdue', 'returns'];
      return void process.stdout.write(toCsv(headers, flat.map((row) => headers.map((h) => row[h]))));
    }
    const keys = [...TABLE_KEYS, ...(dimension === 'queue' ? (['connection_rate', 'calls_offered'] as const) : [])];
    const definition = BREAKDOWN_DIMENSIONS[dimension];
    const rows = report.rows.map((row) => {
      const name = row.level === 0 ? '合计' : '  '.repeat(row.level - 1) + (row.keys[definition.keys[row.level - 1].name] || '（空）');
      return [name, formatRate(row.share), ...keys.map((key) => formatValue(key, row.values[key]))];
    });
    const headers = [definition.label, '占比', ...keys.map((key) => metricName(key))];
    process.stdout.write(`按${definition.label}拆分 · ${describePeriod(period)}\n\n${formatTable(headers, rows)}\n`);
    process.stdout.write((await describeSettings(warehouse, settings, report.source)) + '\n');
  } finally {
    warehouse.close();
  }
}

