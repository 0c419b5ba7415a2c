// Spectral densities (SPEC section 4): histogram counts divided by the
// ensemble size M (not by the bin width, as the reference does).
//
// Complex eigenvalues are given as angles (eigenphases); `anglesOf` turns
// complex values into angles with atan2(im, re) like numpy.angle, so
// atan2(-0, -1) = -pi and atan2(+0, -1) = +pi. (V8's atan2 can differ from
// glibc's in the last bit; only an angle within 1 ulp of a bin edge could land
// differently, which the reference fixtures are far from.)
//
// Angle bins
// - bristol: edges = numpy.arange(-pi, pi, delta), reproduced exactly: K+1 =
//   ceil(2pi/delta) edges, e_0 = -pi, e_1 = -pi + delta, e_k = -pi + k*d with
//   d = e_1 - e_0 (numpy's fill rule, so d may differ from delta in the last
//   bit). Bins [e_k, e_{k+1}) with the last one closed; angles beyond the
//   last edge (the dropped partial bin, up to +pi) are not counted. Centres
//   are e_{k+1} - delta/2 (the reference's formula).
// - definition: edges e_k = -pi + k*delta for k = 0..K-1 with
//   K = ceil(2pi/delta) (2pi/delta within 1e-9 of an integer counts as that
//   integer), and e_K = pi exactly. Every bin has width delta except the last,
//   [e_{K-1}, pi], which is the remaining PARTIAL bin (narrower than delta
//   when 2pi/delta is not an integer; 0.0832 rad for delta = 0.2). Bins are
//   half-open, the last closed at +pi and the first closed at -pi, so every
//   angle in [-pi, pi] is counted exactly once; an angle outside [-pi, pi] is
//   an error. Centres are bin midpoints.
//
// Real-eigenvalue bins
// - bristol: numpy.histogram(values) defaults: 10 equal bins over
//   [min, max] of the values being histogrammed, widened to [x-0.5, x+0.5]
//   when all values are equal; edges from numpy.linspace and bin indices by
//   numpy's equal-bin fast path (scaled index, then corrected by one against
//   the stored edges). Centres are e_k + (e_1 - e_0)/2.
// - definition: K equal bins (default 10) over a range [lo, hi] shared by
//   everything being compared; the caller supplies it (`range`), default =
//   min..max of the values given. Same widening for lo == hi. A value
//   outside [lo, hi] is an error (the shared range must cover every value).
//
// Empty input (no values) is refused: the reference's min/max would fail.

import { assertFinite } from '../linalg/types.js';
import type { Semantics } from './semantics.js';

export const DEFAULT_DELTA = 0.2;
export const DEFAULT_REAL_BINS = 10;

export interface Histogram {
  /** K + 1 bin edges. */
  edges: Float64Array;
  /** K counts (integers stored as float64). */
  counts: Float64Array;
  /** Number of values that fell into some bin. */
  counted: number;
}

export interface Density extends Histogram {
  /** K bin centres (each semantics' own formula, see header). */
  centres: Float64Array;
  /** counts / ensembleSize. */
  density: Float64Array;
}

export interface AngleBinOptions {
  semantics?: Semantics;
  /** Bin width in radians; default 0.2. */
  delta?: number;
}

export interface RealBinOptions {
  semantics?: Semantics;
  /** definition only: number of equal bins (default 10). bristol always uses 10. */
  bins?: number;
  /** definition only: the shared [lo, hi]; default min..max of the values. */
  range?: readonly [number, number];
}

/** numpy.angle for split complex storage: atan2(im, re) elementwise. */
export function anglesOf(re: ArrayLike<number>, im: ArrayLike<number>): Float64Array {
  if (re.length !== im.length) throw new RangeError(`anglesOf: ${re.length} real parts vs ${im.length} imaginary parts`);
  const out = new Float64Array(re.length);
  for (let k = 0; k < re.length; k++) out[k] = Math.atan2(im[k]!, re[k]!);
  return out;
}

