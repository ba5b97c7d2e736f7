/**
 * Scratch space for one file's copies while it loads: the UTF-8 copy of a GBK or UTF-16 export,
 * the scanner's rewrite, the CSV a workbook is read into. Those copies hold the export's personal
 * data in clear, so they live in a private folder that the load removes when it ends — and, should
 * the process die first (killed, out of memory, the machine's power), the next load removes it.
 */
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { freemem, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive } from '../command-channel.js';

const SHARED_MEMORY = '/dev/shm';
/** A scratch folder's name: what it is for, and mkdtemp's six characters (`hotline-scratch-ingest-Ab12Cd`; earlier versions left out `scratch-`). */
const FOLDER = /^hotline-(scratch-)?(ingest|check)-[A-Za-z0-9]{6}$/;
/** The file in a scratch folder that names the process using it. */
const OWNER = 'owner.pid';
/** A folder without an owner file (its process died before writing it) is left this long. */
const UNOWNED_GRACE_MS = 60 * 60 * 1000;

/**
 * Where a file's scratch copies go: the shared-memory file system when there is one with room to
 * spare, else the system's temporary folder. Writing the copy to a disk file system costs far more
 * than making it: on the reference machine ext4 took 4.5 s of kernel time for 713 MB that tmpfs took
 * in 0.27 s, and those copies are read once and deleted. They then also never reach a disk. A copy
 * is at most twice its source (GBK → UTF-8 is ×1.5, UTF-16 ASCII ×0.5); the memory file system is
 * used only while that leaves most of it, and of free memory, unused.
 */
export function scratchRoot(sourceBytes: number, root = SHARED_MEMORY): string {
  try {
    accessSync(root, constants.W_OK);
    const space = statfsSync(root);
    const room = Number(space.bavail) * Number(space.bsize);
    const need = 2 * sourceBytes;
    if (need <= room / 2 && need <= freemem() / 4) return root;
  } catch {
    // no shared-memory file system here (macOS, Windows, containers without /dev/shm)
  }
  return tmpdir();
}

/** What a folder's owner file says: this process, on this host (`1234@hostname`). */
function ownerLine(): string {
  return `${process.pid}@${hostname()}`;
}

/**
 * The pid in a scratch folder's owner file and whether it is this host's; null when it has none.
 * The sweep leaves another host's folder alone (a memory file system shared between containers,
 * whose pids are not ours to ask about): its own host's loads remove it.
 */
function ownerOf(folder: string): { pid: number; here: boolean } | null {
  try {
    const [pid, host] = readFileSync(join(folder, OWNER), 'utf8').trim().split('@');
    const n = Number(pid);
    // (no host: written before hosts were named, by a load on this one)
    return Number.isInteger(n) && n > 0 ? { pid: n, here: host === undefined || host === hostname() } : null;
  } catch {
    return null;
  }
}

/** A folder without an owner: being set up right now, or by a process that died before it wrote one. */
function recent(folder: string, now: number): boolean {
  try {
    return now - statSync(folder).mtimeMs < UNOWNED_GRACE_MS;
  } catch {
    return true; // gone already, or not ours to judge
  }
}

/**
 * Removes the scratch folders in `roots` whose process is gone: its pid no longer runs on this
 * host, or it left no owner file and is older than an hour. A folder of a running load is never
 * touched (a reused pid only keeps a stale folder a while longer). Returns the folders removed.
 */
export function sweepScratch(roots: readonly string[] = [SHARED_MEMORY, tmpdir()], now = Date.now()): string[] {
  const removed: string[] = [];
  for (const root of new Set(roots)) {
    let names: string[];
    try {
      names = readdirSync(root).filter((n) => FOLDER.test(n));
    } catch {
      continue;
    }
    for (const name of names) {
      const folder = join(root, name);
      const owner = ownerOf(folder);
      if (owner ? !owner.here || alive(owner.pid) : recent(folder, now)) continue;
      try {
        rmSync(folder, { recursive: true, force: true });
        removed.push(folder);
      } catch {
        // another user's folder: theirs to remove
      }
    }
  }
  return removed;
}

/**
 * A private folder (mode 0700) for one file's scratch copies, on `scratchRoot`, owned by this
 * process; the caller removes it. Folders left by loads whose process died are removed first.
 */
export function scratchFolder(file: string, purpose: 'ingest' | 'check'): string {
  let bytes = 0;
  try {
    bytes = statSync(file).size;
  } catch {
    // a missing file is reported by the read itself
  }
  sweepScratch();
  const folder = mkdtempSync(join(scratchRoot(bytes), `hotline-scratch-${purpose}-`));
  writeFileSync(join(folder, OWNER), ownerLine());
  return folder;
}
