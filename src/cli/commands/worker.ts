// ergo worker --queue redis://HOST:PORT[/DB] [--threads N]: compute the chunks of the runs
// coordinated through that Redis (pipeline/runtime/queueworker.ts does the work).
import { availableParallelism } from 'node:os';
import { action, define, type Command } from '../command.js';
import { EXIT } from '../errors.js';
import { wholeNumber } from '../parsers.js';
import { queueUrl } from '../queueflags.js';
import { TOOL_VERSION } from '../../pipeline/version.js';
import type { QueueUrl } from '../../pipeline/runtime/queueurl.js';

export function register(cmd: Command): void {
  const { program, io } = cmd;
  define(program, 'worker', 'log as JSON lines on stdout ({tool, version, time, message}) instead of text on stderr', 'log only the start, the end and refusals, not every chunk')
    .requiredOption('--queue <url>', 'the Redis the coordinators use: redis://HOST:PORT[/DB]', queueUrl)
    .option('--threads <n>', 'worker threads (chunks computed at once)', wholeNumber('--threads', 1), availableParallelism())
    .action(
      action(cmd, async (o: { queue: QueueUrl; threads: number; json?: boolean; quiet?: boolean }) => {
        const { serveQueue } = await import('../../pipeline/runtime/queueworker.js');
        const { queueTimings } = await import('../../pipeline/runtime/queueproto.js');
        const timings = queueTimings(io.env); // ERGO_QUEUE_* waits (docs/distributed.md)
        const chunkLine = /^(computing|done) /;
        const log = (line: string): void => {
          if (o.quiet && chunkLine.test(line)) return;
          if (o.json) io.stdout.write(JSON.stringify({ tool: 'ergo', version: TOOL_VERSION, time: new Date().toISOString(), message: line }) + '\n');
          else io.stderr.write(`[ergo worker] ${line}\n`);
        };
        const stop = new AbortController();
        const force = new AbortController();
        const onSignal = (sig: NodeJS.Signals): void => {
          if (stop.signal.aborted) force.abort();
          else {
            io.stderr.write(`[ergo worker] ${sig}: finishing the chunks in hand, then exiting (press again to release them at once)\n`);
            stop.abort();
          }
        };
        // As every command (io.interrupt): process signal handlers only when launched as the
        // ergo process; an in-process caller stops the worker through its own AbortSignal.
        const own = io.interrupt === 'process';
        const caller = io.interrupt === 'process' ? undefined : io.interrupt;
        const onAbort = (): void => stop.abort();
        if (own) {
          process.on('SIGINT', onSignal);
          process.on('SIGTERM', onSignal);
        } else caller?.addEventListener('abort', onAbort, { once: true });
        try {
          await serveQueue({ queue: o.queue, threads: o.threads, log, stop: stop.signal, force: force.signal, timings, ...(io.hooks?.beforeChunk ? { beforeChunk: io.hooks.beforeChunk } : {}) });
        } finally {
          if (own) {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
          } else caller?.removeEventListener('abort', onAbort);
        }
        return force.signal.aborted ? EXIT.interrupted : EXIT.ok;
      }),
    );
}