/** numpy.arange(start, stop, step) for float arguments, bit for bit (length ceil((stop-start)/step), fill start + k*((start+step)-start)). */
export function numpyArange(start: number, stop: number, step: number): Float64Array {
  if (!(step > 0) || !Number.isFinite(step)) throw new RangeError(`arange: step must be finite and > 0, got ${step}`);
  const len = Math.max(0, Math.ceil((stop - start) / step));
  const out = new Float64Array(len);
  if (len === 0) return out;
  out[0] = start;
  if (len === 1) return out;
  const second = start + step;
  out[1] = second;
  const d = second - start;
  for (let k = 2; k < len; k++) out[k] = start + k * d;
  return out;
}

/** numpy.linspace(start, stop, num) (endpoint=True), bit for bit for float64. */
export function numpyLinspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const div = num - 1;
  const delta = stop - start;
  if (div > 0) {
    const step = delta / div;
    if (step === 0) for (let k = 0; k < num; k++) out[k] = (k / div) * delta + start;
    else for (let k = 0; k < num; k++) out[k] = k * step + start;
    out[num - 1] = stop;
  } else if (num === 1) out[0] = start;
  return out;
}

function checkValues(values: ArrayLike<number>, what: string): void {
  if (values.length === 0) throw new RangeError(`${what}: no values to histogram`);
  assertFinite(values, what);
}

// Counting into monotone edges with numpy.histogram's array-of-edges rule
// (searchsorted: e_k <= x < e_{k+1}, last bin closed, outside dropped).
// O(1) per value for (near-)uniform edges: guess by scaling, then step to the
// exact bin by comparing with the stored edges.
function countIntoEdges(values: ArrayLike<number>, edges: Float64Array, counts: Float64Array): number {
  const K = edges.length - 1;
  const e0 = edges[0]!, eK = edges[K]!;
  const scale = K / (eK - e0);
  let counted = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!(x >= e0 && x <= eK)) continue;
    let k = Math.floor((x - e0) * scale);
    if (k > K - 1) k = K - 1;
    if (k < 0) k = 0;
    while (k > 0 && x < edges[k]!) k--;
    while (k < K - 1 && x >= edges[k + 1]!) k++;
    counts[k]!++;
    counted++;
  }
  return counted;
}

/** Histogram with explicit monotone edges, numpy rules (half-open bins, last closed, outside values dropped). */
export function histogramWithEdges(values: ArrayLike<number>, edges: Float64Array): Histogram {
  if (edges.length < 2) throw new RangeError('histogram: need at least 2 edges');
  for (let k = 1; k < edges.length; k++) {
    if (!(edges[k]! > edges[k - 1]!)) throw new RangeError('histogram: edges must increase strictly');
  }
  assertFinite(values, 'histogram values');
  const counts = new Float64Array(edges.length - 1);
  const counted = countIntoEdges(values, edges, counts);
  return { edges, counts, counted };
}

/** numpy.histogram(values, bins) with an integer bin count and the data range: edges, then numpy's equal-bin fast path. */
export function numpyHistogramAuto(values: ArrayLike<number>, bins = DEFAULT_REAL_BINS): Histogram {
  checkValues(values, 'numpy histogram');
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) { const x = values[i]!; if (x < lo) lo = x; if (x > hi) hi = x; }
  return numpyHistogramRange(values, bins, lo, hi);
}

