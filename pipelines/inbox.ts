import { existsSync, mkdirSync, readdirSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { dataFolders, type Config } from './config.js';
import { ingestFile, type FileSummary } from './ingest/ingest.js';
import { loadProfiles } from './ingest/profiles.js';
import { PHASE_LABELS } from './ingest/progress.js';
import { ensureHashKey } from './privacy.js';
import { afterIngest } from './refresh.js';
import type { JobProgress } from './scheduler.js';
import type { Warehouse } from './warehouse.js';

/** A file still being copied in is left for the next run: it must be this old and not growing. */
const SETTLE_MS = 2000;

/** A settled file of the inbox; `profile` is the name of the sub-folder it was dropped into, if any. */
interface InboxFile {
  path: string;
  profile?: string;
}

function isSettled(path: string, now: number): boolean {
  const stat = statSync(path);
  return stat.isFile() && now - stat.mtimeMs >= SETTLE_MS;
}

const visible = (name: string) => !name.startsWith('.') && !/\.(part|tmp|crdownload)$/i.test(name);

/**
 * The settled files of the inbox: those at its top level, and those in a sub-folder named after a
 * profile (`inbox/<profile>/`), which are loaded with that profile instead of detecting one.
 */
function settledFiles(inbox: string, now: number): InboxFile[] {
  if (!existsSync(inbox)) return [];
  const files: InboxFile[] = [];
  for (const name of readdirSync(inbox).filter(visible).sort()) {
    const path = join(inbox, name);
    if (statSync(path).isDirectory()) {
      for (const inner of readdirSync(path).filter(visible).sort()) {
        const file = join(path, inner);
        if (isSettled(file, now)) files.push({ path: file, profile: name });
      }
    } else if (isSettled(path, now)) files.push({ path });
  }
  return files;
}

/** Moves a file to a folder without overwriting an earlier file of the same name. */
function moveInto(path: string, folder: string): string {
  mkdirSync(folder, { recursive: true });
  const ext = extname(path);
  const stem = basename(path, ext);
  let target = join(folder, basename(path));
  for (let n = 2; existsSync(target); n++) target = join(folder, `${stem}.${n}${ext}`);
  renameSync(path, target);
  return target;
}

/** What the service hands the inbox job: a stop signal, a progress sink, a step after each file. */
export interface InboxHooks {
  /** Aborted when the service stops: no further file starts; the rest stay in the inbox. */
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** After each file is loaded (or refused) and moved. */
  afterFile?: (summary: FileSummary) => Promise<void>;
}

/**
 * The ingest job: loads every settled file in data/inbox/ (and its profile sub-folders), then moves
 * it to data/archive/<date>/ when loaded (or already loaded), or to data/rejected/ with a
 * `.reason.txt` beside it when it was refused or every row of it was quarantined. One bad file never
 * stops the others: the job goes on with the next file whatever happened to this one.
 */
export async function ingestInbox(warehouse: Warehouse, config: Config, now = Date.now(), hooks: InboxHooks = {}): Promise<{ summaries: FileSummary[]; message: string }> {
  const folders = dataFolders(config);
  const files = settledFiles(folders.inbox, now);
  if (!files.length) return { summaries: [], message: 'skipped: 收件箱为空 / the inbox is empty' };
  const profiles = loadProfiles(config.ingest.profileDirs);
  const { key } = ensureHashKey(config.keyFile);
  const day = new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
  const summaries: FileSummary[] = [];
  let rows = 0;
  for (const { path, profile } of files) {
    if (hooks.signal?.aborted) break;
    hooks.onProgress?.({ step: 'ingest', filesDone: summaries.length, filesTotal: files.length, file: basename(path), rows, bytesDone: 0, bytesTotal: undefined, phase: undefined, phaseRows: null, rowsPerSecond: null });
    let summary: FileSummary;
    try {
      summary = await ingestFile(warehouse, path, {
        profiles,
        key,
        maxFieldBytes: config.ingest.maxFieldBytes,
        profile,
        onProgress: (load) =>
          hooks.onProgress?.({ bytesDone: load.bytesDone, bytesTotal: load.bytesTotal, phase: PHASE_LABELS[load.phase], phaseRows: load.rows, rowsPerSecond: load.rowsPerSecond }),
      });
    } catch (error) {
      // ingestFile records every refusal itself; this is a failure outside it (e.g. the warehouse).
      if (!existsSync(path)) continue;
      summary = failedSummary(path, error);
    }
    // Refused while the service stops: the interrupt may be the reason, so the file waits for the next start.
    if (summary.status === 'refused' && hooks.signal?.aborted) break;
    summaries.push(summary);
    if (summary.status === 'refused' || summary.status === 'quarantined') {
      const target = moveInto(path, folders.rejected);
      const what = summary.status === 'refused' ? '拒绝 / refused' : '全部隔离 / every row quarantined';
      writeFileSync(
        `${target}.reason.txt`,
        `${what}\n${summary.message}\n\n文件 / file: ${basename(path)}${profile ? `（收件箱子文件夹 ${profile}/ 指定映射方案 / profile from the inbox sub-folder）` : ''}\n导入记录 / ingest run: ${summary.runId ?? '—'}\n`,
      );
    } else {
      moveInto(path, join(folders.archive, day));
    }
    rows += summary.loaded + summary.updated;
    await hooks.afterFile?.(summary);
  }
  hooks.onProgress?.({ step: 'refresh', filesDone: summaries.length, file: undefined, rows });
  if (summaries.some((s) => s.status === 'loaded')) await afterIngest(warehouse, config);
  const count = (status: string) => summaries.filter((s) => s.status === status).length;
  const quarantined = summaries.reduce((n, s) => n + s.quarantined, 0);
  const left = files.length - summaries.length;
  return {
    summaries,
    message:
      `${summaries.length} 个文件：导入 ${count('loaded')}，重复 ${count('unchanged')}，全部隔离 ${count('quarantined')}，拒绝 ${count('refused')}；新增或更新 ${rows} 行，隔离 ${quarantined} 行` +
      (left ? `；服务停止，其余 ${left} 个文件留在收件箱 / stopped: ${left} file(s) left in the inbox` : ''),
  };
}

function failedSummary(path: string, error: unknown): FileSummary {
  return {
    file: path, runId: null, status: 'refused', profile: null, kind: null, format: null, encoding: null,
    rowsRead: 0, loaded: 0, updated: 0, unchanged: 0, quarantined: 0, durationMs: 0, unmapped: [],
    message: `导入时出错 / the load failed: ${String((error as Error)?.message ?? error).split('\n')[0]}`,
  };
}

/**
 * The dashboard's upload path: the bytes are written as `.part` and renamed, so the inbox job never
 * sees half a file. Only the base name is kept (no folders, no leading dots).
 */
export function dropIntoInbox(inbox: string, name: string, body: Buffer): string {
  const safe = basename(name).replace(/^\.+/, '').replace(/[\u0000-\u001f/\\]/g, '_') || 'upload.csv';
  mkdirSync(inbox, { recursive: true });
  let target = join(inbox, safe);
  for (let n = 2; existsSync(target); n++) target = join(inbox, `${basename(safe, extname(safe))}.${n}${extname(safe)}`);
  writeFileSync(`${target}.part`, body);
  // Whole once renamed: dated back by the settling time, the next run loads it at once.
  const settled = new Date(Date.now() - SETTLE_MS);
  utimesSync(`${target}.part`, settled, settled);
  renameSync(`${target}.part`, target);
  return target;
}
