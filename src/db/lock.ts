import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The lock that keeps a second process off an embedded database folder (PGlite corrupts a folder opened twice). */

export class DataDirLockedError extends Error {
  constructor(dir: string, pid: number | null, lockFile?: string) {
    super(
      pid != null
        ? `The data folder ${dir} is in use by another pakn process (pid ${pid}). ` +
            `Only one process may open an embedded database; stop the other one, ` +
            `or point PAKN_DATA_DIR at another folder, or set DATABASE_URL to use PostgreSQL.`
        : `The data folder ${dir} is in use by another pakn process (pid unknown: its lock file ${lockFile} ` +
            `holds no process id). Only one process may open an embedded database. If no pakn process uses ` +
            `this folder, delete ${lockFile} and start again.`,
    );
    this.name = 'DataDirLockedError';
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** lock files this process holds (a pid in a lock file equal to ours is stale unless it is here) */
const heldLocks = new Set<string>();

/** The pid in a lock file; null when it is empty or not a pid (a lock is never read as stale then). */
function readPid(file: string): number | null | 'gone' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw e;
  }
  return /^\d+\n?$/.test(text) ? Number.parseInt(text, 10) : null;
}

/** link() a file holding our pid into place: atomic, so the lock is never seen empty or half-written. */
function linkOurPid(tmp: string, target: string): boolean {
  try {
    linkSync(tmp, target);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Takes the data folder's lock file, or throws DataDirLockedError; returns a release function.
 *
 * The pid is written to a private temporary file which is then link()ed to `pakn.lock`: link
 * fails if the lock exists, so exactly one process wins, and the lock never exists without its
 * pid. A lock whose process is gone is stale; to take it over, a process first wins a marker
 * `pakn.lock.stale-<pid>` (again by link, so only one process per stale lock), checks that the lock
 * still names that dead pid, and only then removes it and competes for the lock like everyone
 * else. An empty or unreadable lock is held, never stale.
 */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const absDir = resolve(dir);
  const file = join(absDir, 'pakn.lock');
  const tmp = join(absDir, `pakn.lock.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  writeFileSync(tmp, String(process.pid), { flush: true });
  try {
    for (let attempt = 0; attempt < 200; attempt++) {
      if (linkOurPid(tmp, file)) {
        heldLocks.add(file);
        let released = false;
        return () => {
          if (released) return;
          released = true;
          heldLocks.delete(file);
          if (readPid(file) === process.pid) rmSync(file, { force: true });
        };
      }
      const pid = readPid(file);
      if (pid === 'gone') continue; // released or taken over meanwhile: try again
      if (pid === null) throw new DataDirLockedError(absDir, null, file);
      const stale = pid === process.pid ? !heldLocks.has(file) : !pidAlive(pid);
      if (!stale) throw new DataDirLockedError(absDir, pid);
      // a lock left by a process that died: one process takes it over
      const marker = `${file}.stale-${pid}`;
      if (linkOurPid(tmp, marker)) {
        try {
          if (readPid(file) === pid) rmSync(file, { force: true });
        } finally {
          rmSync(marker, { force: true });
        }
      } else {
        const holder = readPid(marker);
        if (typeof holder === 'number' && (holder === process.pid || !pidAlive(holder)) && readPid(file) === pid) {
          throw new Error(
            `The data folder ${absDir} has a stale lock (${file}, pid ${pid}) whose take-over was interrupted ` +
              `(${marker}). If no pakn process uses this folder, delete both files and start again.`,
          );
        }
        pause(5); // another process is taking the stale lock over
      }
    }
    throw new Error(`Could not lock the data folder ${absDir}`);
  } finally {
    rmSync(tmp, { force: true });
  }
}
