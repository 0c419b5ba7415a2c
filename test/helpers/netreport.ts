// Test helpers: cpse and csd reports of networks through runExperiment (a fresh run
// directory each time, the given executor and spectrum cache), as the library runs them.
import type { Semantics } from '../../src/spectral/semantics.js';
import type { NetworkSpec, CpseConfig, CsdConfig, CsdAgainst } from '../../src/pipeline/config/types.js';
import { runExperiment } from '../../src/pipeline/experiments/index.js';
import type { CpseReport } from '../../src/pipeline/report/cpse.js';
import type { CsdReport } from '../../src/pipeline/report/csd.js';
import type { Executor } from '../../src/pipeline/runtime/executor.js';
import { tempDir } from './cli.js';

export interface Ctx {
  executor: Executor;
  cacheDir: string;
  semantics?: Semantics;
  vanilla?: boolean;
  signal?: AbortSignal;
}

const common = { name: 'test', seed: 0, retries: 0, reuse: [], plot: { maxPoints: 4096 } };

// Only the report is returned and the run directory is thrown away, so no result files are
// written (writeOutputs: false): plots and the HTML page are tested on their own (cli.outputs,
// report.*), and drawing them here cost about 30 renderings per suite run.
async function run(cfg: CpseConfig | CsdConfig, ctx: Ctx): Promise<unknown> {
  const r = await runExperiment(cfg, { outDir: tempDir('ergo-run-'), executor: ctx.executor, cacheDir: ctx.cacheDir, writeOutputs: false, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  if (!r.report) throw new Error(r.summary.interrupted ? 'interrupted' : `failed: ${JSON.stringify(r.summary.failed)}`);
  return r.report;
}

export async function cpseReport(specs: NetworkSpec[], ctx: Ctx, o: { bins: number }): Promise<CpseReport> {
  return (await run({ ...common, experiment: 'cpse', semantics: ctx.semantics ?? 'definition', networks: specs, bins: o.bins, vanilla: !!ctx.vanilla }, ctx)) as CpseReport;
}

export interface CsdOptions {
  eMax: number;
  bins: number;
  tolerance: number;
  delta: number;
  draws: number;
  seed: string | number;
  against: CsdAgainst;
  gaussianTwin: boolean;
  normalise?: 'none' | 'trace';
}

export async function csdReport(specs: NetworkSpec[], ctx: Ctx, o: CsdOptions): Promise<CsdReport> {
  const csd = { eMax: o.eMax, bins: o.bins, tolerance: o.tolerance, delta: o.delta, draws: o.draws, against: o.against, gaussianInit: o.gaussianTwin, normalise: o.normalise ?? 'none' };
  return (await run({ ...common, experiment: 'csd', seed: o.seed, semantics: 'definition', networks: specs, csd }, ctx)) as CsdReport;
}
