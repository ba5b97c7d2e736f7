import { ensureHashKey } from '../privacy.js';
import { dataFolders } from '../config.js';
import { mkdirSync } from 'node:fs';
import { COMMON_HELP, commandConfig, log, openWarehouse, parseCommand, printJson } from './common.js';

const HELP = `hotline init — 创建（或升级）数据仓库、哈希密钥和数据目录
Creates or upgrades the warehouse (numbered migrations), the phone-hash key file and the data folders.

Usage: hotline init [--db PATH] [--json]
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, {});
  if (values.help) return void process.stdout.write(HELP + '\n');
  const config = commandConfig(values);
  const { created } = ensureHashKey(config.keyFile);
  for (const folder of Object.values(dataFolders(config))) mkdirSync(folder, { recursive: true });
  const warehouse = await openWarehouse(config);
  const migrations = await warehouse.all<{ version: number; name: string }>('select version, name from schema_migrations order by version');
  warehouse.close();
  const result = { db: config.db, keyFile: config.keyFile, keyCreated: created, migrations: migrations.map((m) => m.name) };
  if (values.json) printJson(result);
  else {
    log(`数据仓库 / warehouse: ${config.db}（schema ${migrations.at(-1)?.name ?? '—'}）`);
    log(`哈希密钥 / hashing key: ${config.keyFile}${created ? '（新建，请备份并妥善保管 / created: back it up, keep it secret）' : '（已存在 / exists）'}`);
  }
}
