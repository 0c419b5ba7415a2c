// Test helpers for ensemble sweeps through the library: the plan of a config and a run of
// it through runExperiment (lock, sweep, aggregate), returning the sweep's summary.
import type { RunConfig } from '../../src/pipeline/config/types.js';
import { planErgodicity } from '../../src/pipeline/experiments/ergodicity.js';
import { runExperiment, type ExperimentOptions } from '../../src/pipeline/experiments/index.js';
import type { EnsembleChunk } from '../../src/pipeline/runtime/chunk.js';
import type { RunSummary } from '../../src/pipeline/runtime/events.js';
import type { SweepHooks } from '../../src/pipeline/runtime/schedule.js';

export function planRun(cfg: RunConfig): { chunks: EnsembleChunk[] } {
  if (cfg.experiment !== 'spectral-ergodicity') throw new Error(`not a sweep config: ${cfg.experiment}`);
  return { chunks: planErgodicity(cfg) };
}

/** The sweep's summary; no figures unless `opts` asks (none of its callers reads them). */
export async function sweep(cfg: RunConfig, opts: ExperimentOptions): Promise<RunSummary> {
  return (await runExperiment(cfg, { htmlReport: false, plots: false, ...opts })).summary;
}

/** Hooks making chunk `id` throw on its first `times` attempts (every attempt without `times`). */
export function failChunk(id: string, times = Infinity): SweepHooks {
  return {
    beforeChunk: (chunk, attempt) => {
      if (chunk === id && attempt <= times) throw new Error(`injected failure on attempt ${attempt}`);
    },
  };
}

/** The 2017 sweep's recipe (spectral, CUE/COE/CSE, seed 2017) at test size: 2 sizes, 8 matrices, 12 chunks. */
export function tinySweep2017(name: string): string {
  return [`name: ${name}`, 'seed: 2017', 'semantics: definition', 'method: spectral', 'ensembles: [CUE, COE, CSE]', 'sizes: [16, 32]', 'matrices: 8', 'chunk: 2', 'delta: 0.2', ''].join('\n');
}