// numpy's uniform-bin histogram (numpy/lib/_histograms_impl.py, fast path):
// index = int((x - first)/(last - first) * K), last edge moved into bin K-1,
// then one step down if x < e_i or up if x >= e_{i+1} (not for the last bin).
function numpyHistogramRange(values: ArrayLike<number>, bins: number, lo: number, hi: number): Histogram {
  if (lo === hi) { lo = lo - 0.5; hi = hi + 0.5; }
  const edges = numpyLinspace(lo, hi, bins + 1);
  for (let k = 1; k <= bins; k++) {
    if (!(edges[k]! > edges[k - 1]!)) throw new RangeError(`Too many bins for data range [${lo}, ${hi}]: cannot create ${bins} finite-sized bins (numpy raises here too)`);
  }
  const counts = new Float64Array(bins);
  const denom = hi - lo;
  let counted = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!(x >= lo && x <= hi)) continue;
    let k = Math.trunc(((x - lo) / denom) * bins);
    if (k === bins) k -= 1;
    if (x < edges[k]!) k -= 1;
    if (x >= edges[k + 1]! && k !== bins - 1) k += 1;
    counts[k]!++;
    counted++;
  }
  return { edges, counts, counted };
}

/** Angle bin edges for the given semantics and delta (see header). */
export function angleEdges(opts: AngleBinOptions = {}): Float64Array {
  const semantics = opts.semantics ?? 'definition';
  const delta = opts.delta ?? DEFAULT_DELTA;
  if (!(delta > 0) || !Number.isFinite(delta) || delta > 2 * Math.PI) throw new RangeError(`delta must be in (0, 2pi], got ${delta}`);
  if (semantics === 'bristol') {
    const e = numpyArange(-Math.PI, Math.PI, delta);
    if (e.length < 2) throw new RangeError(`delta = ${delta} gives fewer than 2 edges in numpy.arange(-pi, pi, delta): no bins`);
    return e;
  }
  const ratio = (2 * Math.PI) / delta;
  const K = Math.abs(ratio - Math.round(ratio)) < 1e-9 ? Math.round(ratio) : Math.ceil(ratio);
  const e = new Float64Array(K + 1);
  for (let k = 0; k < K; k++) e[k] = -Math.PI + k * delta;
  e[K] = Math.PI;
  return e;
}

/** Bin centres for angle edges: bristol e_{k+1} - delta/2, definition midpoints. */
function angleCentres(edges: Float64Array, semantics: Semantics, delta: number): Float64Array {
  const K = edges.length - 1;
  const c = new Float64Array(K);
  for (let k = 0; k < K; k++) c[k] = semantics === 'bristol' ? edges[k + 1]! - delta / 2 : 0.5 * (edges[k]! + edges[k + 1]!);
  return c;
}

/** Count angles into the semantics' edges. definition: angles outside [-pi, pi] are an error. */
export function angleHistogram(angles: ArrayLike<number>, edges: Float64Array, semantics: Semantics): Histogram {
  checkValues(angles, 'angle histogram');
  if (semantics === 'definition') {
    for (let i = 0; i < angles.length; i++) {
      const x = angles[i]!;
      if (x < -Math.PI || x > Math.PI) throw new RangeError(`angle ${x} at index ${i} is outside [-pi, pi]`);
    }
  }
  const counts = new Float64Array(edges.length - 1);
  const counted = countIntoEdges(angles, edges, counts);
  return { edges, counts, counted };
}

function checkEnsembleSize(m: number): void {
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`ensemble size must be an integer >= 1, got ${m}`);
}

function divide(counts: Float64Array, m: number): Float64Array {
  const d = new Float64Array(counts.length);
  for (let k = 0; k < counts.length; k++) d[k] = counts[k]! / m;
  return d;
}

/** Spectral density of eigenphases: counts per angle bin / ensembleSize. */
export function angleDensity(angles: ArrayLike<number>, ensembleSize: number, opts: AngleBinOptions = {}): Density {
  checkEnsembleSize(ensembleSize);
  const semantics = opts.semantics ?? 'definition';
  const delta = opts.delta ?? DEFAULT_DELTA;
  const edges = angleEdges({ semantics, delta });
  const h = angleHistogram(angles, edges, semantics);
  return { ...h, centres: angleCentres(edges, semantics, delta), density: divide(h.counts, ensembleSize) };
}

