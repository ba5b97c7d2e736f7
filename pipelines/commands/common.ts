import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { usageError } from '../cli-error.js';
import { Warehouse } from '../warehouse.js';

/**
 * A command run by the service for a CLI beside it (command-channel.ts): the caller's folder and
 * configuration variables, where its output goes, and the service's warehouse to read.
 */
export interface Invocation {
  cwd: string;
  env: NodeJS.ProcessEnv;
  output: { stdout: Buffer[]; stderr: Buffer[] };
  openWarehouse(config: Config): Promise<Warehouse>;
}

export const invocation = new AsyncLocalStorage<Invocation>();

/** A path given on the command line, from the folder the command was typed in. */
export function commandPath(path: string): string {
  return resolve(invocation.getStore()?.cwd ?? process.cwd(), path);
}

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  db: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export const COMMON_HELP = `  --db PATH        warehouse file (default from config, or HOTLINE_DB; data/hotline.duckdb)
  --config FILE    configuration file (default hotline.config.json, or HOTLINE_CONFIG)
  --json           print data as JSON on stdout
  -h, --help       this help`;

/** parseArgs with the common options merged in; a bad flag is a usage error (exit 2). */
export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals, strict: true });
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

/** The config, with --db winning over HOTLINE_DB winning over the file. */
export function commandConfig(values: { db?: unknown; config?: unknown }): Config {
  const caller = invocation.getStore();
  const config = loadConfig({ file: typeof values.config === 'string' ? values.config : undefined, cwd: caller?.cwd, env: caller?.env });
  if (typeof values.db === 'string') return { ...config, db: commandPath(values.db) };
  return config;
}

export async function openWarehouse(config: Config): Promise<Warehouse> {
  return invocation.getStore()?.openWarehouse(config) ?? Warehouse.open(config.db);
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Logs and progress go to stderr; stdout carries only data. */
export function log(message: string): void {
  process.stderr.write(message + '\n');
}
