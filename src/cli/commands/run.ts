// ergo run <config.yaml>: plan, compute (resumable), aggregate, write results and plots.
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { resolve, relative } from 'node:path';
import { join } from 'node:path';
import { loadConfig, type RunConfig } from '../../pipeline/config.js';
import { acquireLock } from '../../pipeline/lock.js';
import type { SpectraContext } from '../../pipeline/spectra.js';
import { cpseReport, cpseTable, writeCpseReport } from '../../pipeline/networks.js';
import { csdReport, csdTable, writeCsdReport } from '../../pipeline/csdreport.js';
import { networkSpecs, parseWorkers, interruptController } from '../options.js';
import { planRun } from '../../pipeline/plan.js';
import { createExecutor } from '../../pipeline/executor.js';
import { executeRun } from '../../pipeline/run.js';
import { aggregateAndReport } from '../../pipeline/aggregate.js';
import { createProgress } from '../progress.js';
import { action, EXIT } from '../errors.js';

/**
 * cpse and csd experiments from YAML: layer and reference spectra are cached inside the
 * run directory (spectra/), so an interrupted run resumes and a rerun computes nothing.
 */
async function runNetworks(cfg: RunConfig, outDir: string, workers: number): Promise<number> {
  const lock = acquireLock(outDir);
  const executor = createExecutor(workers);
  const interrupt = interruptController();
  try {
    const ctx: SpectraContext = {
      executor,
      cacheDir: join(outDir, 'spectra'),
      semantics: cfg.semantics,
      vanilla: cfg.vanilla,
      signal: interrupt.signal,
      onEvent: (e) => {
        if (e.type === 'layer') process.stderr.write(`[ergo] ${e.network}: layer ${e.done}/${e.total} ${e.name}${e.cached ? ' (cached)' : ''}\n`);
        else if (e.done === e.total || e.done % 20 === 0) process.stderr.write(`[ergo] ${e.family}: ${e.done}/${e.total} reference matrices\n`);
      },
    };
    let files: string[];
    if (cfg.experiment === 'cpse') {
      const report = await cpseReport(cfg.networks, ctx, { bins: cfg.bins });
      process.stdout.write(cpseTable(report));
      files = await writeCpseReport(outDir, report);
    } else {
      const a = cfg.csd.against;
      const against = a === 'circular' ? 'circular-mixed' : a === 'gaussian' ? 'gaussian' : { network: networkSpecs([a], {})[0]! };
      const report = await csdReport(cfg.networks, ctx, { ...cfg.csd, seed: cfg.seed, against, gaussianTwin: cfg.csd.gaussianInit });
      process.stdout.write(csdTable(report));
      files = await writeCsdReport(outDir, report);
    }
    process.stderr.write(`[ergo] wrote ${files.map((f) => relative(process.cwd(), f)).join(', ')}\n`);
    return EXIT.ok;
  } finally {
    interrupt.dispose();
    await executor.close();
    lock.release();
  }
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
        if (cfg.experiment !== 'spectral-ergodicity') return runNetworks(cfg, resolve(o.out ?? `runs/${cfg.name}`), workers);
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
