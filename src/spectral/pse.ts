// Periodic spectral ergodicity (PSE) and cascading PSE (cPSE), SPEC sections 5-6.
// Suezen, Cerda, Weber, "Periodic spectral ergodicity: a complexity measure
// for deep neural networks and neural architecture search", arXiv:1911.07831.
//
// Steps
// 1. Eigenvalues per layer.
//    - from weight matrices A (N x M, one per layer, output units first):
//      definition: eigenvalues of X = A A^T (symmetric solver), ascending, any
//      negative rounding residue set to 0 (X is PSD; rank-deficient layers give
//      exact zeros). bristol: eigenvalues of X X^T (= sigma(A)^4), absolute
//      values, as the reference's cpse_measure.
//    - `vanilla` (matrices M given directly, the reference's
//      cpse_measure_vanilla): eigenvalues of M M^T; definition clamps at 0,
//      bristol takes absolute values.
//    Both use the linalg layer's symmetric solver; the reference used a general
//    nonsymmetric solver (LAPACK dgeev) whose output ORDER no other solver
//    reproduces. Our lists are ascending, so in bristol semantics cPSE from
//    matrices equals the reference exactly when every layer order divides N_max
//    and within sampling noise otherwise (SPEC 6); from eigenvalue lists in the
//    reference's order (`cpseFromEigenvalues`) it is exact.
// 2. Periodic padding to N_max = the largest layer order: the list is
//    repeated cyclically and cut at N_max values. definition: each list sorted
//    ascending first, values as given; bristol: the given order, absolute
//    values (the reference's list2plist).
// 3. d_layers: for l = 1 .. L-2, Omega over the first l padded layers
//    (ensemble size l, N = N_max) vs Omega over the first l+1, symmetric KL
//    D(Omega_l, Omega_{l+1}). The last layer only enters through l+1 = L-1,
//    i.e. layer L is left out, exactly as the reference does.
//    Omega on real values: bristol = the reference's per-histogram ranges
//    (ergodicity.ts); definition = K equal bins (default 10) over ONE range,
//    min..max of all padded eigenvalues of all layers, shared by every member,
//    ensemble and Omega compared.
// 4. cPSE = mean(log10 d_layers). Fewer than 3 layers give d_layers = [] and
//    cPSE = NaN, as the reference (numpy's mean of an empty array); a d of 0
//    gives -Infinity, as numpy would. No layers at all is an error.
//
// Cost: definition O(L N_max + L^2 K); bristol O(L^2 N_max) because every
// prefix ensemble has its own histogram range.

import { gram, gramT, symmetricEigenvalues } from '../linalg/index.js';
import { assertFinite, type RealMatrix } from '../linalg/types.js';

export type { RealMatrix };
import type { Semantics } from './semantics.js';
import { DEFAULT_REAL_BINS, numpyHistogramAuto, realEdges, realHistogramShared, realRange } from './density.js';
import { omegaFromCounts } from './ergodicity.js';
import { klSymmetric, pairwiseSum } from './kl.js';


export interface CpseOptions {
  semantics?: Semantics;
  /** definition only: number of equal bins for Omega (default 10; bristol is always 10). */
  bins?: number;
}

export interface CpseResult {
  semantics: Semantics;
  /** D_l for l = 1 .. L-2 (empty when L < 3). */
  dLayers: number[];
  /** mean(log10 dLayers); NaN when dLayers is empty. */
  cpse: number;
  /** Largest layer order (length of every padded list). */
  nMax: number;
  /** Number of eigenvalues of each layer before padding. */
  layerSizes: number[];
  /** Omega_l for l = 1 .. L-1 (index l-1). */
  omegas: Float64Array[];
  /** definition only: the shared [lo, hi] of the Omega bins. */
  range?: [number, number];
}

