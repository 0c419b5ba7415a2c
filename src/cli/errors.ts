// Turning errors into one clear line and an exit code. A UserError (bad file, flag, YAML,
// no layers found, ...) is the user's to fix: exit 2, its message. Anything else is a bug:
// exit 1, one line, and the stack with ERGO_DEBUG=1. A batch of several models where some
// could not be read but the others finished exits 3 (partial); docs/cli.md lists the codes.
import { UserError } from '../errors.js';
import { ioUserError } from '../pipeline/ioerrors.js';
import type { Io } from './io.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, partial: 3, interrupted: 130 } as const;

/** A bad flag or argument. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Print an error for a person and return the exit code to use. */
export function reportError(e: unknown, io: Io): number {
  // A raw full-disk or permission error from anywhere is the user's to fix too (ioerrors.ts).
  const err = ioUserError(e) ?? (e instanceof Error ? e : new Error(String(e)));
  if (err instanceof UserError) {
    io.stderr.write(`ergo: ${err.message}\n`);
    return EXIT.usage;
  }
  io.stderr.write(`ergo: internal error: ${err.message.split('\n')[0]}\n`);
  if (io.env.ERGO_DEBUG) io.stderr.write(`${err.stack}\n`);
  else io.stderr.write('ergo: (set ERGO_DEBUG=1 for the stack trace, and please report it)\n');
  return EXIT.failed;
}
