import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';
import type { Config } from './config.js';
import { commandConfig, invocation, type Invocation } from './commands/common.js';
import type { Warehouse } from './warehouse.js';

/**
 * The CLI beside the running service. DuckDB lets one process hold the warehouse, so while
 * `npm start` runs, a read command (hotline kpi, report, status …) cannot open it. Instead it hands
 * its command line to the service, which runs the very same command module on its own warehouse
 * and sends back what it printed and its exit code: the output is byte for byte what the command
 * prints without the service.
 *
 * The channel is a second HTTP server on 127.0.0.1 only, whatever `server.host` says, and every
 * request carries a token that the service writes, readable by its user only, into
 * `<dataDir>/service.json` at start and removes at stop.
 */

const CHANNEL_FILE = 'service.json';

/** The variables that choose the configuration and the warehouse, passed along with the command. */
const CONFIG_ENV = ['HOTLINE_DB', 'HOTLINE_DATA_DIR', 'HOTLINE_CONFIG', 'HOTLINE_KEY_FILE', 'PORT'] as const;

interface ChannelFile {
  pid: number;
  port: number;
  token: string;
  db: string;
  /** The program's files as the service loaded them (codeVersion); absent from older services. */
  code?: string;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The program as it is on disk: the newest modification time among its source and query files and
 * the lock file. The service runs a forwarded command with the modules it loaded at start; after an
 * update (git pull, npm ci) they no longer fit the command's own, and the command would fail with a
 * loader error. A few hundred stat calls.
 */
export function codeVersion(root = ROOT): string {
  let newest = 0;
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (/\.(ts|mjs|js|sql|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const folder of ['pipelines', 'queries', 'reports', 'dashboard', 'bin']) if (existsSync(join(root, folder))) visit(join(root, folder));
  for (const file of ['package.json', 'package-lock.json']) if (existsSync(join(root, file))) newest = Math.max(newest, statSync(join(root, file)).mtimeMs);
  return String(Math.round(newest));
}

interface CommandRequest {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

interface CommandResponse {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function channelFile(config: Config): string {
  return join(config.dataDir, CHANNEL_FILE);
}

// --- the service's side ---------------------------------------------------------------------------

let diverted = false;

/**
 * Sends what a forwarded command writes to stdout/stderr into its response instead of the service's
 * own streams. Only writes made inside the command's asynchronous context are diverted; the
 * service's log lines from its jobs and requests still reach the terminal.
 */
function divertOutput(): void {
  if (diverted) return;
  diverted = true;
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const output = invocation.getStore()?.output;
      if (!output) return original(chunk, ...rest);
      const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8';
      output[name].push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk));
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
}

function sameToken(sent: string, token: string): boolean {
  return sent.length === token.length && timingSafeEqual(Buffer.from(sent), Buffer.from(token));
}

async function readJson(req: IncomingMessage, limit = 1_000_000): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new CliError('command too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export interface CommandChannel {
  port: number;
  close(): Promise<void>;
}

/**
 * Opens the channel for the service holding `warehouse`: `isReadCommand` says which commands it
 * runs (the CLI table's readers); `run` runs one (the CLI's main) and returns its exit code.
 */
export async function openCommandChannel(options: {
  config: Config;
  warehouse: Warehouse;
  isReadCommand: (name: string) => boolean;
  run: (argv: string[]) => Promise<number>;
  /** The program's version as the service loaded it (default: codeVersion() now, at start). */
  code?: string;
}): Promise<CommandChannel> {
  const { config, warehouse } = options;
  const token = randomBytes(32).toString('base64url');
  const db = resolve(warehouse.path);
  divertOutput();
  const server: Server = createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const remote = req.socket.remoteAddress ?? '';
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (!['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(remote) || !sameToken(bearer, token)) return answer(403, { error: 'forbidden' });
    if (req.method !== 'POST' || req.url !== '/run') return answer(404, { error: 'not found' });
    readJson(req)
      .then(async (body) => {
        const { argv, cwd, env } = body as CommandRequest;
        if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string') || typeof cwd !== 'string') return answer(400, { error: 'argv and cwd required' });
        if (!options.isReadCommand(argv[0] ?? '')) return answer(400, { error: `${argv[0]} is not a read command` });
        const output = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
        const context: Invocation = {
          cwd,
          env: Object.fromEntries(CONFIG_ENV.filter((name) => typeof env?.[name] === 'string').map((name) => [name, env[name]])),
          output,
          // The service's warehouse through a connection of its own: no second instance on the file.
          openWarehouse: async (wanted) => {
            if (resolve(wanted.db) !== db) throw new CliError(`服务使用的数据仓库是 ${db}，不是 ${wanted.db} / the service holds ${db}, not ${wanted.db}`);
            return warehouse.session();
          },
        };
        const exitCode = await invocation.run(context, () => options.run(argv));
        const response: CommandResponse = { exitCode, stdout: Buffer.concat(output.stdout).toString('base64'), stderr: Buffer.concat(output.stderr).toString('base64') };
        answer(200, response);
      })
      .catch((error: Error) => answer(400, { error: error.message }));
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const port = (server.address() as AddressInfo).port;
  const file = channelFile(config);
  const content: ChannelFile = { pid: process.pid, port, token, db, code: options.code ?? codeVersion() };
  writeFileSync(`${file}.tmp`, JSON.stringify(content) + '\n', { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return {
    port,
    async close() {
      await new Promise<void>((done) => server.close(() => done()));
      try {
        if ((JSON.parse(readFileSync(file, 'utf8')) as ChannelFile).pid === process.pid) rmSync(file, { force: true });
      } catch {
        // already gone
      }
    },
  };
}

// --- the command line's side ----------------------------------------------------------------------

/** Whether the process `pid` still runs (one of another user counts as running). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `argv` in the service that holds this command's warehouse, printing its output here.
 * Returns its exit code, or null when no running service holds that warehouse.
 */
export async function runThroughService(argv: string[]): Promise<number | null> {
  const { values } = parseArgs({ args: argv.slice(1), options: { db: { type: 'string' }, config: { type: 'string' } }, strict: false, allowPositionals: true });
  const config = commandConfig({ db: values.db, config: values.config });
  const file = channelFile(config);
  if (!existsSync(file)) return null;
  let channel: ChannelFile;
  try {
    channel = JSON.parse(readFileSync(file, 'utf8')) as ChannelFile;
  } catch {
    return null;
  }
  if (channel.db !== resolve(config.db) || !alive(channel.pid)) return null;
  if (channel.code !== undefined && channel.code !== codeVersion()) {
    throw new CliError(
      `正在运行的服务（进程 ${channel.pid}）启动后程序文件有更新，它无法代为运行新版本的命令；请重启服务（Ctrl-C 后重新 npm start）再运行 / the program changed since the service (pid ${channel.pid}) started: restart it, then run the command again`,
    );
  }
  const request: CommandRequest = {
    argv,
    cwd: process.cwd(),
    env: Object.fromEntries(CONFIG_ENV.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]!])),
  };
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${channel.port}/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${channel.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
  } catch {
    return null;
  }
  if (!response.ok) throw new CliError(`服务拒绝了该命令 / the service refused the command: ${((await response.json().catch(() => ({}))) as { error?: string }).error ?? response.status}`);
  const result = (await response.json()) as CommandResponse;
  process.stdout.write(Buffer.from(result.stdout, 'base64'));
  process.stderr.write(Buffer.from(result.stderr, 'base64'));
  return result.exitCode;
}