/** Repeat `eigs` cyclically to exactly nMax values (definition: sorted ascending first; bristol: given order, |value|). */
export function periodicPad(eigs: ArrayLike<number>, nMax: number, semantics: Semantics = 'definition'): Float64Array {
  const n = eigs.length;
  if (n === 0) throw new RangeError('periodic padding of an empty eigenvalue list');
  if (!Number.isInteger(nMax) || nMax < 1) throw new RangeError(`nMax must be an integer >= 1, got ${nMax}`);
  let src: Float64Array;
  if (semantics === 'definition') src = Float64Array.from(eigs).sort();
  else { src = new Float64Array(n); for (let i = 0; i < n; i++) src[i] = Math.abs(eigs[i]!); }
  const out = new Float64Array(nMax);
  for (let i = 0; i < nMax; i++) out[i] = src[i % n]!;
  return out;
}

/** Pad every layer to the largest order. */
export function padLayers(layers: readonly ArrayLike<number>[], semantics: Semantics = 'definition'): { padded: Float64Array[]; nMax: number } {
  if (layers.length === 0) throw new RangeError('cPSE needs at least one layer');
  layers.forEach((l, i) => assertFinite(l, `layer ${i} eigenvalues`));
  const nMax = Math.max(...layers.map((l) => l.length));
  return { padded: layers.map((l) => periodicPad(l, nMax, semantics)), nMax };
}

/** Omega_l (l = 1 .. L-1) over prefixes of padded layers; returns the list and, for definition, the range used. */
function prefixOmegas(padded: readonly Float64Array[], semantics: Semantics, bins: number): { omegas: Float64Array[]; range?: [number, number] } {
  const L = padded.length, N = padded[0]!.length;
  const omegas: Float64Array[] = [];
  if (L < 2) return { omegas };
  if (semantics === 'bristol') {
    const memberCounts = padded.slice(0, L - 1).map((p) => numpyHistogramAuto(p, DEFAULT_REAL_BINS).counts);
    const prefix = new Float64Array((L - 1) * N);
    for (let l = 1; l <= L - 1; l++) {
      prefix.set(padded[l - 1]!, (l - 1) * N);
      const ens = numpyHistogramAuto(prefix.subarray(0, l * N), DEFAULT_REAL_BINS).counts;
      omegas.push(omegaFromCounts(memberCounts.slice(0, l), ens, N));
    }
    return { omegas };
  }
  const range = realRange(padded);
  const edges = realEdges(range[0], range[1], bins);
  const memberCounts = padded.slice(0, L - 1).map((p) => realHistogramShared(p, edges).counts);
  const ens = new Float64Array(bins);
  for (let l = 1; l <= L - 1; l++) {
    const c = memberCounts[l - 1]!;
    for (let k = 0; k < bins; k++) ens[k]! += c[k]!;
    omegas.push(omegaFromCounts(memberCounts.slice(0, l), ens, N));
  }
  return { omegas, range };
}

/** d_layers from already padded layers (all of equal length). */
export function dLayersPSE(padded: readonly Float64Array[], opts: CpseOptions = {}): number[] {
  return dLayersWithOmegas(padded, opts).dLayers;
}

function dLayersWithOmegas(padded: readonly Float64Array[], opts: CpseOptions): { dLayers: number[]; omegas: Float64Array[]; range?: [number, number] } {
  const semantics = opts.semantics ?? 'definition';
  if (padded.length === 0) throw new RangeError('cPSE needs at least one layer');
  const N = padded[0]!.length;
  padded.forEach((p, i) => { if (p.length !== N) throw new RangeError(`padded layer ${i} has ${p.length} values, layer 0 has ${N}`); });
  const { omegas, range } = prefixOmegas(padded, semantics, opts.bins ?? DEFAULT_REAL_BINS);
  const dLayers: number[] = [];
  for (let l = 1; l <= padded.length - 2; l++) dLayers.push(klSymmetric(omegas[l - 1]!, omegas[l]!));
  return range ? { dLayers, omegas, range } : { dLayers, omegas };
}

