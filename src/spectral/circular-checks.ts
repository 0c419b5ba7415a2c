// Statistical checks that eigenphases come from a circular ensemble (CUE, COE, CSE), for
// `ergo validate` (SPEC section 3; the numbers a correct sampler must reproduce).
//
// Input: M matrices' eigenphases (radians, any order), N per matrix (N = the number of
// eigenphases given: for a CSE sampled with Kramers pairs reported once, N distinct phases,
// which form a circular beta = 4 ensemble of N points). Optional moduli |z| when the input
// held complex eigenvalues.
// Each check returns statistic, expected value, standard error, z-score and p-value; the
// caller chooses the level and the multiple-testing correction. Every z is a two-sided
// normal equivalent of p (for KS checks z is the quantile of p), so rows compare directly.
//   moduli           max | |z| - 1 | <= 1e-8 (deterministic; float64 eigensolvers reach 1e-13)
//   trace k          mean over matrices of |sum_j e^{i k theta_j}|^2; k = 1 against
//                    2N / (beta (N - 1) + 2) (the CbetaE second moment of the trace; CUE: 1,
//                    COE: 2N/(N+1)); CUE also k = 2 and k = N + 1 against min(k, N)
//                    (P. Diaconis & M. Shahshahani, J. Appl. Probab. 31A (1994)). z from the
//                    sample standard deviation over matrices.
//   gap ratio        mean of r_j = min(s_j, s_{j+1}) / max(s_j, s_{j+1}) over consecutive
//                    cyclic gaps, against the surmise values 0.5307 / 0.5996 / 0.6744 of
//                    Y. Y. Atas, E. Bogomolny, O. Giraud, G. Roux, PRL 110, 084101 (2013).
//                    Those are 3 x 3 surmises; the large-N values (0.5359 / 0.6027 / 0.6762)
//                    differ by < 0.006, so the check allows |mean - expected| <= 0.01 and
//                    tests only the excess (z = excess / SE, SE over per-matrix means).
//   uniformity       KS distance of all eigenphases pooled against the uniform law on
//                    [-pi, pi); p from the Kolmogorov distribution as if the values were
//                    independent (eigenphases of one matrix repel, so this is conservative).
//   spacing          nearest-neighbour spacings unfolded to mean 1 (s = N gap / 2pi) against
//                    the Wigner surmise P_beta(s) = a s^beta exp(-b s^2) (beta = 1, 2, 4,
//                    a and b normalising and fixing mean 1; M. L. Mehta, Random Matrices,
//                    3rd ed. (2004), ch. 1). The surmise is within about 0.01 of the
//                    exact large-N distribution in CDF, so the KS distance is tested above a
//                    tolerance of 0.015.
import { ksDistance, ksPValue, twoSidedNormalP, twoSidedNormalQuantile } from './significance.js';

export type CircularEnsemble = 'COE' | 'CUE' | 'CSE';
export const DYSON_BETA: Readonly<Record<CircularEnsemble, 1 | 2 | 4>> = { COE: 1, CUE: 2, CSE: 4 };
/** Mean gap ratio surmise values (Atas et al. 2013). */
export const GAP_RATIO: Readonly<Record<CircularEnsemble, number>> = { COE: 0.5307, CUE: 0.5996, CSE: 0.6744 };
export const GAP_RATIO_TOLERANCE = 0.01;
export const SPACING_TOLERANCE = 0.015;
export const MODULUS_TOLERANCE = 1e-8;

export interface CheckResult {
  check: string;
  statistic: number;
  expected: number;
  /** Systematic allowance of the expected value (surmise error); 0 for exact identities. */
  tolerance: number;
  se: number | null;
  z: number;
  p: number;
  /** Deterministic checks pass or fail outright (no level). */
  exact?: boolean;
}

function meanSd(x: readonly number[]): { mean: number; sd: number } {
  const n = x.length;
  let s = 0;
  for (const v of x) s += v;
  const mean = s / n;
  let q = 0;
  for (const v of x) q += (v - mean) * (v - mean);
  return { mean, sd: n > 1 ? Math.sqrt(q / (n - 1)) : NaN };
}

function zRow(check: string, values: readonly number[], expected: number, tolerance = 0): CheckResult {
  const { mean, sd } = meanSd(values);
  const se = sd / Math.sqrt(values.length);
  const excess = Math.max(0, Math.abs(mean - expected) - tolerance) * Math.sign(mean - expected);
  const z = se > 0 ? excess / se : excess === 0 ? 0 : Infinity * Math.sign(excess);
  return { check, statistic: mean, expected, tolerance, se, z, p: twoSidedNormalP(z) };
}

/** max | |z| - 1 | over all eigenvalues. */
export function moduliCheck(moduli: readonly ArrayLike<number>[]): CheckResult {
  let worst = 0;
  for (const m of moduli) for (let i = 0; i < m.length; i++) worst = Math.max(worst, Math.abs(m[i]! - 1));
  const pass = worst <= MODULUS_TOLERANCE;
  return { check: 'moduli |z| = 1', statistic: worst, expected: 0, tolerance: MODULUS_TOLERANCE, se: null, z: pass ? 0 : Infinity, p: pass ? 1 : 0, exact: true };
}

/** |sum_j e^{i k theta_j}|^2 of one matrix. */
export function traceMoment(theta: ArrayLike<number>, k: number): number {
  let re = 0, im = 0;
  for (let j = 0; j < theta.length; j++) { re += Math.cos(k * theta[j]!); im += Math.sin(k * theta[j]!); }
  return re * re + im * im;
}

/** E|Tr U|^2 of the circular beta ensemble of N points. */
export function expectedTraceSquare(n: number, beta: number): number {
  return (2 * n) / (beta * (n - 1) + 2);
}

