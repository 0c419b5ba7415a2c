// Experiment `cpse`: plan = one layer chunk per distinct layer matrix of the networks
// (networks.ts); aggregate = periodic spectral ergodicity per depth and cPSE of each network
// from its layers' spectra (spectral/pse.ts). Results JSON shape: docs/results.md.
import { cpseFromEigenvalues } from '../../spectral/pse.js';
import type { CpseConfig } from '../config/types.js';
import type { Semantics } from '../../spectral/semantics.js';
import { TOOL_VERSION } from '../version.js';
import type { ChunkValues } from './types.js';
import { CPSE_DETERMINISTIC, type CpseReport, type CpseNetworkResult } from '../report/cpse.js';
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
      warnings: [...net.warnings, ...zeroDistanceWarnings(r.dLayers, cfg.semantics, cfg.bins)],
    };
  });
  return { tool: 'ergo', version: TOOL_VERSION, experiment: 'cpse', semantics: cfg.semantics, vanilla: cfg.vanilla, bins: cfg.bins, uncertainty: { method: 'none', reason: CPSE_DETERMINISTIC }, networks, ...(plan.skipped?.length ? { skipped: plan.skipped } : {}) };
}

/** Why a cPSE is -Infinity: some d_layers are exactly 0 (log10 0), and what to try. */
export function zeroDistanceWarnings(dLayers: readonly number[], semantics: Semantics, bins: number): string[] {
  const depths = dLayers.flatMap((d, i) => (d === 0 ? [i + 2] : []));
  if (depths.length === 0) return [];
  const why = semantics === 'definition'
    ? `with ${bins} bins shared by all layers their eigenvalues fall into the same bins (a few layers with far larger eigenvalues stretch the range); more bins (--bins) may separate them`
    : 'their binned densities are identical';
  return [`cPSE = -Infinity: d_layers is exactly 0 at ${depths.length} depth(s) (${depths.join(', ')}): adding those layers leaves Omega unchanged, because ${why}`];
}
