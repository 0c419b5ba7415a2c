// Circular spectral difference (SPEC section 7; docs/csd.md).
//
// Pooled spectrum of an ensemble: every eigenvalue of every member in one list,
// histogrammed on [0, eMax] with K equal bins and normalised by the TOTAL number of
// pooled eigenvalues (not just those inside the window) times the bin width. The
// density therefore integrates to the fraction of eigenvalues inside [0, eMax], and
// the cumulative CSD at eMax is the difference of the two in-window fractions.
import { assertFinite } from '../linalg/types.js';

/** Eigenvalues of one matrix, or of each matrix of an ensemble. */
export type PooledInput = Float64Array | readonly Float64Array[];

export interface PooledDensityOptions {
  /** Upper end of the window [0, eMax]; default 6.0. */
  eMax?: number;
  /** Number of equal bins K; default 1000. */
  bins?: number;
}

export interface PooledDensity {
  /** K + 1 edges, edges[k] = eMax * k / K (so edges[0] = 0, edges[K] = eMax exactly). */
  edges: Float64Array;
  /** density[k] = count_k / (total * width). */
  density: Float64Array;
  /** Number of pooled eigenvalues (all of them, binned or not). */
  total: number;
  /** Eigenvalues in no bin: above eMax or below 0 (outside = above + below). */
  outside: number;
  /** Eigenvalues above eMax. */
  above: number;
  /** Eigenvalues below 0 (none for PSE layer matrices; counted, never clipped). */
  below: number;
}

export const DEFAULT_E_MAX = 6.0;
export const DEFAULT_BINS = 1000;
export const DEFAULT_TOLERANCE = 0.05;
/** Independent reference draws per network (Var(CSD) is reported as mean and std over them). */
export const DEFAULT_DRAWS = 5;

function checkWindow(eMax: number, bins: number): void {
  if (!Number.isFinite(eMax) || eMax <= 0) {
    throw new RangeError(`eMax must be a finite number > 0, got ${eMax}`);
  }
  if (!Number.isInteger(bins) || bins < 1) {
    throw new RangeError(`bins must be an integer >= 1, got ${bins}`);
  }
}

/** Shared edges edges[k] = eMax * k / K; the last one is eMax exactly. */
export function csdEdges(eMax = DEFAULT_E_MAX, bins = DEFAULT_BINS): Float64Array {
  checkWindow(eMax, bins);
  const edges = new Float64Array(bins + 1);
  for (let k = 0; k <= bins; k++) edges[k] = (eMax * k) / bins;
  edges[bins] = eMax;
  return edges;
}

// Equal-width histogram with numpy's rules (bins [e_k, e_{k+1}) half-open, the last
// one closed): index from x*K/eMax, then nudged by one against the stored edges so
// values lying exactly on an edge land where the edge comparison says.
export function pooledDensity(eigs: PooledInput, opts: PooledDensityOptions = {}): PooledDensity {
  const eMax = opts.eMax ?? DEFAULT_E_MAX;
  const bins = opts.bins ?? DEFAULT_BINS;
  const edges = csdEdges(eMax, bins);
  const members: readonly Float64Array[] = eigs instanceof Float64Array ? [eigs] : eigs;
  const counts = new Float64Array(bins);
  let total = 0;
  let above = 0;
  let below = 0;
  for (let j = 0; j < members.length; j++) {
    const e = members[j]!;
    assertFinite(e, `pooledDensity: eigenvalues of member ${j}`);
    total += e.length;
    for (let i = 0; i < e.length; i++) {
      const x = e[i]!;
      if (x < 0) {
        below++;
        continue;
      }
      if (x > eMax) {
        above++;
        continue;
      }
      let k = Math.min(Math.floor((x * bins) / eMax), bins - 1);
      if (x < edges[k]!) k--;
      else if (k + 1 < bins && x >= edges[k + 1]!) k++;
      counts[k]!++;
    }
  }
  if (total === 0) throw new RangeError('pooledDensity: no eigenvalues to pool');
  const width = eMax / bins;
  const density = new Float64Array(bins);
  const norm = total * width;
  for (let k = 0; k < bins; k++) density[k] = counts[k]! / norm;
  return { edges, density, total, outside: above + below, above, below };
}

