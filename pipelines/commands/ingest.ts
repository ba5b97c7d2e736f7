import { dataFolders } from '../config.js';
import { usageError } from '../cli-error.js';
import { ingestPaths, type FileSummary } from '../ingest/ingest.js';
import { KINDS, loadProfiles, type Kind } from '../ingest/profiles.js';
import type { Encoding, Format } from '../ingest/source.js';
import { ensureHashKey } from '../privacy.js';
import { WarehouseBusyError } from '../warehouse.js';
import { CliError } from '../cli-error.js';
import { COMMON_HELP, commandConfig, log, openWarehouse, parseCommand, printJson } from './common.js';
import { afterIngest } from '../refresh.js';
import { progressBar } from './progress.js';

const HELP = `hotline ingest — 导入导出文件（工单、话务、承办单位、分类）
Loads export files (CSV in UTF-8/UTF-16/GBK, XLSX, JSON/NDJSON, Parquet) into the warehouse.
Re-importing a file changes nothing; a newer export of the same tickets updates them.
Bad rows are quarantined with their line and reason; the good rows of the file still load.

Usage: hotline ingest FILE|DIR... [options]
  --profile NAME   mapping profile (default: detected from the headers; see hotline profiles)
  --kind KIND      tickets | calls | units | categories (default: detected)
  --sheet NAME     XLSX sheet (default: the first sheet with data)
  --encoding ENC   utf-8 | utf-16le | utf-16be | gb18030 (default: detected)
  --format FMT     csv | xlsx | json | ndjson | parquet (default: from the name and bytes)
  --force          load again even if the same bytes were loaded before with the same profile
                   (a file is loaded again anyway when its profile changed since)
${COMMON_HELP}

Exit code 1 when any file was refused or had every row quarantined.
Try a mapping first, without writing anything: hotline profiles check FILE`;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    {
      profile: { type: 'string' },
      kind: { type: 'string' },
      sheet: { type: 'string' },
      encoding: { type: 'string' },
      format: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
    true,
  );
  if (values.help) return void process.stdout.write(HELP + '\n');
  if (!positionals.length) throw usageError('请给出要导入的文件或目录 / name at least one FILE or DIR');
  if (values.kind && !KINDS.includes(values.kind as Kind)) throw usageError(`--kind 应为 ${KINDS.join(' | ')}`);
  if (values.encoding && !['utf-8', 'utf-16le', 'utf-16be', 'gb18030', 'gbk'].includes(values.encoding)) throw usageError('--encoding 应为 utf-8 | utf-16le | utf-16be | gb18030');
  if (values.format && !['csv', 'xlsx', 'json', 'ndjson', 'parquet'].includes(values.format)) throw usageError('--format 应为 csv | xlsx | json | ndjson | parquet');
  const config = commandConfig(values);
  const profiles = loadProfiles(config.ingest.profileDirs);
  const { key } = ensureHashKey(config.keyFile);
  let warehouse;
  try {
    warehouse = await openWarehouse(config);
  } catch (error) {
    if (error instanceof WarehouseBusyError) {
      throw new CliError(`${error.message}\n请把文件放进收件箱，服务会在几分钟内自动导入 / drop the file into the inbox instead; the service loads it within minutes:\n  cp ${positionals.join(' ')} ${dataFolders(config).inbox}/`);
    }
    throw error;
  }
  const bar = progressBar();
  let summaries: FileSummary[];
  try {
    summaries = await ingestPaths(warehouse, positionals, {
      profiles,
      key,
      maxFieldBytes: config.ingest.maxFieldBytes,
      profile: values.profile,
      kind: values.kind as Kind | undefined,
      sheet: values.sheet,
      encoding: (values.encoding === 'gbk' ? 'gb18030' : values.encoding) as Encoding | undefined,
      format: values.format as Format | undefined,
      force: values.force,
      onProgress: bar.update,
    });
    bar.done();
    if (summaries.some((s) => s.status === 'loaded')) await afterIngest(warehouse, config);
  } finally {
    warehouse.close();
  }
  if (values.json) printJson(summaries);
  else printSummaries(summaries);
  const refused = summaries.filter((s) => s.status === 'refused').length;
  const quarantined = summaries.filter((s) => s.status === 'quarantined').length;
  if (refused || quarantined) {
    const parts = [refused ? `${refused} 个文件被拒绝 / ${refused} file(s) refused` : '', quarantined ? `${quarantined} 个文件的所有行都被隔离 / ${quarantined} file(s) with every row quarantined` : ''];
    throw new CliError(parts.filter(Boolean).join('；'));
  }
}

export function printSummaries(summaries: FileSummary[]): void {
  for (const s of summaries) {
    const head = `${s.file}`;
    if (s.status === 'refused') {
      log(`✗ ${head}\n    拒绝 / refused: ${s.message}`);
      continue;
    }
    if (s.status === 'unchanged') {
      log(`= ${head}\n    ${s.message}`);
      continue;
    }
    const mark = s.status === 'quarantined' ? '✗' : '✓';
    log(
      `${mark} ${head}  [${s.profile}/${s.kind}, ${s.format}${s.encoding ? ', ' + s.encoding : ''}]\n` +
        `    新增 loaded ${s.loaded}  更新 updated ${s.updated}  未变 unchanged ${s.unchanged}  隔离 quarantined ${s.quarantined}  ` +
        `（共 ${s.rowsRead} 行, ${(s.durationMs / 1000).toFixed(1)} s${s.durationMs > 0 && s.rowsRead > 0 ? `, ${Math.round((s.rowsRead * 1000) / s.durationMs).toLocaleString('en')} 行/秒 rows/s` : ''}）${s.message ? '\n    ' + s.message.replaceAll('\n', '\n    ') : ''}` +
        (s.unmapped.length ? `\n    未使用的列 / columns not read by the profile: ${s.unmapped.join('、')}` : '') +
        (s.quarantined ? `\n    查看隔离行 / see the quarantined rows: hotline status --quarantine --run ${s.runId}` : ''),
    );
  }
}
