// I/O failures the user can fix (a full disk, a quota, a read-only folder, a permission
// problem) as one-line `IoError`s (a UserError: exit 2) saying what failed, where, what to do
// and that the run resumes: every file is written through a temporary name and renamed
// (files.ts writeFileAtomic), so a failed write leaves the run directory consistent and the
// same command, rerun, continues where it stopped. files.ts converts its errors here; the
// scheduler stops a sweep at the first one (no retries); the CLI converts any stray raw one.
import { UserError } from '../errors.js';

/** errno codes that mean "the machine refused", with what the user can do about each. */
export const IO_FAILURES: Readonly<Record<string, { what: string; fix: string }>> = {
  ENOSPC: { what: 'no space left on the device', fix: 'free some space (or use another --out/--cache)' },
  EDQUOT: { what: 'disk quota exceeded', fix: 'free some space within your quota (or use another --out/--cache)' },
  EROFS: { what: 'the file system is read-only', fix: 'use a writable folder' },
  EACCES: { what: 'permission denied', fix: 'fix the permissions or use another folder' },
  EPERM: { what: 'operation not permitted', fix: 'fix the permissions or use another folder' },
};

export class IoError extends UserError {
  readonly code: string;
  readonly path: string | undefined;
  constructor(message: string, code: string, path: string | undefined, cause: unknown) {
    super(message, { cause });
    this.name = 'IoError';
    this.code = code;
    this.path = path;
  }
}

function errnoOf(e: unknown): NodeJS.ErrnoException | undefined {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' ? (e as NodeJS.ErrnoException) : undefined;
}

/** True when `e` is one of the I/O failures above (an IoError or a raw fs error). */
export function isIoFailure(e: unknown): boolean {
  if (e instanceof IoError) return true;
  const code = errnoOf(e)?.code;
  return code !== undefined && Object.hasOwn(IO_FAILURES, code);
}

/**
 * The IoError for `e`, or undefined when `e` is not an I/O failure the user can fix.
 * `action` and `path` say what was being done where (defaults: the error's syscall and path).
 */
export function ioUserError(e: unknown, action?: string, path?: string): IoError | undefined {
  if (e instanceof IoError) return e;
  const err = errnoOf(e);
  const failure = err?.code !== undefined && Object.hasOwn(IO_FAILURES, err.code) ? IO_FAILURES[err.code] : undefined;
  if (!err || !failure) return undefined;
  const where = path ?? err.path;
  const doing = action ?? err.syscall ?? 'access';
  return new IoError(`cannot ${doing}${where ? ` ${where}` : ''}: ${failure.what} (${err.code}); ${failure.fix}, then rerun the same command to resume`, err.code!, where, e);
}
