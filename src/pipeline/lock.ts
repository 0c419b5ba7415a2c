// One run per directory: an exclusive lock file holding the owner's pid and host.
// A lock whose process no longer exists on this host is stale and is taken over.
import { openSync, writeSync, closeSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export class LockError extends Error {
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

export function acquireLock(dir: string): Lock {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'run.lock');
  let tookOver: LockInfo | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      const info: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      let released = false;
      return {
        path,
        ...(tookOver ? { tookOver } : {}),
        release() {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let info: LockInfo | undefined;
      try {
        info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
      } catch {
        info = undefined; // unreadable: a writer died between open and write
      }
      const stale = !info || (info.host === hostname() && !alive(info.pid));
      if (!stale) {
        throw new LockError(
          `${dir} is in use by another ergo run (pid ${info!.pid} on ${info!.host}, started ${info!.started}); ` +
            `wait for it to finish, or remove ${path} if that process is gone`,
        );
      }
      tookOver = info;
      rmSync(path, { force: true });
    }
  }
  throw new LockError(`could not lock ${dir}: ${path} keeps reappearing`);
}
