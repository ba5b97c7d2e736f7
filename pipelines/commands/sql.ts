import { createInterface } from 'node:readline/promises';
import { CliError, usageError } from '../cli-error.js';
import { WarehouseBusyError } from '../warehouse.js';
import { snapshotFolder } from '../refresh.js';
import { SqlConsole, SqlConsoleError, currentSnapshot, writeAnalystSnapshot, type QueryResult } from '../sql-console.js';
import { toCsv } from '../csv.js';
import { COMMON_HELP, commandConfig, log, openWarehouse, parseCommand, printJson } from './common.js';
import { formatTable } from './kpi.js';

const HELP = `hotline sql — 分析师 SQL 控制台（只读、不能访问文件、有超时和行数上限）
Runs ad-hoc SQL on the analysts' snapshot of the warehouse, with the dashboard console's rules:
queries only, no files/URLs/extensions/other databases, settings locked, a timeout and a row cap.
Phone hashes are not in the snapshot.

Usage: hotline sql "select …" [--csv|--json] [--timeout SECONDS] [--max-rows N]
       hotline sql              an interactive shell (end statements with ;  \\q quits)
  --refresh        write a fresh snapshot first (while the service runs, it keeps the snapshot fresh itself)
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    { csv: { type: 'boolean', default: false }, timeout: { type: 'string' }, 'max-rows': { type: 'string' }, refresh: { type: 'boolean', default: false } },
    true,
  );
  if (values.help) return void process.stdout.write(HELP + '\n');
  const timeout = values.timeout === undefined ? 30 : Number(values.timeout);
  const maxRows = values['max-rows'] === undefined ? 10_000 : Number(values['max-rows']);
  if (!(timeout > 0)) throw usageError('--timeout takes a number of seconds > 0');
  if (!Number.isInteger(maxRows) || maxRows < 1) throw usageError('--max-rows takes a whole number ≥ 1');
  const config = commandConfig(values);
  const folder = snapshotFolder(config);
  if (values.refresh || !currentSnapshot(folder)) {
    let warehouse;
    try {
      warehouse = await openWarehouse(config);
    } catch (error) {
      if (!(error instanceof WarehouseBusyError)) throw error;
      // The running service keeps the snapshot fresh; this command reads it as it is.
      if (!currentSnapshot(folder)) throw new CliError(`${error.message}\n服务在导入数据后会自动生成分析快照，请稍后再试 / the service writes the analysts' snapshot once data is loaded: try again shortly`);
      log('服务正在运行，每次导入后会更新快照；直接查询当前快照 / the service refreshes the snapshot after every load: using the current one');
    }
    if (warehouse) {
      try {
        await writeAnalystSnapshot(warehouse, folder);
      } finally {
        warehouse.close();
      }
    }
  }
  const console_ = new SqlConsole(folder, { timeoutMs: timeout * 1000, maxRows });
  try {
    if (positionals.length) {
      const result = await console_.query(positionals.join(' '));
      print(result, values.json ? 'json' : values.csv ? 'csv' : 'table');
      return;
    }
    await shell(console_);
  } finally {
    console_.close();
  }
}

async function shell(console_: SqlConsole): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: Boolean(process.stdin.isTTY) });
  log('Hotline Pulse SQL（只读）。语句以 ; 结束，\\q 退出。表：stg_tickets（计入看板数字的工单，按它统计与看板一致）, tickets（含已撤销的）, ticket_units, calls, units, categories, ingest_runs, quarantine …');
  let buffer = '';
  rl.setPrompt(buffer ? '   …> ' : 'sql> ');
  rl.prompt();
  for await (const line of rl) {
    if (!buffer && line.trim() === '\\q') break;
    buffer += line + '\n';
    if (buffer.trim().endsWith(';')) {
      try {
        print(await console_.query(buffer), 'table');
      } catch (error) {
        if (!(error instanceof SqlConsoleError)) throw error;
        log(`错误 / error: ${error.message}`);
      }
      buffer = '';
    }
    rl.setPrompt(buffer ? '   …> ' : 'sql> ');
    rl.prompt();
  }
  rl.close();
}

function print(result: QueryResult, format: 'table' | 'csv' | 'json'): void {
  const names = result.columns.map((c) => c.name);
  if (format === 'json') {
    printJson(result.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]]))));
  } else if (format === 'csv') {
    process.stdout.write(toCsv(names, result.rows));
  } else {
    const text = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v)).replace(/\s+/g, ' ').slice(0, 60);
    process.stdout.write(formatTable(names, result.rows.map((row) => row.map(text)), names.map((_, i) => i)));
  }
  log(`${result.rows.length} 行${result.truncated ? '（已截断到上限 / capped）' : ''}，${result.elapsedMs} ms，快照 ${result.snapshot}`);
}
