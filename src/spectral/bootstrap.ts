// Uncertainty of D_se and of per-draw statistics (SPEC section 10).
//
// Contract
// - `percentileInterval(values, level)`: the equal-tailed percentile interval of a sample,
//   quantiles (1 - level)/2 and (1 + level)/2 by linear interpolation between order
//   statistics (Hyndman & Fan definition 7, numpy.quantile's default). Used for bootstrap
//   replicates and for statistics over independent draws (Var(CSD), cPSE of an MME).
// - `bootstrapDse(sizes, opts)`: the nonparametric bootstrap of B. Efron, "Bootstrap methods:
//   another look at the jackknife", Ann. Statist. 7 (1979); percentile interval as in
//   Efron & Tibshirani, "An Introduction to the Bootstrap" (1993), ch. 13. One replicate
//   resamples, independently for every size, M of the M matrices with replacement, recomputes
//   Omega of each size and D_se of every transition. Resampling never re-histograms: each
//   matrix's bin counts are computed once and a resample is a vector of multiplicities
//   w_j (sum w_j = M), so Omega_k = sum_j w_j (c_jk - rhobar_k)^2 / M / N with
//   rhobar_k = sum_j w_j c_jk / M (with all w_j = 1 this is ergodicity.ts omegaFromCounts).
//   Cost per replicate: O(M) draws + O(M K) per size.
// - Randomness: one stream (src/rng), consumed size by size in the given order, M uniforms
//   per size per replicate (index = floor(u M)); the same stream seed gives the same interval.
// - Only bins shared by all members can be re-weighted: the 'bristol' semantics with real
//   eigenvalues (each member has its own bins) has no per-member counts; `memberCounts`
//   returns null there and callers report no interval.
import type { RandomStream } from '../rng/index.js';
import type { Semantics } from './semantics.js';
import { DEFAULT_DELTA, DEFAULT_REAL_BINS, angleEdges, angleHistogram, realEdges, realHistogramShared } from './density.js';
import { klSymmetric } from './kl.js';

/** Bootstrap replicates per interval (SPEC section 10). */
export const DEFAULT_RESAMPLES = 200;
/** Coverage of a percentile interval (SPEC section 10). */
export const DEFAULT_LEVEL = 0.95;

export interface Interval {
  low: number;
  high: number;
}

function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`interval level must be in (0, 1), got ${level}`);
}

/** Quantile q of ascending `sorted` (Hyndman–Fan 7: h = (n - 1) q, linear between neighbours). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantile of an empty sample');
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Equal-tailed percentile interval of a sample at `level` (e.g. 0.95). NaN values are refused. */
export function percentileInterval(values: ArrayLike<number>, level = DEFAULT_LEVEL): Interval {
  checkLevel(level);
  if (values.length === 0) throw new RangeError('percentile interval of an empty sample');
  const s = Float64Array.from(values as ArrayLike<number>);
  for (let i = 0; i < s.length; i++) if (Number.isNaN(s[i]!)) throw new RangeError(`percentile interval: value ${i} is NaN`);
  s.sort();
  return { low: quantileSorted(s, (1 - level) / 2), high: quantileSorted(s, (1 + level) / 2) };
}

/** Multiplicities of one resample of m items with replacement (m uniforms from `stream`). */
export function resampleWeights(m: number, stream: RandomStream, out = new Float64Array(m)): Float64Array {
  out.fill(0);
  for (let i = 0; i < m; i++) out[Math.min(m - 1, Math.floor(stream.uniform() * m))]!++;
  return out;
}

