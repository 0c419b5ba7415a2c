// Experiment `cpse`: plan = one layer chunk per distinct layer matrix of the networks
// (networks.ts); aggregate = periodic spectral ergodicity per depth and cPSE of each network
// from its layers' spectra (spectral/pse.ts). Results JSON shape: docs/results.md.
import { cpseFromEigenvalues } from '../../spectral/pse.js';
import type { CpseConfig } from '../config/types.js';
import { TOOL_VERSION } from '../version.js';
import type { ChunkValues } from './types.js';
import type { CpseReport, CpseNetworkResult } from '../report/cpse.js';
import { planLayers, cachedFlags, type LayerPlan } from './networks.js';

export type { CpseReport, CpseNetworkResult } from '../report/cpse.js';

export function planCpse(cfg: CpseConfig): Promise<LayerPlan> {
  return planLayers(cfg.networks, cfg.semantics, cfg.vanilla);
}

/** `backendOf(id)`: the linalg backend recorded in a layer chunk (native, wasm, ts). */
export function aggregateCpse(values: ChunkValues, cfg: CpseConfig, plan: LayerPlan, computed: ReadonlySet<string>, backendOf: (id: string) => string): CpseReport {
  const seen = new Set<string>();
  const networks = plan.networks.map((net): CpseNetworkResult => {
    const ids = net.layers.map((l) => l.chunkId);
    const cached = cachedFlags(ids, computed, seen);
    const r = cpseFromEigenvalues(ids.map(values), { semantics: cfg.semantics, bins: cfg.bins });
    const L = net.layers;
    return {
      name: net.spec.name,
      path: net.spec.path,
      format: net.format,
      layers: L.map((l, i) => ({ index: l.index, name: l.name, shape: l.shape, n: l.n, m: l.m, cached: cached[i]!, backend: backendOf(ids[i]!) })),
      dLayers: r.dLayers.map((d, i) => ({ depth: i + 2, layer: L[i + 1]!.name, n: L[i + 1]!.n, d, log10D: Math.log10(d) })),
      cpse: r.cpse,
      nMax: r.nMax,
      cachedLayers: cached.filter(Boolean).length,
      computedLayers: cached.filter((c) => !c).length,
      warnings: net.warnings,
    };
  });
  return { tool: 'ergo', version: TOOL_VERSION, experiment: 'cpse', semantics: cfg.semantics, vanilla: cfg.vanilla, bins: cfg.bins, networks };
}
