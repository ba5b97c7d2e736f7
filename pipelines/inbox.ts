import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { dataFolders, type Config } from './config.js';
import { ingestFile, type FileSummary } from './ingest/ingest.js';
import { loadProfiles } from './ingest/profiles.js';
import { ensureHashKey } from './privacy.js';
import { afterIngest } from './refresh.js';
import type { JobProgress } from './scheduler.js';
import type { Warehouse } from './warehouse.js';

/** A file still being copied in is left for the next run: it must be this old and not growing. */
const SETTLE_MS = 2000;

function settledFiles(inbox: string, now: number): string[] {
  if (!existsSync(inbox)) return [];
  return readdirSync(inbox)
    .filter((name) => !name.startsWith('.') && !/\.(part|tmp|crdownload)$/i.test(name))
    .map((name) => join(inbox, name))
    .filter((path) => {
      const stat = statSync(path);
      return stat.isFile() && now - stat.mtimeMs >= SETTLE_MS;
    })
    .sort();
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
 * The ingest job: loads every settled file in data/inbox/, then moves it to data/archive/<date>/
 * when loaded (or already loaded), or to data/rejected/ with a `.reason.txt` beside it when refused.
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
  for (const file of files) {
    if (hooks.signal?.aborted) break;
    hooks.onProgress?.({ step: 'ingest', filesDone: summaries.length, filesTotal: files.length, file: basename(file), rows, bytesDone: 0, bytesTotal: undefined });
    const summary = await ingestFile(warehouse, file, {
      profiles,
      key,
      maxFieldBytes: config.ingest.maxFieldBytes,
      onProgress: (_name, bytesDone, bytesTotal) => hooks.onProgress?.({ bytesDone, bytesTotal }),
    });
    // Refused while the service stops: the interrupt may be the reason, so the file waits for the next start.
    if (summary.status === 'refused' && hooks.signal?.aborted) break;
    summaries.push(summary);
    if (summary.status === 'refused') {
      const target = moveInto(file, folders.rejected);
      writeFileSync(`${target}.reason.txt`, `${summary.message}\n\n文件 / file: ${basename(file)}\n导入记录 / ingest run: ${summary.runId}\n`);
    } else {
      moveInto(file, join(folders.archive, day));
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
      `${summaries.length} 个文件：导入 ${count('loaded')}，重复 ${count('unchanged')}，拒绝 ${count('refused')}；新增或更新 ${rows} 行，隔离 ${quarantined} 行` +
      (left ? `；服务停止，其余 ${left} 个文件留在收件箱 / stopped: ${left} file(s) left in the inbox` : ''),
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
  renameSync(`${target}.part`, target);
  return target;
}
