// Turning errors into one clear line (no stack traces for user mistakes) and exit codes.
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

const USER_ERRORS = new Set(['ConfigError', 'LockError', 'StoreError', 'WeightsError', 'NpyError', 'NpyFormatError', 'PlotInputError', 'UsageError', 'NonFiniteInputError', 'RangeError', 'BackendError']);

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Print an error for a person and return the exit code to use. */
export function reportError(e: unknown): number {
  const err = e instanceof Error ? e : new Error(String(e));
  if (err.name === 'InterruptedError') {
    process.stderr.write('ergo: interrupted; finished work is cached: rerun the same command to resume\n');
    return EXIT.interrupted;
  }
  if (USER_ERRORS.has(err.name) || (err as NodeJS.ErrnoException).code === 'ENOENT') {
    process.stderr.write(`ergo: ${err.message}\n`);
    return EXIT.usage;
  }
  process.stderr.write(`ergo: internal error: ${err.message}\n`);
  if (process.env.ERGO_DEBUG) process.stderr.write(`${err.stack}\n`);
  else process.stderr.write('ergo: (set ERGO_DEBUG=1 for the stack trace, and please report it)\n');
  return EXIT.failed;
}

/** Wrap a command action so every error ends as a clear line and an exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? EXIT.ok;
    } catch (e) {
      process.exitCode = reportError(e);
    }
  };
}
