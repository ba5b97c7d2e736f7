import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { usageError } from '../cli-error.js';
import { Warehouse } from '../warehouse.js';

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
  const config = loadConfig({ file: typeof values.config === 'string' ? values.config : undefined });
  if (typeof values.db === 'string') return { ...config, db: values.db };
  return config;
}

export async function openWarehouse(config: Config): Promise<Warehouse> {
  return Warehouse.open(config.db);
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Logs and progress go to stderr; stdout carries only data. */
export function log(message: string): void {
  process.stderr.write(message + '\n');
}
