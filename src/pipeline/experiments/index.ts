// One entry for every experiment: plan -> lock -> sweep (reconcile, resume, reuse, cache,
// compute on the executor) -> aggregate -> result files. Every experiment writes a manifest
// and its chunks through the same store, so status, export, datasets, resume after a kill
// and `reuse:` work alike for sweeps and network runs.
import { resolve } from 'node:path';
import type { RunConfig } from '../config/types.js';
import { acquireLock, refuseOtherKind, shardLockFile, type Lock } from '../runtime/lock.js';
import { createExecutor, type Executor } from '../runtime/executor.js';
import { bounds, runSweep } from '../runtime/sweep.js';
import { runShard, shardChunks, type Shard } from '../runtime/shard.js';
import type { QueueUrl } from '../runtime/queueurl.js';
import type { SweepHooks } from '../runtime/schedule.js';
import type { RunEvent, RunSummary } from '../runtime/events.js';
import { openDataset, readChunk, type Dataset } from '../runtime/dataset.js';
import type { Chunk } from '../runtime/chunk.js';
import { clearPreviousOutputs, recordOutputs } from '../runtime/outputs.js';
import { writeErgodicityReport, type ErgodicityReport } from '../report/ergodicity.js';
import { writeCpseReport, type CpseReport } from '../report/cpse.js';
import { writeCsdReport, type CsdReport } from '../report/csd.js';
import { writeMmeReport, type MmeReport } from '../report/mme.js';
import { writeHtmlReport } from '../report/html.js';
import type { WriteOptions } from '../report/json.js';
import { planErgodicity, aggregateErgodicity } from './ergodicity.js';
import { planCpse, aggregateCpse } from './cpse.js';
import { planCsd, aggregateCsd, csdChunks } from './csd.js';
import { planMme, aggregateMme } from './mme.js';

export interface ExperimentOptions {
  /** The run directory (manifest.json, chunks/, results/, plots/). */
  outDir: string;
  /** Where chunks are computed; default: a thread pool of `workers` (0 = this thread), closed at the end. */
  executor?: Executor;
  workers?: number;
  /** Discard whatever the directory holds first. */
  fresh?: boolean;
  /** The directory holds a run of other data keys: refuse (default) or replace it. */
  onConfigChange?: 'refuse' | 'replace';
  /** Spectrum cache for layer and reference chunks (runtime/cache.ts); none by default. */
  cacheDir?: string;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  /** Test hooks (runtime/schedule.ts); never set by the command line. */
  hooks?: SweepHooks;
  /** Compute through this Redis queue (runtime/queue.ts; `ergo worker` processes compute); `workers` is then unused. */
  queue?: QueueUrl;
  /** Compute only this shard's chunks into the directory and aggregate nothing (runtime/shard.ts). */
  shard?: Shard;
  /** Write results/, plots/ and the HTML page (default); false: aggregate only (`--json` without `-o`, whose run directory is temporary). */
  writeOutputs?: boolean;
  /** With the outputs, also results/report.html (default); false: no page (`--no-report`; `ergo report DIR` writes it later). */
  htmlReport?: boolean;
  /** With the outputs, also plots/*.svg (default); false: none (`--no-plots`). */
  plots?: boolean;
}

export type ExperimentReport = ErgodicityReport | CpseReport | CsdReport | MmeReport;

export interface ExperimentResult {
  summary: RunSummary;
  /** Absent when the run was interrupted or chunks failed (nothing aggregated). */
  report?: ExperimentReport;
  /** Result files written (absolute paths). */
  files: string[];
}

interface Prepared {
  chunks: readonly Chunk[];
  groups?: ReadonlyMap<string, string>;
  /** Aggregate the finished run; `write` then writes its results and plots, returning the files. */
  finish: (ds: Dataset, summary: RunSummary) => { report: ExperimentReport; write: (o: WriteOptions) => Promise<string[]> };
}