/** numpy.mean(numpy.log10(d)): NaN for an empty list. */
export function meanLog10(d: readonly number[]): number {
  if (d.length === 0) return NaN;
  return pairwiseSum(Float64Array.from(d, (x) => Math.log10(x))) / d.length;
}

/** cPSE from per-layer eigenvalue lists (in network order). */
export function cpseFromEigenvalues(layers: readonly ArrayLike<number>[], opts: CpseOptions = {}): CpseResult {
  const semantics = opts.semantics ?? 'definition';
  const { padded, nMax } = padLayers(layers, semantics);
  const { dLayers, omegas, range } = dLayersWithOmegas(padded, { ...opts, semantics });
  const res: CpseResult = { semantics, dLayers, cpse: meanLog10(dLayers), nMax, layerSizes: layers.map((l) => l.length), omegas };
  if (range) res.range = range;
  return res;
}

function checkMatrix(a: RealMatrix, what: string): void {
  const { rows, cols, data } = a;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || data.length !== rows * cols) {
    throw new RangeError(`${what}: expected ${rows} x ${cols} = ${rows * cols} values, got ${data.length}`);
  }
  assertFinite(data, what);
}

function finish(ev: Float64Array, semantics: Semantics): Float64Array {
  // definition: PSD matrix, negative rounding residue -> 0; bristol: |value| as the reference.
  for (let i = 0; i < ev.length; i++) ev[i] = semantics === 'definition' ? Math.max(0, ev[i]!) : Math.abs(ev[i]!);
  return ev;
}

/**
 * Eigenvalues of a layer from its weight matrix A (N x M): definition eig(A A^T) >= 0, ascending;
 * bristol |eig((A A^T)(A A^T)^T)|. In definition semantics a tall layer (N > M) takes the
 * eigenvalues of the M x M matrix A^T A (the same nonzero spectrum) and adds the other N - M
 * eigenvalues as exact zeros (SPEC 5): an M x M Gram and solve instead of N x N. bristol keeps the
 * reference's N x N arithmetic.
 */
export function layerEigenvalues(a: RealMatrix, semantics: Semantics = 'definition'): Float64Array {
  checkMatrix(a, 'layer weight matrix');
  const n = a.rows, m = a.cols;
  if (semantics === 'definition') {
    if (n <= m) return finish(symmetricEigenvalues(gram(a.data, n, m), n), semantics);
    const small = finish(symmetricEigenvalues(gramT(a.data, n, m), m), semantics);
    const out = new Float64Array(n); // the N - M zeros come first (ascending order)
    out.set(small, n - m);
    return out;
  }
  const x = gram(a.data, n, m);
  return finish(symmetricEigenvalues(gram(x, n, n), n), semantics);
}

/** Eigenvalues of M M^T for a matrix given directly (the reference's vanilla entry point). */
export function vanillaEigenvalues(m: RealMatrix, semantics: Semantics = 'definition'): Float64Array {
  checkMatrix(m, 'matrix');
  return finish(symmetricEigenvalues(gram(m.data, m.rows, m.cols), m.rows), semantics);
}

/** cPSE of a network from its layer weight matrices A_l (network order). */
export function cpseFromWeights(mats: readonly RealMatrix[], opts: CpseOptions = {}): CpseResult {
  const semantics = opts.semantics ?? 'definition';
  return cpseFromEigenvalues(mats.map((a) => layerEigenvalues(a, semantics)), { ...opts, semantics });
}

/** cPSE of matrices M_l given directly: eigenvalues of M_l M_l^T (reference cpse_measure_vanilla). */
export function cpseVanilla(mats: readonly RealMatrix[], opts: CpseOptions = {}): CpseResult {
  const semantics = opts.semantics ?? 'definition';
  return cpseFromEigenvalues(mats.map((m) => vanillaEigenvalues(m, semantics)), { ...opts, semantics });
}
