import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import type { Config } from '../pipelines/config.js';
import type { ArchiveManifest } from '../reports/output.js';
import { dataFolders } from '../pipelines/config.js';

/** The formats of the archive a browser may open or download. */
export const REPORT_TYPES: Record<string, { type: string; inline: boolean }> = {
  '.html': { type: 'text/html; charset=utf-8', inline: true },
  '.pdf': { type: 'application/pdf', inline: false },
  '.docx': { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', inline: false },
};

export interface ArchivedReport {
  /** The path without extension, relative to data/reports/ (with '/'): one report in several formats. */
  id: string;
  title: string;
  modified: string;
  files: { format: string; path: string; bytes: number }[];
}

/** Every report in data/reports/ (two folder levels deep), newest first, grouped by name. */
export function listReports(config: Config): ArchivedReport[] {
  const root = dataFolders(config).reports;
  if (!existsSync(root)) return [];
  const byId = new Map<string, ArchivedReport & { mtime: number }>();
  const walk = (dir: string, depth: number) => {
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.')) continue;
      const full = join(dir, name);
      const stat = statSync(full);
      if (stat.isDirectory()) {
        if (depth > 0) walk(full, depth - 1);
        continue;
      }
      const ext = extname(name).toLowerCase();
      if (!REPORT_TYPES[ext]) continue;
      const rel = relative(root, full).split(sep).join('/');
      const id = rel.slice(0, -ext.length);
      const entry = byId.get(id) ?? { id, title: id.split('/').at(-1)!, modified: '', mtime: 0, files: [] };
      entry.files.push({ format: ext.slice(1), path: rel, bytes: stat.size });
      entry.mtime = Math.max(entry.mtime, stat.mtimeMs);
      byId.set(id, entry);
    }
  };
  walk(root, 2);
  const order = ['html', 'pdf', 'docx'];
  return [...byId.values()]
    .sort((a, b) => b.mtime - a.mtime || b.id.localeCompare(a.id))
    .map(({ mtime, ...report }) => ({
      ...report,
      title: titleOf(join(root, `${report.id}.json`)) ?? report.title,
      modified: new Date(mtime + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' '),
      files: report.files.sort((a, b) => order.indexOf(a.format) - order.indexOf(b.format)),
    }));
}

/**
 * A report's title as its manifest (written beside it) has it — "2026 年 11 月运行月报", a special
 * report with its period — instead of its file name ("2026-11", "heating_2026-11-01_2026-11-30");
 * null without a readable manifest (reports written by hand or before manifests).
 */
function titleOf(manifestPath: string): string | null {
  if (!existsSync(manifestPath)) return null;
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Partial<ArchiveManifest>;
    if (typeof manifest.title !== 'string' || !manifest.title) return null;
    const { from, to } = (manifest.inputs ?? {}) as { from?: unknown; to?: unknown };
    return manifest.kind === 'special' && typeof from === 'string' && typeof to === 'string' ? `${manifest.title}（${from} 至 ${to}）` : manifest.title;
  } catch {
    return null;
  }
}

/** The absolute path of an archived report file, or null when the path leaves the archive or is no report. */
export function reportFile(config: Config, path: string): { file: string; type: string; inline: boolean } | null {
  const folder = dataFolders(config).reports;
  if (!existsSync(folder)) return null;
  const root = realpathSync(folder);
  const wanted = resolve(root, path);
  if (!wanted.startsWith(root + sep) || !existsSync(wanted)) return null;
  // Symbolic links are followed before the check, so none can point out of the archive.
  const file = realpathSync(wanted);
  const kind = REPORT_TYPES[extname(file).toLowerCase()];
  if (!file.startsWith(root + sep) || !kind || !statSync(file).isFile()) return null;
  return { file, ...kind };
}
