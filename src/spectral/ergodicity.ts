// Thirumalai–Mountain spectral ergodicity metric (SPEC section 4):
//   Omega_k = (1/(M N)) sum_j (rho_j(b_k) - rhobar(b_k))^2,
// rho_j = member j's counts in bin k (density with ensemble size 1),
// rhobar = all members' counts in bin k / M. Suezen, Weber, Cerda,
// arXiv:1704.08693; D. Thirumalai, R. D. Mountain, Phys. Rev. A 42 (1990).
//
// Input: the M*N eigenvalues of an ensemble as one flat array, member j =
// entries j*N .. j*N+N-1 (the reference's layout), or as M arrays of length N.
// Members of unequal size are refused (N in 1/(M N) would be ambiguous).
//
// Semantics
// - bristol: the ensemble is histogrammed as a whole and each member on its
//   own (for real values each member's 10 bins span that member's own
//   min..max, and counts are subtracted bin by bin even though the bins
//   differ, as the reference does); accumulation order and the final
//   `/ M / N` follow the reference.
// - definition: one set of edges for all members and the ensemble (angles:
//   the [-pi, pi] bins of density.ts; real: K bins over `range`, default the
//   ensemble's min..max), so rhobar is exactly the mean of the rho_j.
// Cost: one pass over the M*N values plus O(M K); no sorting.

import { assertFinite } from '../linalg/types.js';
import type { Semantics } from './semantics.js';
import {
  DEFAULT_DELTA, DEFAULT_REAL_BINS, angleEdges, angleHistogram, numpyHistogramAuto, realEdges, realHistogramShared, realRange,
  type SpectrumKind,
} from './density.js';

export interface ErgodicityOptions {
  kind: SpectrumKind;
  semantics?: Semantics;
  /** Angle bin width (kind 'angle'); default 0.2 rad. */
  delta?: number;
  /** definition + real: number of bins (default 10). */
  bins?: number;
  /** definition + real: shared [lo, hi]; default min..max of this ensemble. */
  range?: readonly [number, number];
}

export type EnsembleValues = Float64Array | readonly Float64Array[];

/** Split a flat ensemble into M views of length N (no copies). */
export function splitMembers(values: Float64Array, ensembleSize: number, n: number): Float64Array[] {
  if (!Number.isInteger(ensembleSize) || ensembleSize < 1) throw new RangeError(`ensemble size must be an integer >= 1, got ${ensembleSize}`);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`N must be an integer >= 1, got ${n}`);
  if (values.length !== ensembleSize * n) {
    throw new RangeError(`ensemble of ${ensembleSize} members of ${n} values needs ${ensembleSize * n} values, got ${values.length}`);
  }
  const out: Float64Array[] = [];
  for (let j = 0; j < ensembleSize; j++) out.push(values.subarray(j * n, (j + 1) * n));
  return out;
}

function asMembers(values: EnsembleValues, ensembleSize?: number, n?: number): Float64Array[] {
  if (values instanceof Float64Array) {
    if (ensembleSize === undefined || n === undefined) throw new RangeError('a flat eigenvalue array needs ensembleSize and n');
    return splitMembers(values, ensembleSize, n);
  }
  const members = [...values];
  if (members.length === 0) throw new RangeError('empty ensemble (M = 0): Omega is undefined');
  const len = members[0]!.length;
  if (len === 0) throw new RangeError('ensemble members have no eigenvalues (N = 0)');
  members.forEach((m, j) => { if (m.length !== len) throw new RangeError(`member ${j} has ${m.length} eigenvalues, member 0 has ${len}: unequal sizes are not supported`); });
  if (ensembleSize !== undefined && ensembleSize !== members.length) throw new RangeError(`ensembleSize ${ensembleSize} != ${members.length} members given`);
  if (n !== undefined && n !== len) throw new RangeError(`n ${n} != member length ${len}`);
  return members;
}

function concat(members: readonly Float64Array[]): Float64Array {
  const total = members.reduce((a, m) => a + m.length, 0);
  const out = new Float64Array(total);
  let o = 0;
  for (const m of members) { out.set(m, o); o += m.length; }
  return out;
}

/**
 * Omega per bin for an ensemble. Flat input: `thirumalaiMountain(values, opts, M, N)`;
 * member arrays: `thirumalaiMountain(members, opts)`.
 */
export function thirumalaiMountain(values: EnsembleValues, opts: ErgodicityOptions, ensembleSize?: number, n?: number): Float64Array {
  const members = asMembers(values, ensembleSize, n);
  const M = members.length, N = members[0]!.length;
  for (let j = 0; j < M; j++) assertFinite(members[j]!, `ensemble member ${j}`);
  const semantics = opts.semantics ?? 'definition';
  const memberCounts: Float64Array[] = [];
  let ensembleCounts: Float64Array;
  if (opts.kind === 'angle') {
    const edges = angleEdges({ semantics, delta: opts.delta ?? DEFAULT_DELTA });
    ensembleCounts = new Float64Array(edges.length - 1);
    for (const m of members) {
      const c = angleHistogram(m, edges, semantics).counts;
      memberCounts.push(c);
      for (let k = 0; k < c.length; k++) ensembleCounts[k]! += c[k]!;
    }
  } else if (semantics === 'bristol') {
    ensembleCounts = numpyHistogramAuto(values instanceof Float64Array ? values : concat(members), DEFAULT_REAL_BINS).counts;
    for (const m of members) memberCounts.push(numpyHistogramAuto(m, DEFAULT_REAL_BINS).counts);
  } else {
    const [lo, hi] = realRange(members, opts.range);
    const edges = realEdges(lo, hi, opts.bins ?? DEFAULT_REAL_BINS);
    ensembleCounts = new Float64Array(edges.length - 1);
    for (const m of members) {
      const c = realHistogramShared(m, edges).counts;
      memberCounts.push(c);
      for (let k = 0; k < c.length; k++) ensembleCounts[k]! += c[k]!;
    }
  }
  return omegaFromCounts(memberCounts, ensembleCounts, N);
}

/**
 * Omega from per-member counts and ensemble counts (same length K):
 * omega_k = sum_j (c_jk - C_k/M)^2, accumulated over j in order, then / M / N
 * (the reference's operation order).
 */
export function omegaFromCounts(memberCounts: readonly Float64Array[], ensembleCounts: Float64Array, n: number): Float64Array {
  const M = memberCounts.length, K = ensembleCounts.length;
  if (M < 1) throw new RangeError('empty ensemble (M = 0): Omega is undefined');
  const rhobar = new Float64Array(K);
  for (let k = 0; k < K; k++) rhobar[k] = ensembleCounts[k]! / M;
  const omega = new Float64Array(K);
  for (const c of memberCounts) {
    if (c.length !== K) throw new RangeError(`member histogram has ${c.length} bins, ensemble has ${K}`);
    for (let k = 0; k < K; k++) { const d = c[k]! - rhobar[k]!; omega[k] = d * d + omega[k]!; }
  }
  for (let k = 0; k < K; k++) omega[k] = omega[k]! / M / n;
  return omega;
}