/** Resolve the definition-semantics real range: given, or min..max of values; widened by 0.5 when degenerate. */
export function realRange(values: ArrayLike<number> | readonly ArrayLike<number>[], range?: readonly [number, number]): [number, number] {
  let lo: number, hi: number;
  if (range) {
    [lo, hi] = range;
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) throw new RangeError(`range must be finite with lo <= hi, got [${lo}, ${hi}]`);
  } else {
    lo = Infinity; hi = -Infinity;
    const lists = isListOfLists(values) ? values : [values as ArrayLike<number>];
    for (const v of lists) for (let i = 0; i < v.length; i++) { const x = v[i]!; if (x < lo) lo = x; if (x > hi) hi = x; }
    if (lo > hi) throw new RangeError('real density: no values to take a range from');
  }
  if (lo === hi) { lo -= 0.5; hi += 0.5; }
  return [lo, hi];
}

function isListOfLists(v: ArrayLike<number> | readonly ArrayLike<number>[]): v is readonly ArrayLike<number>[] {
  return Array.isArray(v) && (v.length === 0 || typeof v[0] !== 'number');
}

/** definition semantics: K equal bins over [lo, hi], e_k = lo + k*(hi-lo)/K, e_K = hi exactly. */
export function realEdges(lo: number, hi: number, bins = DEFAULT_REAL_BINS): Float64Array {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be an integer >= 1, got ${bins}`);
  const e = new Float64Array(bins + 1);
  for (let k = 0; k < bins; k++) e[k] = lo + (k * (hi - lo)) / bins;
  e[bins] = hi;
  for (let k = 1; k <= bins; k++) if (!(e[k]! > e[k - 1]!)) throw new RangeError(`range [${lo}, ${hi}] too narrow for ${bins} bins`);
  return e;
}

/** definition semantics: count real values into shared edges; any value outside them is an error. */
export function realHistogramShared(values: ArrayLike<number>, edges: Float64Array): Histogram {
  checkValues(values, 'real histogram');
  const lo = edges[0]!, hi = edges[edges.length - 1]!;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x < lo || x > hi) throw new RangeError(`value ${x} at index ${i} lies outside the shared range [${lo}, ${hi}]`);
  }
  const counts = new Float64Array(edges.length - 1);
  const counted = countIntoEdges(values, edges, counts);
  return { edges, counts, counted };
}

/** Spectral density of real eigenvalues: counts per bin / ensembleSize (bins per semantics, see header). */
export function realDensity(values: ArrayLike<number>, ensembleSize: number, opts: RealBinOptions = {}): Density {
  checkEnsembleSize(ensembleSize);
  const semantics = opts.semantics ?? 'definition';
  let h: Histogram;
  const centres = (edges: Float64Array, bristol: boolean) => {
    const K = edges.length - 1, c = new Float64Array(K);
    const half = (edges[1]! - edges[0]!) / 2;
    for (let k = 0; k < K; k++) c[k] = bristol ? edges[k]! + half : 0.5 * (edges[k]! + edges[k + 1]!);
    return c;
  };
  if (semantics === 'bristol') {
    h = numpyHistogramAuto(values, DEFAULT_REAL_BINS);
  } else {
    checkValues(values, 'real density');
    const [lo, hi] = realRange(values, opts.range);
    h = realHistogramShared(values, realEdges(lo, hi, opts.bins ?? DEFAULT_REAL_BINS));
  }
  return { ...h, centres: centres(h.edges, semantics === 'bristol'), density: divide(h.counts, ensembleSize) };
}

export type SpectrumKind = 'angle' | 'real';

export interface DensityOptions extends AngleBinOptions, RealBinOptions {
  /** 'angle' for eigenphases of unitary matrices, 'real' for real eigenvalues. */
  kind: SpectrumKind;
}

/** Either density by `kind` (the reference decides by the imaginary parts; here the caller says which). */
export function spectralDensity(values: ArrayLike<number>, ensembleSize: number, opts: DensityOptions): Density {
  return opts.kind === 'angle' ? angleDensity(values, ensembleSize, opts) : realDensity(values, ensembleSize, opts);
}
