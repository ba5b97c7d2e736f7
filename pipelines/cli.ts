import { CliError } from './cli-error.js';

interface Command {
  summary: string;
  load: () => Promise<{ run(argv: string[]): Promise<void> }>;
  /**
   * Only reads the warehouse: while the service holds it, the command runs inside the service
   * (command-channel.ts) with the same output. Writers instead say what to do.
   */
  reads?: true;
}

/** Each command lives in its own module, imported only when it runs (start-up stays fast). */
const COMMANDS: Record<string, Command> = {
  init: { summary: '创建数据仓库与哈希密钥 / create the warehouse and the hashing key', load: () => import('./commands/init.js') },
  ingest: { summary: '导入工单、话务、单位导出文件 / load export files', load: () => import('./commands/ingest.js') },
  demo: { summary: '生成演示数据并导入 / generate and load the demo warehouse', load: () => import('./commands/demo.js') },
  serve: { summary: '运行定时任务与网页服务 / run the scheduled jobs and the web server', load: () => import('./commands/serve.js') },
  status: { summary: '仓库概况、导入记录、隔离行 / warehouse status, ingest runs, quarantine', load: () => import('./commands/status.js'), reads: true },
  kpi: { summary: '月度/任意时段考核指标 / KPIs of a month or a date range', load: () => import('./commands/kpi.js'), reads: true },
  breakdown: { summary: '按分类、区县、渠道…拆分指标 / KPIs by category, district, channel …', load: () => import('./commands/breakdown.js'), reads: true },
  ranking: { summary: '承办单位“三率”考评 / lead-unit ranking', load: () => import('./commands/ranking.js'), reads: true },
  export: { summary: '导出为按月分区的 Parquet / export as month-partitioned Parquet', load: () => import('./commands/export.js') },
  profiles: { summary: '列出导入映射方案 / list ingest profiles', load: () => import('./commands/profiles.js') },
  report: { summary: '月报与专报（HTML、PDF、Word）/ monthly and special reports', load: () => import('./commands/report.js'), reads: true },
  hotspots: { summary: '热点预警与集中突发检测 / run the hotspot early warning', load: () => import('./commands/hotspots.js') },
  incidents: { summary: '预警事件列表 / the alert incidents', load: () => import('./commands/incidents.js'), reads: true },
  outlook: { summary: '季节性热点与下月展望（未诉先办）/ seasonal outlook', load: () => import('./commands/outlook.js'), reads: true },
  sql: { summary: '只读 SQL 控制台（单条或交互式）/ read-only ad-hoc SQL', load: () => import('./commands/sql.js') },
  user: { summary: '管理看板账户 / manage dashboard accounts', load: () => import('./commands/user.js') },
  classify: { summary: '诉求文本分类、分类不符与承办单位建议 / text classification and unit suggestion', load: () => import('./commands/classify.js') },
  topics: { summary: '热点问题（同一地点、同一事项的诉求归并）/ hot issues mined from the texts', load: () => import('./commands/topics.js'), reads: true },
  map: { summary: '区县地图：提取边界、检查区县对应 / the district map: boundaries and district check', load: () => import('./commands/map.js'), reads: true },
  detect: { summary: '对计数序列做突增检测 / spike detection on count series', load: () => import('./detect/command.js') },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    'hotline — 12345 热线数据分析与预警 (Hotline Pulse)',
    '',
    'Usage: hotline <command> [options]    (hotline <command> --help for details)',
    '',
    ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    '',
    'Exit codes: 0 ok, 1 failure, 2 usage error. Data on stdout, logs on stderr.',
  ].join('\n');
}

/** Whether the service may run this command for a CLI beside it. */
export function isReadCommand(name: string): boolean {
  return COMMANDS[name]?.reads === true;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`未知命令 / unknown command: ${name}\n\n${help()}\n`);
    return 2;
  }
  try {
    const module = await command.load();
    await module.run(rest);
    return 0;
  } catch (error) {
    // The service holds the warehouse: a reader runs there instead (not when this already is the service).
    if (command.reads && error instanceof CliError && error.name === 'WarehouseBusyError' && !(await import('./commands/common.js')).invocation.getStore()) {
      const forwarded = await (await import('./command-channel.js')).runThroughService(argv).catch((failure: unknown) => failure);
      if (typeof forwarded === 'number') return forwarded;
      if (forwarded instanceof CliError) error = forwarded;
    }
    // A writer beside the service: say what to do instead of only that the file is taken.
    if (!command.reads && error instanceof CliError && error.name === 'WarehouseBusyError') error = new CliError(`${error.message}\n${busyWriterAdvice(name)}`);
    if (error instanceof CliError) {
      process.stderr.write(`hotline ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`hotline ${name}: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}

/** The service's own job that does what a writing command does, if any. */
const SERVICE_JOBS: Record<string, string> = {
  hotspots: 'hotspots-daily 与 incidents-hourly',
  classify: 'text-models',
};

function busyWriterAdvice(name: string): string {
  const job = SERVICE_JOBS[name];
  return (
    `hotline ${name} 会写入数据仓库，服务运行时不能从命令行运行：先停止服务（Ctrl-C）再运行。` +
    (job ? `服务按计划自己运行它（任务 ${job}，时间与结果见看板“数据”页）。` : '') +
    `\nhotline ${name} writes to the warehouse: stop the service first${job ? '; the service runs it on its own schedule (see the 数据 page)' : ''}.`
  );
}

/** Every command but serve ends when it returns; serve keeps running on its own handles. */
export function exitWhenDone(argv: string[], code: number): void {
  if (argv[0] !== 'serve' || code !== 0) process.exit(code);
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) main(process.argv.slice(2)).then((code) => exitWhenDone(process.argv.slice(2), code));
