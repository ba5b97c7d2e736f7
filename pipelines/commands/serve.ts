import { usageError } from '../cli-error.js';
import { startService } from '../service.js';
import { COMMON_HELP, commandConfig, parseCommand } from './common.js';

const HELP = `hotline serve — 运行定时任务与网页服务（npm start）
Runs the scheduled jobs (the job table in the config, Asia/Shanghai) and the web server in one
process. With an empty warehouse it first generates the demo exports into the inbox and loads them.

Usage: hotline serve [--port N] [--no-demo]
  --port N     port (default: config server.port, or PORT; 8080)
  --no-demo    do not generate demo data into an empty warehouse
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, { port: { type: 'string' }, 'no-demo': { type: 'boolean', default: false } });
  if (values.help) return void process.stdout.write(HELP + '\n');
  const config = commandConfig(values);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw usageError(`--port: "${values.port}" is not a port number`);
  const service = await startService(config, { port, demo: !values['no-demo'] });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('正在停止… / stopping\n');
    // A file being loaded is rolled back by DuckDB and loaded again at the next start.
    const timeout = setTimeout(() => process.exit(0), 5000);
    await service.stop().catch(() => undefined);
    clearTimeout(timeout);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