/** Cyclic gaps of one matrix's eigenphases (sorted copy), summing to 2 pi. */
export function cyclicGaps(theta: ArrayLike<number>): Float64Array {
  const s = Float64Array.from(theta as ArrayLike<number>).sort();
  const n = s.length;
  const g = new Float64Array(n);
  for (let j = 0; j < n - 1; j++) g[j] = s[j + 1]! - s[j]!;
  g[n - 1] = s[0]! + 2 * Math.PI - s[n - 1]!;
  return g;
}

/** Mean of min/max over pairs of consecutive cyclic gaps of one matrix (a pair of two zero gaps is skipped). */
export function meanGapRatio(theta: ArrayLike<number>): number {
  const g = cyclicGaps(theta);
  const n = g.length;
  let s = 0, c = 0;
  for (let j = 0; j < n; j++) {
    const a = g[j]!, b = g[(j + 1) % n]!;
    const hi = Math.max(a, b);
    if (hi === 0) continue;
    s += Math.min(a, b) / hi;
    c++;
  }
  return c ? s / c : 0;
}

// ------------------------------------------------------------------ Wigner surmise

const SURMISE_STEP = 1e-3;
const SURMISE_MAX = 8;
const surmiseCache = new Map<number, Float64Array>();

/** Wigner surmise density for beta = 1, 2, 4 (mean spacing 1). */
export function wignerSurmise(s: number, beta: 1 | 2 | 4): number {
  if (s <= 0) return 0;
  if (beta === 1) return (Math.PI / 2) * s * Math.exp((-Math.PI * s * s) / 4);
  if (beta === 2) return (32 / (Math.PI * Math.PI)) * s * s * Math.exp((-4 * s * s) / Math.PI);
  return (2 ** 18 / (3 ** 6 * Math.PI ** 3)) * s ** 4 * Math.exp((-64 * s * s) / (9 * Math.PI));
}

/** CDF of the surmise (Simpson-integrated table on [0, 8], linear between nodes). */
export function wignerSurmiseCdf(s: number, beta: 1 | 2 | 4): number {
  let t = surmiseCache.get(beta);
  if (!t) {
    const n = Math.round(SURMISE_MAX / SURMISE_STEP);
    t = new Float64Array(n + 1);
    for (let i = 1; i <= n; i++) {
      const a = (i - 1) * SURMISE_STEP, b = i * SURMISE_STEP;
      t[i] = t[i - 1]! + (SURMISE_STEP / 6) * (wignerSurmise(a, beta) + 4 * wignerSurmise(0.5 * (a + b), beta) + wignerSurmise(b, beta));
    }
    surmiseCache.set(beta, t);
  }
  if (s <= 0) return 0;
  if (s >= SURMISE_MAX) return 1;
  const x = s / SURMISE_STEP;
  const i = Math.floor(x);
  return t[i]! + (x - i) * (t[i + 1]! - t[i]!);
}

/** Nearest-neighbour spacings of all matrices, unfolded to mean 1 (s = N gap / 2pi). */
export function unfoldedSpacings(members: readonly ArrayLike<number>[]): Float64Array {
  const out: number[] = [];
  for (const m of members) for (const g of cyclicGaps(m)) out.push((m.length * g) / (2 * Math.PI));
  return Float64Array.from(out);
}

function ksRow(check: string, d: number, n: number, tolerance: number): CheckResult {
  const p = ksPValue(Math.max(0, d - tolerance), n);
  return { check, statistic: d, expected: 0, tolerance, se: null, z: p >= 1 ? 0 : p <= 0 ? Infinity : twoSidedNormalQuantile(p), p };
}

export interface CheckInput {
  ensemble: CircularEnsemble;
  /** One eigenphase array per matrix, all of the same length N. */
  members: readonly ArrayLike<number>[];
  /** |z| per eigenvalue, when the input held complex values. */
  moduli?: readonly ArrayLike<number>[];
}

/** Every check for one ensemble and size (header); p-values unadjusted. */
export function circularChecks(input: CheckInput): CheckResult[] {
  const { ensemble, members } = input;
  if (members.length < 2) throw new RangeError('validation needs at least 2 matrices per size');
  const n = members[0]!.length;
  if (n < 3 || members.some((m) => m.length !== n)) throw new RangeError('every matrix needs the same number (>= 3) of eigenphases');
  const beta = DYSON_BETA[ensemble];
  const rows: CheckResult[] = [];
  if (input.moduli) rows.push(moduliCheck(input.moduli));
  rows.push(zRow('E|Tr U|^2', members.map((m) => traceMoment(m, 1)), expectedTraceSquare(n, beta)));
  if (ensemble === 'CUE') for (const k of [2, n + 1]) rows.push(zRow(`E|Tr U^${k}|^2`, members.map((m) => traceMoment(m, k)), Math.min(k, n)));
  rows.push(zRow('mean gap ratio', members.map(meanGapRatio), GAP_RATIO[ensemble], GAP_RATIO_TOLERANCE));
  const pooled: number[] = [];
  for (const m of members) for (let i = 0; i < m.length; i++) pooled.push(m[i]!);
  rows.push(ksRow('uniformity (KS)', ksDistance(pooled, (x) => Math.min(1, Math.max(0, (x + Math.PI) / (2 * Math.PI)))), pooled.length, 0));
  const s = unfoldedSpacings(members);
  rows.push(ksRow('spacing vs Wigner surmise (KS)', ksDistance(s, (x) => wignerSurmiseCdf(x, beta)), s.length, SPACING_TOLERANCE));
  return rows;
}
