import { usageError } from '../cli-error.js';
import { STOP_GRACE_MS } from '../scheduler.js';
import { startService } from '../service.js';
import { COMMON_HELP, commandConfig, parseCommand } from './common.js';

const HELP = `hotline serve — 运行定时任务与网页服务（npm start）
Runs the scheduled jobs (the job table in the config, Asia/Shanghai) and the web server in one
process. With an empty warehouse it first generates the demo exports into the inbox and loads them.
SIGINT/SIGTERM stop it cleanly: no new requests or jobs, the file being loaded finishes (or after
15 s rolls back), a checkpoint, exit 0. A second Ctrl-C interrupts the load at once.

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
  let signals = 0;
  const stop = () => {
    if (++signals > 1) {
      // A second Ctrl-C: do not wait for the running load; it rolls back and is loaded at the next start.
      process.stderr.write('立即中断正在运行的任务 / interrupting the running job now\n');
      service.warehouse.connection.interrupt();
      return;
    }
    process.stderr.write('正在停止：正在导入的文件先完成（或回滚），再写入检查点；再按一次 Ctrl-C 立即中断 / stopping: the running load finishes or rolls back, then a checkpoint\n');
    // Should a stop ever hang, the process still ends; DuckDB recovers from its log at the next start.
    setTimeout(() => {
      process.stderr.write('停止超时，强制退出 / the stop took too long: exiting\n');
      process.exit(1);
    }, STOP_GRACE_MS + 60_000).unref();
    service.stop().then(
      () => process.exit(0),
      (error: Error) => {
        process.stderr.write(`停止时出错 / error while stopping: ${error.stack ?? error}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
