// ergo run <config.yaml>: plan, compute (resumable), aggregate, write results and plots.
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { resolve, relative } from 'node:path';
import { loadConfig } from '../../pipeline/config.js';
import { planRun } from '../../pipeline/plan.js';
import { createExecutor } from '../../pipeline/executor.js';
import { executeRun } from '../../pipeline/run.js';
import { aggregateAndReport } from '../../pipeline/aggregate.js';
import { createProgress } from '../progress.js';
import { action, EXIT, UsageError } from '../errors.js';

export function parseWorkers(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--workers: expected a whole number >= 0 (0 = main thread), got "${v}"`);
  return n;
}

/** SIGINT/SIGTERM: first one stops handing out chunks; a second one exits at once. */
export function interruptController(): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const handler = (sig: NodeJS.Signals): void => {
    if (ac.signal.aborted) {
      process.stderr.write(`\nergo: second ${sig}: exiting now; finished chunks are kept, resume with the same command\n`);
      process.exit(EXIT.interrupted);
    }
    process.stderr.write(`\nergo: ${sig}: finishing the chunks in flight, then stopping (press again to stop at once)\n`);
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

export function register(program: Command): void {
  program
    .command('run')
    .description('run a YAML-configured experiment (resumable; rerun the same command to resume)')
    .argument('<config>', 'YAML run file, e.g. config/quickstart.yaml')
    .option('-o, --out <dir>', 'run directory (default: runs/<name>)')
    .option('-w, --workers <n>', 'worker threads (0 = main thread)', String(availableParallelism()))
    .option('--fresh', 'discard an existing run in the directory and start over')
    .option('-q, --quiet', 'only errors and the final summary')
    .action(
      action(async (configPath: string, o: { out?: string; workers: string; fresh?: boolean; quiet?: boolean }) => {
        const workers = parseWorkers(o.workers);
        const cfg = loadConfig(configPath);
        const plan = planRun(cfg); // validates the seed list before anything is written
        const outDir = resolve(o.out ?? `runs/${cfg.name}`);
        const show = relative(process.cwd(), outDir) || '.';
        const progress = createProgress(cfg.name, { quiet: !!o.quiet });
        const executor = createExecutor(workers);
        const interrupt = interruptController();
        let summary;
        try {
          summary = await executeRun(cfg, plan.chunks, {
            outDir,
            executor,
            fresh: !!o.fresh,
            signal: interrupt.signal,
            onEvent: progress.onEvent,
          });
        } finally {
          progress.stop();
          interrupt.dispose();
          await executor.close();
        }
        const resumeHint = `resume with: ergo run ${configPath} --out ${show}`;
        if (summary.interrupted) {
          const done = summary.manifest.chunks.filter((c) => c.state === 'done').length;
          process.stderr.write(`ergo: interrupted with ${done}/${summary.total} chunks done (consistent); ${resumeHint}\n`);
          return EXIT.interrupted;
        }
        const parts = [`${summary.computed} computed`, `${summary.resumed} already done`, `${summary.reused} reused`];
        if (summary.recomputed.length) parts.push(`${summary.recomputed.length} recomputed (damaged or missing)`);
        process.stderr.write(`[ergo] chunks: ${parts.join(', ')}, ${summary.failed.length} failed\n`);
        if (summary.failed.length) {
          for (const f of summary.failed) process.stderr.write(`ergo: chunk ${f.id} failed: ${f.error}\n`);
          process.stderr.write(`ergo: ${summary.failed.length} chunk(s) failed; results not aggregated; fix the cause and ${resumeHint}\n`);
          return EXIT.failed;
        }
        const written = await aggregateAndReport(outDir, summary.manifest);
        process.stderr.write(`[ergo] wrote ${written.map((f) => relative(process.cwd(), f)).join(', ')}\n`);
        return EXIT.ok;
      }),
    );
}
