// Progress for long runs (sweeps, cpse and csd alike): a live bar on a terminal; plain,
// periodic log lines otherwise (CI, nohup, redirected output), so an overnight log shows how
// far a run got. The ETA weighs chunks by their cost (events carry it: ~n*n*m + n^3 for a
// layer), so one large layer left is not mistaken for one small chunk left.
import type CliProgress from 'cli-progress';
import type { RunEvent } from '../pipeline/runtime/events.js';
import type { OutStream } from './io.js';
import { cliProgress } from '../pipeline/vendor.js';

export interface ProgressOptions {
  /** Force the terminal bar (true) or log lines (false); default: stderr.isTTY. */
  tty?: boolean;
  /** Seconds between log lines when not a terminal. */
  intervalSeconds?: number;
  quiet?: boolean;
  write?: (line: string) => void;
  /** Where the bar is drawn (default process.stderr). */
  stream?: OutStream;
  env?: NodeJS.ProcessEnv;
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function createProgress(label: string, opts: ProgressOptions = {}): { onEvent: (e: RunEvent) => void; stop: () => void } {
  const stream = opts.stream ?? process.stderr;
  const env = opts.env ?? process.env;
  const write = opts.write ?? ((line: string) => stream.write(line + '\n'));
  // ERGO_PROGRESS=bar forces the bar (e.g. under a pseudo-terminal that hides isTTY), =log forces lines.
  const mode = env.ERGO_PROGRESS;
  const tty = opts.tty ?? (mode === 'bar' || (stream.isTTY === true && mode !== 'log'));
  const interval = (opts.intervalSeconds ?? Number(env.ERGO_LOG_INTERVAL ?? 10)) * 1000;
  let bar: CliProgress.SingleBar | undefined;
  let started = 0;
  let startDone = 0;
  let lastLog = 0;
  let total = 0;
  let startCost = 0;
  let totalCost = 0;
  let doneCost = 0;
  // Seconds left: remaining cost over the cost rate of this run (chunk counts without costs).
  const eta = (done: number, elapsed: number): number => {
    if (totalCost > 0) {
      const rate = (doneCost - startCost) / Math.max(elapsed, 1e-3);
      return rate > 0 ? (totalCost - doneCost) / rate : Infinity;
    }
    const rate = (done - startDone) / Math.max(elapsed, 1e-3);
    return rate > 0 ? (total - done) / rate : Infinity;
  };
  const line = (done: number): string => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = (done - startDone) / Math.max(elapsed, 1e-3);
    const pct = total ? Math.floor((100 * done) / total) : 100;
    return `[ergo] ${label}: ${done}/${total} chunks (${pct}%), ${rate.toFixed(2)} chunks/s, elapsed ${formatSeconds(elapsed)}, ETA ${done >= total ? '0 s' : formatSeconds(eta(done, elapsed))}`;
  };
  // A message while the bar is drawn: clear the bar's line, print, let the next update redraw it.
  const say = (s: string): void => {
    if (bar) stream.write(`\r\x1b[2K${s}\n`);
    else write(s);
  };
  const onEvent = (e: RunEvent): void => {
    if (opts.quiet && e.type !== 'failed' && e.type !== 'note') return; // notes (recomputed chunks, reuse) always show
    switch (e.type) {
      case 'start':
        started = Date.now();
        startDone = e.done;
        total = e.total;
        totalCost = e.totalCost ?? 0;
        startCost = doneCost = e.doneCost ?? 0;
        write(`[ergo] ${label}: ${e.total} chunks, ${e.done} already done, ${e.toCompute} to compute`);
        if (tty && e.toCompute > 0) {
          const lib = cliProgress();
          bar = new lib.SingleBar(
            {
              format: `${label} |{bar}| {value}/{total} chunks | {rate} chunks/s | ETA {left}`,
              stream: stream as NodeJS.WritableStream,
              etaBuffer: 20,
              hideCursor: true,
              forceRedraw: true,
              // Forced bar mode on a stream that is not a terminal: cli-progress would draw
              // nothing; noTTYOutput makes it print the bar as a line every notTTYSchedule ms.
              noTTYOutput: stream.isTTY !== true,
              notTTYSchedule: 1000,
            },
            lib.Presets.shades_classic,
          );
          bar.start(e.total, e.done, { rate: '0.00', left: '?' });
        }
        lastLog = Date.now();
        break;
      case 'chunk': {
        doneCost = e.doneCost ?? doneCost;
        if (bar) {
          const elapsed = (Date.now() - started) / 1000;
          const left = e.done >= e.total ? '0 s' : formatSeconds(eta(e.done, elapsed));
          bar.update(e.done, { rate: ((e.done - startDone) / Math.max(elapsed, 1e-3)).toFixed(2), left });
        } else if (Date.now() - lastLog >= interval || e.done === e.total) {
          lastLog = Date.now();
          write(line(e.done));
        }
        break;
      }
      case 'retry':
        say(`[ergo] chunk ${e.id} failed (attempt ${e.attempt}): ${e.error}; retrying`);
        break;
      case 'failed':
        say(`[ergo] chunk ${e.id} FAILED: ${e.error}`);
        break;
      case 'note':
        say(`[ergo] ${e.message}`);
        break;
    }
  };
  return {
    onEvent,
    stop: () => {
      bar?.stop();
      bar = undefined;
    },
  };
}
