// Running an experiment from a command: Ctrl-C handling, progress, and the summary lines
// every command prints the same way. The pipeline modules are imported here on demand, so
// commands that do not run experiments start without loading them.
import { isAbsolute, relative, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import type { Command as Program } from 'commander';
import type { RunConfig } from '../pipeline/config/types.js';
import type { ExperimentOptions, ExperimentResult } from '../pipeline/experiments/index.js';
import { EXIT } from './errors.js';
import { workersCheck } from './parsers.js';
import { info, type Io } from './io.js';

/**
 * Ctrl-C for one run (io.interrupt): with 'process', SIGINT/SIGTERM handlers on this process
 * until dispose(); the first stops handing out chunks, a second one exits at once. With an
 * AbortSignal, the caller's signal. Otherwise a signal that never aborts.
 */
export function interruptController(io: Io): { signal: AbortSignal; dispose: () => void } {
  if (io.interrupt !== 'process') return { signal: io.interrupt ?? new AbortController().signal, dispose: () => {} };
  const ac = new AbortController();
  const handler = (sig: NodeJS.Signals): void => {
    if (ac.signal.aborted) {
      io.stderr.write(`\nergo: second ${sig}: exiting now; finished chunks are kept, resume with the same command\n`);
      process.exit(EXIT.interrupted);
    }
    io.stderr.write(`\nergo: ${sig}: finishing the chunks in flight, then stopping (press again to stop at once)\n`);
    ac.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** A path argument as the user wrote it when it means the same from here, else resolved against io.cwd. */
export function pathArg(io: Io, p: string): string {
  return isAbsolute(p) || io.cwd === process.cwd() ? p : resolve(io.cwd, p);
}

export function shown(io: Io, path: string): string {
  return relative(io.cwd, path) || '.';
}

export interface SessionOptions extends Omit<ExperimentOptions, 'signal' | 'onEvent' | 'hooks'> {
  quiet?: boolean;
  /** The command that resumes this run, for the messages. */
  resumeWith: string;
}

/**
 * Run an experiment with progress and Ctrl-C handling; print the chunk summary and the
 * result files. Returns the result and the exit code (0, 1 for failed chunks, 130 interrupted).
 */
export async function runSession(cfg: RunConfig, opts: SessionOptions, io: Io): Promise<{ result: ExperimentResult; code: number }> {
  const { warning } = opts.queue ? {} : workersCheck(opts.workers ?? 0, availableParallelism());
  if (warning) io.stderr.write(`ergo: warning: ${warning}\n`);
  const { runExperiment } = await import('../pipeline/experiments/index.js');
  const { createProgress } = await import('./progress.js');
  const progress = createProgress(cfg.name, { quiet: !!opts.quiet || !!io.quiet, stream: io.stderr, env: io.env });
  const interrupt = interruptController(io);
  let result: ExperimentResult;
  try {
    result = await runExperiment(cfg, { ...opts, signal: interrupt.signal, onEvent: progress.onEvent, ...(io.hooks ? { hooks: io.hooks } : {}) });
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  const s = result.summary;
  const hint = `resume with: ${opts.resumeWith}`;
  if (s.interrupted) {
    const done = s.manifest.chunks.filter((c) => c.state === 'done').length;
    io.stderr.write(`ergo: interrupted with ${done}/${s.total} chunks done (consistent); ${hint}\n`);
    return { result, code: EXIT.interrupted };
  }
  const parts = [`${s.computed} computed`, `${s.resumed} already done`, `${s.reused} reused`];
  if (s.cached) parts.push(`${s.cached} from the cache`);
  if (s.recomputed.length) parts.push(`${s.recomputed.length} recomputed (damaged or missing)`);
  info(io, `chunks: ${parts.join(', ')}, ${s.failed.length} failed`);
  if (s.failed.length) {
    for (const f of s.failed) io.stderr.write(`ergo: chunk ${f.id} failed: ${f.error}\n`);
    io.stderr.write(`ergo: ${s.failed.length} chunk(s) failed; results not aggregated; fix the cause and ${hint}\n`);
    return { result, code: EXIT.failed };
  }
  // A batch where some networks could not be read: the others finished; exit 3 (partial).
  const skipped = result.report && 'skipped' in result.report ? result.report.skipped ?? [] : [];
  for (const k of skipped) io.stderr.write(`ergo: skipped ${k.name}: ${k.error}\n`);
  if (skipped.length) {
    io.stderr.write(`ergo: ${skipped.length} input(s) could not be read; the others finished (exit ${EXIT.partial}: partial)\n`);
    return { result, code: EXIT.partial };
  }
  return { result, code: EXIT.ok };
}

/**
 * `--no-report` and `--no-plots` of every command that writes a run directory: the results
 * (JSON, CSV) without results/report.html, whose figures (a few per ten layers) are most of the
 * writing time for large networks, or without plots/*.svg; `ergo report <dir>` draws the page
 * later from the directory.
 */
export function figureOptions(c: Program): Program {
  return c
    .option('--no-report', 'do not write results/report.html (ergo report <dir> writes it later)')
    .option('--no-plots', 'do not write plots/*.svg');
}

/** The session options of `--no-report` and `--no-plots` (commander sets `report: false`, `plots: false`). */
export function figureChoice(o: { report?: boolean; plots?: boolean }): { htmlReport?: false; plots?: false } {
  return { ...(o.report === false ? { htmlReport: false } : {}), ...(o.plots === false ? { plots: false } : {}) };
}

export function wroteLine(io: Io, files: readonly string[]): void {
  if (files.length) info(io, `wrote ${files.map((f) => shown(io, f)).join(', ')}`);
}
