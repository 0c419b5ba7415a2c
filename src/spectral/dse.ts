// Approach to spectral ergodicity (SPEC section 4):
//   D_se(N_i, N_{i+1}) = D(Omega^{N_{i+1}}, Omega^{N_i}) for consecutive sizes, D the
// symmetric KL distance of kl.ts; result i-1 compares sizes i and i-1 (reference
// approach_se). Comparing Omegas only makes sense on the same bins: in 'definition'
// semantics with real eigenvalues, `approachSEFromSpectra` uses one range for all sizes.
import type { Semantics } from './semantics.js';
import { thirumalaiMountain, type EnsembleValues, type ErgodicityOptions } from './ergodicity.js';
import { realRange } from './density.js';
import { klSymmetric } from './kl.js';

/** D_se for consecutive Omegas: result[i-1] = klSymmetric(omegas[i], omegas[i-1]). */
export function approachSE(omegas: readonly ArrayLike<number>[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < omegas.length; i++) out.push(klSymmetric(omegas[i]!, omegas[i - 1]!));
  return out;
}

export interface SweepEntry {
  /** Matrix order N of this size. */
  n: number;
  /** The ensemble's eigenvalues: flat (M*N, member-major) or one array per member. */
  values: EnsembleValues;
  /** Ensemble size M (needed for flat values). */
  ensembleSize?: number;
}

export interface ApproachResult {
  sizes: number[];
  omegas: Float64Array[];
  dse: number[];
}

/**
 * Omega for each size of a sweep (in the given order) and D_se between
 * consecutive sizes. definition + real: one range over all sizes unless given.
 */
export function approachSEFromSpectra(sweep: readonly SweepEntry[], opts: ErgodicityOptions): ApproachResult {
  const semantics: Semantics = opts.semantics ?? 'definition';
  let o = opts;
  if (semantics === 'definition' && opts.kind === 'real' && !opts.range) {
    const lists: ArrayLike<number>[] = [];
    for (const s of sweep) { if (s.values instanceof Float64Array) lists.push(s.values); else lists.push(...s.values); }
    o = { ...opts, range: realRange(lists) };
  }
  const omegas = sweep.map((s) => thirumalaiMountain(s.values, o, s.values instanceof Float64Array ? s.ensembleSize : undefined, s.values instanceof Float64Array ? s.n : undefined));
  return { sizes: sweep.map((s) => s.n), omegas, dse: approachSE(omegas) };
}
