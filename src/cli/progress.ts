// Progress for long runs: a live bar on a terminal; plain, periodic log lines otherwise
// (CI, nohup, redirected output), so an overnight log shows how far a run got.
import cliProgress from 'cli-progress';
import type { RunEvent } from '../pipeline/run.js';

export interface ProgressOptions {
  /** Force the terminal bar (true) or log lines (false); default: stderr.isTTY. */
  tty?: boolean;
  /** Seconds between log lines when not a terminal. */
  intervalSeconds?: number;
  quiet?: boolean;
  write?: (line: string) => void;
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function createProgress(label: string, opts: ProgressOptions = {}): { onEvent: (e: RunEvent) => void; stop: () => void } {
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  // ERGO_PROGRESS=bar forces the bar (e.g. under a pseudo-terminal that hides isTTY), =log forces lines.
  const mode = process.env.ERGO_PROGRESS;
  const tty = opts.tty ?? (mode === 'bar' || (process.stderr.isTTY === true && mode !== 'log'));
  const interval = (opts.intervalSeconds ?? Number(process.env.ERGO_LOG_INTERVAL ?? 10)) * 1000;
  let bar: cliProgress.SingleBar | undefined;
  let started = 0;
  let startDone = 0;
  let lastLog = 0;
  let total = 0;
  const line = (done: number): string => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = (done - startDone) / Math.max(elapsed, 1e-3);
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const pct = total ? Math.floor((100 * done) / total) : 100;
    return `[ergo] ${label}: ${done}/${total} chunks (${pct}%), ${rate.toFixed(2)} chunks/s, elapsed ${formatSeconds(elapsed)}, ETA ${done >= total ? '0 s' : formatSeconds(eta)}`;
  };
  // A message while the bar is drawn: clear the bar's line, print, let the next update redraw it.
  const say = (s: string): void => {
    if (bar) process.stderr.write(`\r\x1b[2K${s}\n`);
    else write(s);
  };
  const onEvent = (e: RunEvent): void => {
    if (opts.quiet && e.type !== 'failed' && e.type !== 'note') return; // notes (recomputed chunks, reuse) always show
    switch (e.type) {
      case 'start':
        started = Date.now();
        startDone = e.done;
        total = e.total;
        write(`[ergo] ${label}: ${e.total} chunks, ${e.done} already done, ${e.toCompute} to compute`);
        if (tty && e.toCompute > 0) {
          bar = new cliProgress.SingleBar(
            {
              format: `${label} |{bar}| {value}/{total} chunks | {rate} chunks/s | ETA {eta_formatted}`,
              stream: process.stderr,
              etaBuffer: 20,
              hideCursor: true,
              forceRedraw: true,
              // Forced bar mode on a stream that is not a terminal: cli-progress would draw
              // nothing; noTTYOutput makes it print the bar as a line every notTTYSchedule ms.
              noTTYOutput: process.stderr.isTTY !== true,
              notTTYSchedule: 1000,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(e.total, e.done, { rate: '0.00' });
        }
        lastLog = Date.now();
        break;
      case 'chunk': {
        if (bar) {
          const elapsed = (Date.now() - started) / 1000;
          bar.update(e.done, { rate: ((e.done - startDone) / Math.max(elapsed, 1e-3)).toFixed(2) });
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