/** Omega per bin of a re-weighted ensemble (see header); weights sum to the ensemble size. */
export function weightedOmega(counts: readonly Float64Array[], weights: ArrayLike<number>, n: number): Float64Array {
  const M = counts.length;
  if (M === 0) throw new RangeError('empty ensemble (M = 0): Omega is undefined');
  if (weights.length !== M) throw new RangeError(`${weights.length} weights for ${M} members`);
  const K = counts[0]!.length;
  let total = 0;
  for (let j = 0; j < M; j++) total += weights[j]!;
  const rhobar = new Float64Array(K);
  for (let j = 0; j < M; j++) {
    const w = weights[j]!;
    if (w === 0) continue;
    const c = counts[j]!;
    for (let k = 0; k < K; k++) rhobar[k] = rhobar[k]! + w * c[k]!;
  }
  for (let k = 0; k < K; k++) rhobar[k] = rhobar[k]! / total;
  const omega = new Float64Array(K);
  for (let j = 0; j < M; j++) {
    const w = weights[j]!;
    if (w === 0) continue;
    const c = counts[j]!;
    for (let k = 0; k < K; k++) { const d = c[k]! - rhobar[k]!; omega[k] = omega[k]! + w * d * d; }
  }
  for (let k = 0; k < K; k++) omega[k] = omega[k]! / total / n;
  return omega;
}

export interface CountOptions {
  kind: 'angle' | 'real';
  semantics: Semantics;
  delta?: number;
  bins?: number;
  /** definition + real: the shared range every size is binned on. */
  range?: readonly [number, number];
}

/** Each member's bin counts on the bins Omega uses, or null where members have no shared bins (bristol + real). */
export function memberCounts(members: readonly Float64Array[], o: CountOptions): Float64Array[] | null {
  if (o.kind === 'angle') {
    const edges = angleEdges({ semantics: o.semantics, delta: o.delta ?? DEFAULT_DELTA });
    return members.map((m) => angleHistogram(m, edges, o.semantics).counts);
  }
  if (o.semantics === 'bristol') return null;
  if (!o.range) throw new RangeError('memberCounts: real eigenvalues in definition semantics need the shared range');
  const edges = realEdges(o.range[0], o.range[1], o.bins ?? DEFAULT_REAL_BINS);
  return members.map((m) => realHistogramShared(m, edges).counts);
}

export interface BootstrapOptions {
  resamples?: number;
  level?: number;
  stream: RandomStream;
}

/** One size of a sweep: its matrix order and each matrix's bin counts. */
export interface CountedSize {
  n: number;
  counts: readonly Float64Array[];
}

/** Percentile bootstrap interval of D_se for every transition of a sweep (header). */
export function bootstrapDse(sizes: readonly CountedSize[], o: BootstrapOptions): Interval[] {
  const B = o.resamples ?? DEFAULT_RESAMPLES;
  const level = o.level ?? DEFAULT_LEVEL;
  if (!Number.isInteger(B) || B < 2) throw new RangeError(`resamples must be a whole number >= 2, got ${B}`);
  checkLevel(level);
  const T = sizes.length - 1;
  if (T < 1) return [];
  const replicates = Array.from({ length: T }, () => new Float64Array(B));
  const weights = sizes.map((s) => new Float64Array(s.counts.length));
  for (let b = 0; b < B; b++) {
    const omegas = sizes.map((s, i) => weightedOmega(s.counts, resampleWeights(s.counts.length, o.stream, weights[i]), s.n));
    for (let t = 0; t < T; t++) replicates[t]![b] = klSymmetric(omegas[t + 1]!, omegas[t]!);
  }
  return replicates.map((r) => percentileInterval(r, level));
}

/**
 * Percentile bootstrap interval of any statistic of m items given as a function of resample
 * multiplicities (all ones = the sample itself): B replicates from `stream`.
 */
export function bootstrapInterval(m: number, statistic: (weights: Float64Array) => number, o: BootstrapOptions): Interval {
  const B = o.resamples ?? DEFAULT_RESAMPLES;
  if (!Number.isInteger(B) || B < 2) throw new RangeError(`resamples must be a whole number >= 2, got ${B}`);
  const w = new Float64Array(m);
  const reps = new Float64Array(B);
  for (let b = 0; b < B; b++) reps[b] = statistic(resampleWeights(m, o.stream, w));
  return percentileInterval(reps, o.level ?? DEFAULT_LEVEL);
}