/** Plan an experiment; `finish` aggregates the finished run and writes its results. */
async function prepare(cfg: RunConfig): Promise<Prepared> {
  const values = (ds: Dataset) => (id: string) => readChunk(ds, id).values;
  switch (cfg.experiment) {
    case 'spectral-ergodicity': {
      const chunks = planErgodicity(cfg);
      return {
        chunks,
        finish: (ds) => {
          const { report, series } = aggregateErgodicity(ds, cfg);
          const n = cfg.plot.eigenphaseSize ?? cfg.sizes[Math.min(cfg.sizes.length - 1, Math.floor(cfg.sizes.length / 2))]!;
          const first = { n, series: series.map((s) => ({ label: s.label, theta: s.sizes.find((z) => z.n === n)!.members[0]! })) };
          return { report, write: (o) => writeErgodicityReport(ds.dir, report, cfg, first, o) };
        },
      };
    }
    case 'cpse': {
      const plan = await planCpse(cfg);
      return {
        chunks: plan.chunks,
        groups: plan.groups,
        finish: (ds, summary) => {
          const backendOf = (id: string) => readChunk(ds, id).metadata.get('ergo.backend') ?? 'unrecorded';
          const report = aggregateCpse(values(ds), cfg, plan, summary.computedIds, backendOf);
          return { report, write: (o) => writeCpseReport(ds.dir, report, o) };
        },
      };
    }
    case 'csd': {
      const plan = await planCsd(cfg);
      return {
        chunks: csdChunks(plan),
        groups: plan.groups,
        finish: (ds) => {
          const report = aggregateCsd(values(ds), cfg, plan);
          return { report, write: (o) => writeCsdReport(ds.dir, report, undefined, cfg.plot.smooth, o) };
        },
      };
    }
    case 'mme': {
      const plan = planMme(cfg);
      return {
        chunks: plan.chunks,
        finish: (ds) => {
          const report = aggregateMme(values(ds), cfg, plan);
          return { report, write: (o) => writeMmeReport(ds.dir, report, o) };
        },
      };
    }
  }
}

/** The directory's lock: the run's, or this shard's; refuses while the other kind holds it. */
function lockFor(dir: string, shard: Shard | undefined): Lock {
  const lock = acquireLock(dir, shard ? shardLockFile(shard.index, shard.count) : undefined);
  try {
    refuseOtherKind(dir, !!shard);
  } catch (e) {
    lock.release();
    throw e;
  }
  return lock;
}

/** Run (or resume) an experiment into `opts.outDir`. */
export async function runExperiment(cfg: RunConfig, opts: ExperimentOptions): Promise<ExperimentResult> {
  const prepared = await prepare(cfg); // validates the plan before anything is written
  const dir = resolve(opts.outDir);
  if (opts.shard && opts.queue) throw new Error('a run is either a shard or a queue coordinator'); // the CLI refuses the pair first
  // A queue coordinator computes nothing itself: it holds one result at a time.
  const computeHere = opts.queue ? 0 : opts.executor?.concurrency ?? opts.workers ?? 0;
  bounds(dir, opts.shard ? shardChunks(prepared.chunks, opts.shard) : prepared.chunks, computeHere);
  const lock = lockFor(dir, opts.shard);
  let executor: Executor;
  let queue: import('../runtime/queue.js').QueueExecutor | undefined;
  try {
    if (opts.executor) executor = opts.executor;
    else if (opts.queue) {
      // Loaded only for queue runs (BullMQ and ioredis are not needed otherwise).
      const { QueueExecutor } = await import('../runtime/queue.js');
      const { queueName } = await import('../runtime/queueproto.js');
      executor = queue = await QueueExecutor.open(opts.queue, queueName(prepared.chunks), cfg.name);
    } else executor = createExecutor(opts.workers ?? 0);
  } catch (e) {
    lock.release();
    throw e;
  }
  try {
    if (lock.tookOver) opts.onEvent?.({ type: 'note', message: `took over a stale lock of pid ${lock.tookOver.pid}` });
    if (queue) opts.onEvent?.({ type: 'note', message: `computing on ${queue.description}; start \`ergo worker --queue ${opts.queue!.url}\` on the machines that compute` });
    const sweep = { ...opts, outDir: dir, executor, ...(prepared.groups ? { groups: prepared.groups } : {}) };
    if (opts.shard) return { summary: await runShard(cfg, prepared.chunks, opts.shard, sweep), files: [] };
    const summary = await runSweep(cfg, prepared.chunks, sweep);
    if (queue?.adopted) opts.onEvent?.({ type: 'note', message: `${queue.adopted} chunk(s) were already on the queue (queued or finished before this run started) and were adopted` });
    if (summary.interrupted || summary.failed.length) return { summary, files: [] };
    await queue?.retire();
    clearPreviousOutputs(dir); // the last run's results and plots (runtime/outputs.ts)
    const { report, write } = prepared.finish(openDataset(dir), summary);
    if (opts.writeOutputs === false) return { summary, report, files: [] };
    const files = await write({ plots: opts.plots !== false });
    // The page is built from what the directory now holds, as `ergo report` rebuilds it. The
    // results are written by now: a page that cannot be drawn is a note, not a lost run.
    if (opts.htmlReport !== false) {
      try {
        files.push(await writeHtmlReport(dir));
      } catch (e) {
        opts.onEvent?.({ type: 'note', message: `results/report.html not written (${(e as Error).message}); the results are complete, retry with: ergo report ${dir}` });
      }
    }
    recordOutputs(dir, files);
    return { summary, report, files };
  } finally {
    if (!opts.executor) await executor.close();
    lock.release();
  }
}
