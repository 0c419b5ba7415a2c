// Where a CLI invocation reads and writes: the process's streams for `bin/ergo.js`, or
// buffers for a caller running the CLI in-process (tests, other tools).
import type { SweepHooks } from '../pipeline/runtime/schedule.js';

export interface OutStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  /** Environment (ERGO_PROGRESS, ERGO_DEBUG, ERGO_CACHE, ...); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Directory relative paths are resolved against; default process.cwd(). */
  cwd?: string;
  /** Test hooks handed to runExperiment (never set by bin/ergo.js). */
  hooks?: SweepHooks;
  /** -q/--quiet: no progress and no `[ergo]` lines (errors, warnings and results still show). */
  quiet?: boolean;
  /**
   * What stops a run early. 'process': SIGINT/SIGTERM handlers on this process for the
   * length of the run, a second signal exits the process (bin/ergo.js only). An AbortSignal:
   * the run stops when it aborts (in-process callers). Default: nothing, so an in-process
   * call never touches the process's signal handlers or exits it.
   */
  interrupt?: 'process' | AbortSignal;
}

/** The io with defaults filled in. */
export interface Io extends CliIo {
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function withDefaults(io: CliIo): Io {
  return { ...io, env: io.env ?? process.env, cwd: io.cwd ?? process.cwd() };
}

/** An informational `[ergo]` line on stderr, unless -q/--quiet. */
export function info(io: Io, line: string): void {
  if (!io.quiet) io.stderr.write(`[ergo] ${line}\n`);
}
