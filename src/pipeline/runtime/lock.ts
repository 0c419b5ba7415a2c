// One run per directory: an exclusive lock file holding the owner's pid and host.
// A lock whose process no longer exists on this host is stale and is taken over.
// Shards (`--shard I/N`, shard.ts) of one run share its directory: each takes its own lock
// file (shard-I-of-N.lock), so any number run at once; a plain run and a shard exclude each
// other (each takes its own lock first, then refuses if the other kind is live: whichever
// comes second sees the first).
import { writeFileSync, linkSync, readFileSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../errors.js';

export class LockError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'LockError';
  }
}

interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Lock {
  path: string;
  /** Set when a stale lock was taken over (for the run log). */
  tookOver?: LockInfo;
  release(): void;
}

export const RUN_LOCK = 'run.lock';
export const shardLockFile = (index: number, count: number): string => `shard-${index}-of-${count}.lock`;
const SHARD_LOCK = /^shard-(\d+)-of-(\d+)\.lock$/;

/** The holder of lock file `file` in `dir` if it is live (its process exists, or it is on another host). */
export function liveHolder(dir: string, file: string): LockInfo | undefined {
  let info: LockInfo;
  try {
    info = JSON.parse(readFileSync(join(dir, file), 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
  return info.host !== hostname() || alive(info.pid) ? info : undefined;
}

/** Refuse when another kind of run holds `dir`: shards for a plain run, the plain run for a shard. */
export function refuseOtherKind(dir: string, shard: boolean): void {
  const files = shard ? [RUN_LOCK] : readdirSync(dir).filter((f) => SHARD_LOCK.test(f));
  for (const f of files) {
    const h = liveHolder(dir, f);
    if (!h) continue;
    const m = SHARD_LOCK.exec(f);
    const what = m ? `shard ${m[1]}/${m[2]}` : 'a run without --shard';
    throw new LockError(`${dir} is in use by ${what} (pid ${h.pid} on ${h.host}, started ${h.started}); ${shard ? 'wait for it to finish' : 'wait for every shard to finish, then run this again'} (or remove ${join(dir, f)} if that process is gone)`);
  }
}

export function acquireLock(dir: string, file = RUN_LOCK): Lock {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  let tookOver: LockInfo | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // Written in full under a private name, then hard-linked to run.lock: link() fails
      // if run.lock exists, so the lock appears atomically with its content (never empty).
      const info: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
      const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
      writeFileSync(tmp, JSON.stringify(info));
      try {
        linkSync(tmp, path);
      } finally {
        rmSync(tmp, { force: true });
      }
      let released = false;
      return {
        path,
        ...(tookOver ? { tookOver } : {}),
        release() {
          if (released) return;
          released = true;
          // Only our own lock: never delete one another run has taken over meanwhile.
          try {
            if (readFileSync(path, 'utf8') === JSON.stringify(info)) rmSync(path, { force: true });
          } catch {
            // already gone
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let info: LockInfo | undefined;
      let raw = '';
      try {
        raw = readFileSync(path, 'utf8');
        info = JSON.parse(raw) as LockInfo;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: try again
        info = undefined; // garbage (the lock is always written whole): treat as stale
      }
      const stale = !info || (info.host === hostname() && !alive(info.pid));
      if (!stale) {
        throw new LockError(
          `${dir} is in use by another ergo run (pid ${info!.pid} on ${info!.host}, started ${info!.started}); ` +
            `wait for it to finish, or remove ${path} if that process is gone`,
        );
      }
      // Another process may have taken the stale lock over since we read it; only remove
      // the file if it still holds what we judged stale (narrows, not closes, that window).
      let now = '';
      try {
        now = readFileSync(path, 'utf8');
      } catch {
        now = '';
      }
      if (now !== raw) continue;
      tookOver = info ?? { pid: -1, host: '?', started: '?' };
      rmSync(path, { force: true });
    }
  }
  throw new LockError(`could not lock ${dir}: ${path} keeps reappearing`);
}
