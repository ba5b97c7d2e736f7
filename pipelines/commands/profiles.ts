import { CliError, usageError } from '../cli-error.js';
import { checkFile, lintProfile, type CheckReport } from '../ingest/check.js';
import { FIELDS, inspectProfiles, KINDS, loadProfiles, type Kind } from '../ingest/profiles.js';
import type { Encoding, Format } from '../ingest/source.js';
import { Warehouse } from '../warehouse.js';
import { COMMON_HELP, commandConfig, parseCommand, printJson } from './common.js';

const HELP = `hotline profiles — 导入映射方案：列出并检查（内置与配置中的 ingest.profileDirs）
Usage:
  hotline profiles [--json]            list every profile and validate it (exit 1 if one is invalid)
  hotline profiles check FILE [options]
                                       dry run: read FILE and map it as hotline ingest would, print
                                       how each field is filled, the first rows as they would be
                                       stored and every problem; writes nothing anywhere
  --profile NAME   use this profile (also enables column positions "#N"); default: detected
  --kind KIND      tickets | calls | units | categories
  --sheet NAME     XLSX sheet
  --encoding ENC   utf-8 | utf-16le | utf-16be | gb18030
  --format FMT     csv | xlsx | json | ndjson | parquet
  --rows N         rows to show (default 5)
Write your own profile as described in PROFILES.md (fields and values: docs/export-format.md) and add
its folder to ingest.profileDirs; a relative folder is read from beside hotline.config.json.
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    {
      profile: { type: 'string' },
      kind: { type: 'string' },
      sheet: { type: 'string' },
      encoding: { type: 'string' },
      format: { type: 'string' },
      rows: { type: 'string' },
    },
    true,
  );
  if (values.help) return void process.stdout.write(HELP + '\n');
  const config = commandConfig(values);
  const [sub, ...files] = positionals;
  if (sub === 'check') {
    if (files.length !== 1) throw usageError('请给出一个要检查的文件 / name one FILE: hotline profiles check FILE');
    if (values.kind && !KINDS.includes(values.kind as Kind)) throw usageError(`--kind 应为 ${KINDS.join(' | ')}`);
    const rows = values.rows === undefined ? 5 : Number(values.rows);
    if (!Number.isInteger(rows) || rows < 0) throw usageError('--rows 应为非负整数 / --rows takes a whole number');
    const report = await checkFile(files[0], {
      profiles: loadProfiles(config.ingest.profileDirs),
      maxFieldBytes: config.ingest.maxFieldBytes,
      profile: values.profile,
      kind: values.kind as Kind | undefined,
      sheet: values.sheet,
      encoding: (values.encoding === 'gbk' ? 'gb18030' : values.encoding) as Encoding | undefined,
      format: values.format as Format | undefined,
      rows,
    });
    if (values.json) printJson(report);
    else process.stdout.write(formatCheck(report));
    if (report.refused) throw new CliError('文件会被拒绝 / the file would be refused');
    if (report.rowsRead > 0 && report.good === 0) throw new CliError('所有行都会被隔离 / every row would be quarantined');
    return;
  }
  if (sub !== undefined) throw usageError(`未知的子命令 / unknown subcommand: ${sub}（可用：check）`);
  await listProfiles(config.ingest.profileDirs, values.json ?? false);
}

/** Lists every profile with what is wrong with it; exit 1 when any is invalid. */
async function listProfiles(dirs: string[], json: boolean): Promise<void> {
  const { profiles, problems } = inspectProfiles(dirs);
  const warehouse = await Warehouse.open(':memory:', { migrate: false });
  const lint = new Map<string, string[]>();
  try {
    for (const profile of profiles) lint.set(profile.file, await lintProfile(profile, warehouse));
  } finally {
    warehouse.close();
  }
  const invalid = problems.length + [...lint.values()].filter((p) => p.length).length;
  if (json) {
    printJson({
      profiles: profiles.map((p) => ({ name: p.name, title: p.title, file: p.file, kinds: Object.keys(p.kinds), problems: lint.get(p.file) ?? [] })),
      invalid: problems,
    });
  } else {
    for (const profile of profiles) {
      const found = lint.get(profile.file) ?? [];
      process.stdout.write(`${found.length ? '✗' : '✓'} ${profile.name} — ${profile.title}\n  ${profile.file}\n`);
      for (const [kind, spec] of Object.entries(profile.kinds)) {
        const mapped = Object.keys(spec!.columns).length;
        const optional = spec!.optional.length ? `, optional: ${spec!.optional.join(', ')}` : '';
        process.stdout.write(`  ${kind}: ${mapped}/${Object.keys(FIELDS[kind as Kind]).length} fields from columns, ${Object.keys(spec!.derive).length} derived${optional}\n`);
      }
      for (const problem of found) process.stdout.write(`  ✗ ${problem}\n`);
    }
    for (const { file, message } of problems) process.stdout.write(`✗ ${file}\n  ${message.replaceAll('\n', '\n  ')}\n`);
  }
  if (invalid) throw new CliError(`${invalid} 个映射方案有问题 / ${invalid} profile(s) with problems`);
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  const text = String(value);
  return text.length > 60 ? text.slice(0, 57) + '…' : text;
}

/** The dry run as text a person reads top to bottom. */
export function formatCheck(report: CheckReport): string {
  const lines: string[] = [`文件 / file: ${report.file}`];
  if (report.format) lines.push(`格式 / format: ${report.format}${report.encoding ? `, ${report.encoding}` : ''}${report.sheet ? `, 工作表 sheet “${report.sheet}”` : ''}`);
  if (report.preamble) lines.push(report.preamble);
  if (report.totals) lines.push(report.totals);
  if (report.refused) {
    lines.push('', `✗ 会被拒绝 / would be refused: ${report.refused}`);
    return lines.join('\n') + '\n';
  }
  lines.push(`映射方案 / profile: ${report.profile}/${report.kind}`, '', '字段 / fields:');
  const width = Math.max(...report.fields.map((f) => f.field.length));
  for (const field of report.fields) lines.push(`  ${field.field.padEnd(width)}  ${field.label}  ← ${field.source}`);
  lines.push('', `未使用的列 / columns not read: ${report.unmapped.length ? report.unmapped.join('、') : '无 / none'}`);
  lines.push('', `前 ${report.rows.length} 行（入库后的样子）/ the first rows as they would be stored:`);
  report.rows.forEach((row) => {
    lines.push(`  — 第 ${row['行']} 行 / line ${row['行']}`);
    for (const [key, value] of Object.entries(row)) {
      if (key === '行') continue;
      lines.push(`    ${key.padEnd(width)}  ${key === 'phone_hash' && value ? '（哈希 / keyed hash）' : formatValue(value)}`);
    }
  });
  lines.push('');
  if (report.problems.length) {
    lines.push(`问题 / problems:`);
    for (const problem of report.problems) {
      lines.push(`  ${problem.rows} 行 rows（第 ${problem.lines.join('、')}${problem.rows > problem.lines.length ? ' …' : ''} 行）：${problem.reason}`);
    }
    lines.push('');
  }
  const verdict = report.rowsRead === 0 ? '文件只有表头 / header only' : report.good === 0 ? '✗ 所有行都会被隔离 / every row would be quarantined' : '✓ 可以导入 / would load';
  lines.push(`${verdict}：共 ${report.rowsRead} 行，可导入 ${report.good} 行，隔离 ${report.quarantined} 行 / ${report.rowsRead} rows, ${report.good} good, ${report.quarantined} quarantined`);
  return lines.join('\n') + '\n';
}
