// Symmetric Kullback–Leibler distance and the approach to spectral ergodicity
// (SPEC section 4).
//   D(a, b) = sum a log2((a+s)/(b+s)) + sum b log2((b+s)/(a+s)),  s = 1e-9.
// Same formula in both semantics (the reference's kl_distance_symmetric). The
// sums use numpy's pairwise summation (numpy/_core/src/umath/loops_utils.h)
// so the rounding follows np.sum; log2 is V8's, which can differ from libm in
// the last bit.
//   D_se(N_i, N_{i+1}) = D(Omega^{N_{i+1}}, Omega^{N_i}) for consecutive sizes;
// result i-1 compares sizes i and i-1 (reference approach_se). Comparing
// Omegas only makes sense on the same bins: in 'definition' semantics with
// real eigenvalues, `approachSEFromSpectra` uses one range for all sizes.

import { assertFinite } from '../linalg/types.js';
import type { Semantics } from './semantics.js';
import { thirumalaiMountain, type EnsembleValues, type ErgodicityOptions } from './ergodicity.js';
import { realRange } from './density.js';

export const KL_SHIFT = 1e-9;

// numpy pairwise summation: blocks of <8 summed sequentially, <=128 with 8
// partial sums, larger split in halves (rounded to a multiple of 8).
export function pairwiseSum(a: Float64Array, start = 0, n = a.length): number {
  if (n < 8) {
    let s = -0;
    for (let i = 0; i < n; i++) s += a[start + i]!;
    return s;
  }
  if (n <= 128) {
    const r = [a[start]!, a[start + 1]!, a[start + 2]!, a[start + 3]!, a[start + 4]!, a[start + 5]!, a[start + 6]!, a[start + 7]!];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = r[j]! + a[start + i + j]!;
    let res = ((r[0]! + r[1]!) + (r[2]! + r[3]!)) + ((r[4]! + r[5]!) + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** Symmetric KL distance in bits between two equal-length non-negative vectors. */
export function klSymmetric(a: ArrayLike<number>, b: ArrayLike<number>, shift = KL_SHIFT): number {
  if (a.length !== b.length) throw new RangeError(`klSymmetric: lengths differ (${a.length} vs ${b.length}); compare Omegas on the same bins`);
  assertFinite(a, 'klSymmetric a');
  assertFinite(b, 'klSymmetric b');
  const n = a.length;
  const ta = new Float64Array(n), tb = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const x = a[k]!, y = b[k]!;
    ta[k] = x * Math.log2((x + shift) / (y + shift));
    tb[k] = y * Math.log2((y + shift) / (x + shift));
  }
  return pairwiseSum(ta) + pairwiseSum(tb);
}

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
