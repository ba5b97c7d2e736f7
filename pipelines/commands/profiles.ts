import { FIELDS, loadProfiles, type Kind } from '../ingest/profiles.js';
import { COMMON_HELP, commandConfig, parseCommand, printJson } from './common.js';

const HELP = `hotline profiles — 列出导入映射方案（内置与配置中的 ingest.profileDirs）
Usage: hotline profiles [--json]
Write your own profile as described in PROFILES.md and add its folder to ingest.profileDirs.
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommand(argv, {});
  if (values.help) return void process.stdout.write(HELP + '\n');
  const profiles = loadProfiles(commandConfig(values).ingest.profileDirs);
  if (values.json) {
    return printJson(profiles.map((p) => ({ name: p.name, title: p.title, file: p.file, kinds: Object.keys(p.kinds) })));
  }
  for (const profile of profiles) {
    process.stdout.write(`${profile.name} — ${profile.title}\n  ${profile.file}\n`);
    for (const [kind, spec] of Object.entries(profile.kinds)) {
      const mapped = Object.keys(spec!.columns).length;
      process.stdout.write(`  ${kind}: ${mapped}/${Object.keys(FIELDS[kind as Kind]).length} fields from columns, ${Object.keys(spec!.derive).length} derived\n`);
    }
  }
}
