import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArchiveManifest } from './output.js';

/** The report archive as the dashboard lists it: every manifest under <dataDir>/reports, newest first. */
export function listArchivedReports(dataDir: string): (ArchiveManifest & { folder: string })[] {
  const found: (ArchiveManifest & { folder: string })[] = [];
  for (const kind of ['monthly', 'special'] as const) {
    const folder = join(dataDir, 'reports', kind);
    let names: string[];
    try {
      names = readdirSync(folder).filter((n) => n.endsWith('.json'));
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        found.push({ ...(JSON.parse(readFileSync(join(folder, name), 'utf8')) as ArchiveManifest), folder });
      } catch {
        // a manifest being written or damaged: not listed
      }
    }
  }
  return found.sort((a, b) => b.builtAt.localeCompare(a.builtAt));
}
