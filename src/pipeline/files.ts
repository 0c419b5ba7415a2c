// Files the pipeline writes: always atomically (temporary name in the same folder, fsync,
// rename), so a file with its final name is complete whatever kills the process.
import { createHash } from 'node:crypto';
import { openSync, writeSync, fsyncSync, closeSync, renameSync, readdirSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { ioUserError } from './ioerrors.js';

/** A run directory or dataset file that cannot be used as it is (the user can move or repair it). */
export class StoreError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Write bytes to `path` atomically: temporary file in the same folder, fsync, rename.
 * A full disk or a permission problem becomes a one-line IoError (ioerrors.ts); the temporary
 * file is removed, so the folder is as it was before the call. `beforeWrite` (tests only) runs
 * once the temporary file is open and may throw, as a failing disk would.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array | string, beforeWrite?: (path: string) => void): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = join(dirname(path), `.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    const fd = openSync(tmp, 'w');
    try {
      beforeWrite?.(path);
      const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw e;
    }
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    throw ioUserError(e, 'write', path) ?? e;
  }
}

/** Remove temporary files left by an interrupted writer. */
export function cleanTemporaries(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const f of readdirSync(dir)) {
    if (f.startsWith('.') && f.endsWith('.tmp')) {
      rmSync(join(dir, f), { force: true });
      n++;
    }
  }
  return n;
}