export interface CsdOptions extends PooledDensityOptions {
  /** Conjugate when |cumulativeAtEMax| < tolerance; default 0.05. */
  tolerance?: number;
}

export interface CsdResult {
  edges: Float64Array;
  /** rho_a - rho_b per bin. */
  csd: Float64Array;
  /** cumulative[k] = sum_{j <= k} csd[j] * width (compensated sum). */
  cumulative: Float64Array;
  /** Population variance of csd over the K bins (divides by K, not K - 1). */
  varCsd: number;
  /** cumulative[K - 1]: difference of the fractions of eigenvalues inside [0, eMax]. */
  cumulativeAtEMax: number;
  conjugate: boolean;
  tolerance: number;
  /** Pooled eigenvalue counts of the two sides, and how many fell outside the window. */
  totals: { a: number; b: number; outsideA: number; outsideB: number };
}

function isPooledDensity(x: unknown): x is PooledDensity {
  return typeof x === 'object' && x !== null && !(x instanceof Float64Array) && !Array.isArray(x) && 'density' in x;
}

function asDensity(x: PooledInput | PooledDensity, eMax: number, bins: number, side: string): PooledDensity {
  if (!isPooledDensity(x)) return pooledDensity(x, { eMax, bins });
  const n = x.edges.length - 1;
  if (n !== bins || x.edges[n] !== eMax) {
    throw new RangeError(
      `circularSpectralDifference: ${side} density was built on [0, ${x.edges[n]}] with ${n} bins, ` +
        `but the comparison uses [0, ${eMax}] with ${bins} bins`,
    );
  }
  return x;
}

/** Population variance (divide by n), two-pass for accuracy. */
export function populationVariance(v: ArrayLike<number>): number {
  const n = v.length;
  if (n === 0) throw new RangeError('populationVariance: empty input');
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i]!;
  const mean = s / n;
  let ss = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const d = v[i]! - mean;
    ss += d * d;
    c += d;
  }
  // Corrected two-pass formula (Chan, Golub & LeVeque 1983): removes the rounding in `mean`.
  return Math.max(0, (ss - (c * c) / n) / n);
}

// CSD(e) = rho_a(e) - rho_b(e) on shared edges; cumulative by Neumaier-compensated
// running sum (Neumaier 1974) so that the value at eMax is accurate to rounding.
// `a` is conventionally the network and `b` its conjugate circular ensemble, but any
// two pooled sets (or pre-pooled densities on the same window) can be compared.
export function circularSpectralDifference(
  network: PooledInput | PooledDensity,
  circular: PooledInput | PooledDensity,
  opts: CsdOptions = {},
): CsdResult {
  const eMax = opts.eMax ?? (isPooledDensity(network) ? network.edges[network.edges.length - 1]! : DEFAULT_E_MAX);
  const bins = opts.bins ?? (isPooledDensity(network) ? network.edges.length - 1 : DEFAULT_BINS);
  const tolerance = opts.tolerance ?? DEFAULT_TOLERANCE;
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw new RangeError(`tolerance must be a finite number >= 0, got ${tolerance}`);
  }
  checkWindow(eMax, bins);
  const a = asDensity(network, eMax, bins, 'network');
  const b = asDensity(circular, eMax, bins, 'circular');
  const width = eMax / bins;
  const csd = new Float64Array(bins);
  const cumulative = new Float64Array(bins);
  let sum = 0;
  let comp = 0;
  for (let k = 0; k < bins; k++) {
    const d = a.density[k]! - b.density[k]!;
    csd[k] = d;
    const term = d * width;
    const t = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
    cumulative[k] = sum + comp;
  }
  const cumulativeAtEMax = cumulative[bins - 1]!;
  return {
    edges: a.edges,
    csd,
    cumulative,
    varCsd: populationVariance(csd),
    cumulativeAtEMax,
    conjugate: Math.abs(cumulativeAtEMax) < tolerance,
    tolerance,
    totals: { a: a.total, b: b.total, outsideA: a.outside, outsideB: b.outside },
  };
}

export interface DrawSummary {
  mean: number;
  /** Sample standard deviation (divides by n - 1); NaN when n < 2. */
  std: number;
  n: number;
}

/** Mean and sample standard deviation (n - 1) of per-draw values. */
export function summariseDraws(values: readonly number[]): DrawSummary {
  const n = values.length;
  if (n === 0) throw new RangeError('summariseDraws: no draws');
  assertFinite(values, 'summariseDraws: values');
  let s = 0;
  for (const v of values) s += v;
  const mean = s / n;
  if (n < 2) return { mean, std: Number.NaN, n };
  const varPop = populationVariance(values);
  return { mean, std: Math.sqrt((varPop * n) / (n - 1)), n };
}

export interface CircularDrawsResult {
  edges: Float64Array;
  /** Per-draw Var(CSD) and cumulative CSD at eMax, in draw order. */
  varCsds: number[];
  cumulativesAtEMax: number[];
  varCsd: DrawSummary;
  cumulativeAtEMax: DrawSummary;
  /** Bin-wise mean CSD and mean cumulative CSD over the draws (for plotting). */
  meanCsd: Float64Array;
  meanCumulative: Float64Array;
  /** Verdict on the mean: |mean cumulative at eMax| < tolerance. */
  conjugate: boolean;
  /** How many single draws were conjugate on their own. */
  conjugateDraws: number;
  tolerance: number;
}

// The network against D independent draws of its conjugate circular ensemble: one
// CSD per draw; Var(CSD) and the cumulative at eMax are summarised by mean and sample
// std over the draws, which measures how much of a reported value is sampling noise
// of the circular side. The network's pooled density is built once.
export function csdOverCircularDraws(
  network: PooledInput | PooledDensity,
  circularDraws: readonly (PooledInput | PooledDensity)[],
  opts: CsdOptions = {},
): CircularDrawsResult {
  if (circularDraws.length === 0) throw new RangeError('csdOverCircularDraws: no circular draws');
  const eMax = opts.eMax ?? (isPooledDensity(network) ? network.edges[network.edges.length - 1]! : DEFAULT_E_MAX);
  const bins = opts.bins ?? (isPooledDensity(network) ? network.edges.length - 1 : DEFAULT_BINS);
  const net = asDensity(network, eMax, bins, 'network');
  const meanCsd = new Float64Array(bins);
  const meanCumulative = new Float64Array(bins);
  const varCsds: number[] = [];
  const cumulativesAtEMax: number[] = [];
  let conjugateDraws = 0;
  let tolerance = opts.tolerance ?? DEFAULT_TOLERANCE;
  for (const draw of circularDraws) {
    const r = circularSpectralDifference(net, draw, { ...opts, eMax, bins });
    tolerance = r.tolerance;
    varCsds.push(r.varCsd);
    cumulativesAtEMax.push(r.cumulativeAtEMax);
    if (r.conjugate) conjugateDraws++;
    for (let k = 0; k < bins; k++) {
      meanCsd[k]! += r.csd[k]!;
      meanCumulative[k]! += r.cumulative[k]!;
    }
  }
  const d = circularDraws.length;
  for (let k = 0; k < bins; k++) {
    meanCsd[k]! /= d;
    meanCumulative[k]! /= d;
  }
  const cum = summariseDraws(cumulativesAtEMax);
  return {
    edges: net.edges,
    varCsds,
    cumulativesAtEMax,
    varCsd: summariseDraws(varCsds),
    cumulativeAtEMax: cum,
    meanCsd,
    meanCumulative,
    conjugate: Math.abs(cum.mean) < tolerance,
    conjugateDraws,
    tolerance,
  };
}
