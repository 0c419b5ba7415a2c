// Method `spectral`: eigenphases of the circular beta ensemble without building a matrix.
//
// Killip & Nenciu (IMRN 2004, Theorem 1): let alpha_0 .. alpha_{n-2} be independent with
// alpha_k ~ Theta_nu, nu = beta (n - k - 1) + 1, and alpha_{n-1} uniform on the unit circle.
// Then the eigenvalues of the n x n CMV matrix built from these Verblunsky coefficients are
// distributed as the circular beta ensemble C(beta)E_n. For nu > 1, Theta_nu is the rotation
// invariant law on the open unit disk with density (nu - 1)/(2 pi) (1 - |z|^2)^((nu - 3)/2).
// In polar form: the phase is uniform and s = |z|^2 has density proportional to
// (1 - s)^((nu - 3)/2) on [0, 1), i.e. s ~ Beta(1, (nu - 1)/2), with survival function
// P(s > x) = (1 - x)^((nu - 1)/2). (Sanity check, beta = 2, k = 0: nu = 2n - 1 gives
// |alpha_0|^2 ~ Beta(1, n - 1), the law of |U_11|^2 for a Haar unitary, as it must.)
//
// Sampling from the stream (fixed order, part of the reproducibility contract):
//   for k = 0 .. n-2:  u = uniform(), v = uniform();
//                      rho2_k = 1 - |alpha_k|^2 = (1 - u)^(2/(nu - 1))   (inversion of the
//                      survival function; 1 - u lies in (0, 1], so |alpha_k| < 1 strictly),
//                      alpha_k = sqrt(1 - rho2_k) * exp(2 pi i v);
//   then alpha_{n-1} = exp(2 pi i w), w = uniform().
// So one matrix consumes exactly 2n - 1 uniforms.
//
// Root finding. Szegő recursion (Simon's convention) Phi_{k+1}(z) = z Phi_k(z) - conj(alpha_k)
// Phi_k^*(z), Phi_0 = 1. With |alpha_{n-1}| = 1, Phi_n is the paraorthogonal polynomial whose
// zeros are exactly the CMV eigenvalues. On |z| = 1 put b_k(z) = z Phi_k(z) / Phi_k^*(z), a
// unimodular Blaschke product: b_0 = z, b_{k+1} = z M_k(b_k) with the disk automorphism
// M_k(b) = (b - conj(alpha_k)) / (1 - alpha_k b), and Phi_n(z) = 0 iff b_{n-1} = conj(alpha_{n-1}).
// The forward phase of b_{n-1} (the Prüfer phase) is monotone but, because the last alphas
// have |alpha| close to 1, it is a staircase that Newton handles badly. So the condition is
// pulled back to k = 0 instead: c_{n-1} = conj(alpha_{n-1}), c_k = M_k^{-1}(c_{k+1} conj z)
// = w conj(p_k) / p_k with w = c_{k+1} conj z, p_k = 1 + alpha_k w (Re p_k > 0); then
// Phi_n(z) = 0 iff z = c_0(z). Its lifted form is the matching phase
//   F(theta) = n theta + arg(alpha_{n-1}) + 2 sum_{k<n-1} arg p_k,   arg p_k in (-pi/2, pi/2),
// with F'(theta) = 1 + D_0, D_{n-1} = 0, D_k = (D_{k+1} + 1)(1 - |alpha_k|^2) / |p_k|^2 > 0,
// so F is strictly increasing and gains 2 pi n over one turn; the eigenphases are the n
// solutions of F(theta) = 2 pi m. Since c_0 = c_{n-1} conj(z)^{n-1} prod_k conj(p_k)^2/|p_k|^2,
// also F = theta - arg c_0 modulo 2 pi.
//
// All n roots are iterated in lockstep, so that one pass over the coefficients evaluates F
// (with F' and F'', from the same recursion) at every pending iterate: evaluating many points
// per pass is what lets the WebAssembly SIMD kernel (src/linalg/wasm/assembly/cmv.ts; the
// TypeScript kernel below is its reference and gives the same bits) keep many independent
// recursions in flight. Pass 0 evaluates F on a grid, one point per root where a constant
// slope n would put it; the grid brackets every target and inverse quintic Hermite
// interpolation (F, F', F'' at both ends) gives each root its start. Then safeguarded Halley/Newton steps ("rtsafe"),
// brackets shrinking with each root's own and its neighbours' iterates. One evaluation is
// O(n) with no O(n^2) storage; a root takes about 4 (beta 4) to 5.8 (beta 1) evaluations,
// grid included (measured at n = 2048; 4.5 for beta 2 at n = 4096 .. 65536), so a matrix
// costs O(n^2). What bounds that count: F is a staircase with its steps at the roots
// (F'(root) is heavy-tailed, like the reciprocal of the root's spectral weight), so the
// start from one grid point per root sits about a tenth of a step width off and Halley needs
// about three more evaluations; scripts/profile-cmv.ts and docs/performance.md have the
// numbers.
// Two kernels: the full one sums the arguments without a transcendental call per step (the
// product of the p_k is carried, rescaled by powers of two, and its crossings of the
// negative real axis are counted, which is exact because each factor turns by less than
// pi/2); the light one (about 35% cheaper) only returns c_0, which fixes F once the root's
// bracket leaves a single value of F modulo 2 pi possible.
import type { RandomStream } from '../rng/index.js';
import { assertFinite, complexMatrix, complexMatmul, hypot, type ComplexMatrix } from '../linalg/index.js';
import { wasmKernels, type CmvMatchPhaseKernel } from '../linalg/wasm/index.js';

const TWO_PI = 2 * Math.PI;

/** Verblunsky coefficients alpha_0..alpha_{n-1} (split storage) and rho2_k = 1 - |alpha_k|^2. */
export interface Verblunsky {
  n: number;
  re: Float64Array;
  im: Float64Array;
  rho2: Float64Array;
}

function checkOrderAndBeta(n: number, beta: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${what}: n must be an integer >= 1, got ${n}`);
  if (!(beta > 0) || !Number.isFinite(beta)) throw new RangeError(`${what}: beta must be a finite number > 0, got ${beta}`);
}

/** Killip–Nenciu Verblunsky coefficients for C(beta)E_n, drawn in the order documented above. */
export function sampleVerblunsky(n: number, beta: number, stream: RandomStream): Verblunsky {
  checkOrderAndBeta(n, beta, 'sampleVerblunsky');
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const rho2 = new Float64Array(n);
  for (let k = 0; k < n - 1; k++) {
    const u = stream.uniform();
    const v = stream.uniform();
    const nuMinus1 = beta * (n - k - 1);
    const r2 = Math.pow(1 - u, 2 / nuMinus1);
    const mod = Math.sqrt(1 - r2);
    const phi = TWO_PI * v;
    re[k] = mod * Math.cos(phi);
    im[k] = mod * Math.sin(phi);
    rho2[k] = r2;
  }
  const phi = TWO_PI * stream.uniform();
  re[n - 1] = Math.cos(phi);
  im[n - 1] = Math.sin(phi);
  rho2[n - 1] = 0;
  return { n, re, im, rho2 };
}

/** Values per coefficient in the packed layout shared with the WebAssembly kernel. */
export const CMV_COEF_STRIDE = 8;

/** Packed coefficients for the matching-phase kernels, see `cmvMatchPhaseTS`. */
export interface PackedVerblunsky {
  /** m = n - 1 packed coefficients alpha_0 .. alpha_{n-2}. */
  coef: Float64Array;
  m: number;
  /** The running product is rescaled at every k >= kTiny: the first k with 1 - |alpha_k| < 2^-60 (else m). */
  kTiny: number;
  /** c_{n-1} = conj(alpha_{n-1}) = exp(-i lastArg). */
  c0r: number;
  c0i: number;
  lastArg: number;
}

/**
 * Packs alpha_0 .. alpha_{n-2}: per k, [u_re, u_im, alpha_re, alpha_im, |alpha| / 2,
 * 1 - |alpha|, rho2, 0] with u = alpha / |alpha|.
 */
export function packVerblunsky(v: Verblunsky): PackedVerblunsky {
  const n = v.n;
  const m = n - 1;
  const coef = new Float64Array(CMV_COEF_STRIDE * m);
  let kTiny = m;
  for (let k = 0; k < m; k++) {
    const re = v.re[k]!;
    const im = v.im[k]!;
    const r = hypot(re, im);
    const o = CMV_COEF_STRIDE * k;
    coef[o] = r > 0 ? re / r : 1;
    coef[o + 1] = r > 0 ? im / r : 0;
    coef[o + 2] = re;
    coef[o + 3] = im;
    coef[o + 4] = 0.5 * r;
    // 1 - r from rho2 = 1 - r^2 without cancellation; a tiny floor keeps it > 0 even when
    // sqrt(1 - rho2) rounded r up to 1 (only reachable for very small beta).
    const gap = Math.max(v.rho2[k]! / (1 + r), Number.MIN_VALUE);
    coef[o + 5] = gap;
    coef[o + 6] = v.rho2[k]!;
    // |p_k| >= 1 - |alpha_k|: with all gaps >= 2^-60, eight steps shrink P by at most 2^-480
    if (gap < 2 ** -60 && k < kTiny) kTiny = k;
  }
  const lastArg = Math.atan2(v.im[n - 1]!, v.re[n - 1]!);
  return { coef, m, kTiny, c0r: Math.cos(lastArg), c0i: -Math.sin(lastArg), lastArg };
}

const SCALE_UP = 2 ** 500;
const SCALE_DOWN = 2 ** -500;

/**
 * The pull-back recursion of the module header at `count` points z_j = exp(i theta_j), given
 * as zr = cos theta, zi = -sin theta (that is conj z); coefficients packed by `packVerblunsky`,
 * (c0r, c0i) = c_{n-1}. Writes 5 arrays of `count` values into `out`:
 *   full:  P_re, P_im, wraps, D_0, D_0'  with P the product of the p_k (rescaled by powers
 *          of two) and wraps its crossings of the negative real axis, so that
 *          sum_k arg p_k = atan2(P_im, P_re) + 2 pi wraps;
 *   light: c_0 (re, im), 0, D_0, D_0'   (F is then known modulo 2 pi: F = theta - arg c_0).
 *
 * Re p_k = 1 + |alpha_k| cos eta = (1 - |alpha_k|) + (|alpha_k| / 2) |conj(u) + w|^2 with
 * u = alpha_k / |alpha_k| and e^{i eta} = u w: a sum of non-negative terms, so Re p_k > 0
 * holds in floating point too (|arg p_k| < pi/2, which makes the crossing count exact) and
 * the small value near eta = pi is formed without cancellation. |c_k| = |w| up to rounding;
 * c is pulled back onto the unit circle every 8 steps (one Newton step for 1/|c|).
 *
 * This is the reference for the WebAssembly kernel, which performs the same IEEE operations
 * in the same order on every lane: both paths give the same bits.
 */
export const cmvMatchPhaseTS: CmvMatchPhaseKernel = (coef, m, kTiny, c0r, c0i, zr, zi, count, full, out) => {
  for (let j = 0; j < count; j++) {
    const xr = zr[j]!;
    const xi = zi[j]!;
    let cr = c0r;
    let ci = c0i;
    let d = 0;
    let dd = 0; // dD/dtheta
    let pr = 1;
    let pim = 0;
    let wraps = 0;
    for (let k = m - 1; k >= 0; k--) {
      const o = CMV_COEF_STRIDE * k;
      const wr = cr * xr - ci * xi; // w = c_{k+1} conj(z)
      const wi = cr * xi + ci * xr;
      const sr = coef[o]! + wr; // conj(u) + w
      const si = wi - coef[o + 1]!;
      const h = sr * sr + si * si; // 2 (1 + cos eta)
      const qr = coef[o + 5]! + coef[o + 4]! * h; // p = 1 + alpha w
      const qi = coef[o + 2]! * wi + coef[o + 3]! * wr;
      const q2r = qr * qr;
      const q2i = qi * qi;
      const inv = 1 / (q2r + q2i);
      const t2 = qi * (-2 * inv);
      const er = (q2r - q2i) * inv; // conj(p)^2 / |p|^2
      const ei = qr * t2;
      cr = er * wr - ei * wi; // c_k = w conj(p)^2 / |p|^2
      ci = er * wi + ei * wr;
      if ((k & 7) === 0) {
        const t = 1.5 - 0.5 * (cr * cr + ci * ci);
        cr *= t;
        ci *= t;
      }
      // D_k = (D_{k+1} + 1) rho^2 / |p|^2 and, using d|p|^2/dtheta = 2 (D_{k+1} + 1) Im p,
      // D_k' = (rho^2 / |p|^2) D_{k+1}' - 2 D_k (D_{k+1} + 1) Im p / |p|^2.
      const d1 = d + 1;
      const g = coef[o + 6]! * inv;
      d = d1 * g;
      dd = g * dd + d * d1 * t2;
      if (full) {
        const npr = pr * qr - pim * qi;
        const npi = pr * qi + pim * qr;
        // |arg p_k| < pi/2: a sign change of Im P in the direction P turns is a crossing of
        // the negative real axis (one in the other direction crosses the positive one).
        if (qi > 0) {
          if (pim >= 0 && npi < 0) wraps++;
        } else if (qi < 0) {
          if (pim < 0 && npi >= 0) wraps--;
        }
        pr = npr;
        pim = npi;
        // |p_k| <= 2 and, below kTiny, >= 2^-60: checking every 8 steps keeps P normal
        if ((k & 7) === 0 || k >= kTiny) {
          const size = Math.abs(pr) + Math.abs(pim);
          if (size < SCALE_DOWN) {
            pr *= SCALE_UP;
            pim *= SCALE_UP;
          } else if (size > SCALE_UP) {
            pr *= SCALE_DOWN;
            pim *= SCALE_DOWN;
          }
        }
      }
    }
    out[j] = full ? pr : cr;
    out[count + j] = full ? pim : ci;
    out[2 * count + j] = wraps;
    out[3 * count + j] = d;
    out[4 * count + j] = dd;
  }
};

type PhaseKernel = CmvMatchPhaseKernel;

/** Evaluates F, F', F'' at many thetas per pass over the coefficients (see `cmvMatchPhaseTS`). */
class MatchPhase {
  readonly n: number;
  private readonly pv: PackedVerblunsky;
  private readonly kernel: PhaseKernel;
  private readonly zr: Float64Array;
  private readonly zi: Float64Array;
  private readonly raw: Float64Array;
  /** F (full) or F modulo 2 pi (light), F', F'' of the last `evaluate` call. */
  readonly f: Float64Array;
  readonly d: Float64Array;
  readonly dd: Float64Array;
  /** Points evaluated so far, and how many of them with the full kernel. */
  evaluations = 0;
  fullEvaluations = 0;

  constructor(v: Verblunsky, capacity: number, kernel: PhaseKernel) {
    this.n = v.n;
    this.pv = packVerblunsky(v);
    this.kernel = kernel;
    this.zr = new Float64Array(capacity);
    this.zi = new Float64Array(capacity);
    this.raw = new Float64Array(5 * capacity);
    this.f = new Float64Array(capacity);
    this.d = new Float64Array(capacity);
    this.dd = new Float64Array(capacity);
  }

  /**
   * full: F(theta) = n theta + arg(alpha_{n-1}) + 2 sum_k arg p_k at x[0..count);
   * light: theta - arg c_0, equal to F modulo 2 pi (module header). Derivatives in both.
   */
  evaluate(x: Float64Array, count: number, full: boolean): void {
    const { zr, zi, n, pv } = this;
    for (let j = 0; j < count; j++) {
      zr[j] = Math.cos(x[j]!);
      zi[j] = -Math.sin(x[j]!);
    }
    const out = this.raw.subarray(0, 5 * count);
    this.kernel(pv.coef, pv.m, pv.kTiny, pv.c0r, pv.c0i, zr, zi, count, full, out);
    for (let j = 0; j < count; j++) {
      if (full) {
        const sumArg = Math.atan2(out[count + j]!, out[j]!) + TWO_PI * out[2 * count + j]!;
        this.f[j] = n * x[j]! + pv.lastArg + 2 * sumArg;
      } else {
        this.f[j] = x[j]! - Math.atan2(out[count + j]!, out[j]!);
      }
      this.d[j] = 1 + out[3 * count + j]!;
      this.dd[j] = out[4 * count + j]!;
    }
    this.evaluations += count;
    if (full) this.fullEvaluations += count;
  }
}

const MAX_PASSES = 200;
// F at a point inside a bracket follows from F modulo 2 pi when one value of that class
// lies in [F(lo) - tol, F(hi) + tol]: always for spans below 2 pi - 2 tol, and for
// slightly wider ones unless the value falls near an end (then the full kernel is run).
// Brackets up to LIGHT_SPAN wide try the light kernel first.
const LIGHT_TOL = 1e-6;
const LIGHT_SPAN = TWO_PI + 2;

/**
 * Cost of the last `cmvEigenphases` call in this thread (for tests, benchmarks and
 * scripts/profile-cmv.ts): points evaluated, how many with the full kernel, lockstep passes,
 * and the points of each pass (index 0: F(-pi) and the grid; p >= 1: lockstep pass p,
 * full-kernel redos of light evaluations included).
 */
export const cmvLastCost = { n: 0, evaluations: 0, fullEvaluations: 0, passes: 0, passEvaluations: [] as number[], wasm: false };

// Eigenphases of the finite CMV matrix with these Verblunsky coefficients (|alpha_{n-1}| = 1):
// roots of the monotone matching phase F(theta) = 2 pi m by safeguarded Halley/Newton steps in
// brackets, all roots iterated in lockstep (Szegő recursion: Simon, "Orthogonal Polynomials on
// the Unit Circle", 2005; model: Killip & Nenciu 2004; safeguard: "rtsafe", Numerical
// Recipes 9.4). Evaluation uses WebAssembly when it loads (ERGO_NO_WASM=1: TypeScript);
// both give the same bits. options.kernel = 'ts' forces the TypeScript kernel (tests).
export function cmvEigenphases(v: Verblunsky, options: { kernel?: 'auto' | 'ts' } = {}): Float64Array {
  const n = v.n;
  if (!Number.isInteger(n) || n < 1 || v.re.length < n || v.im.length < n || v.rho2.length < n) {
    throw new RangeError(`cmvEigenphases: expected n >= 1 coefficients, got n = ${n}`);
  }
  assertFinite(v.re.subarray(0, n), 'cmvEigenphases (re)');
  assertFinite(v.im.subarray(0, n), 'cmvEigenphases (im)');
  assertFinite(v.rho2.subarray(0, n), 'cmvEigenphases (rho2)');
  const wk = options.kernel === 'ts' ? null : wasmKernels();
  const kernel: PhaseKernel = wk ? wk.cmvMatchPhase : cmvMatchPhaseTS;
  const mp = new MatchPhase(v, n + 1, kernel);
  const x = new Float64Array(n + 1);

  // F at -pi; F(pi) = F(-pi) + 2 pi n exactly, by the winding count.
  x[0] = -Math.PI;
  mp.evaluate(x, 1, true);
  const f0 = mp.f[0]!;
  const d0 = mp.d[0]!;
  const dd0 = mp.dd[0]!;
  const fEnd = f0 + TWO_PI * n;
  // first target: smallest multiple of 2 pi strictly above F(-pi)
  let m0 = Math.ceil(f0 / TWO_PI);
  if (TWO_PI * m0 <= f0) m0++;
  const target = new Float64Array(n);
  for (let j = 0; j < n; j++) target[j] = TWO_PI * (m0 + j);

  // Pass 0: F on a grid, at the points where a constant slope n would put the roots. Being
  // increasing, F brackets every target between two grid points; inverse Hermite
  // interpolation of theta(F) over that bracket gives the first iterate.
  const gx = new Float64Array(n + 2);
  const gf = new Float64Array(n + 2);
  const gd = new Float64Array(n + 2);
  const gdd = new Float64Array(n + 2);
  gx[0] = -Math.PI;
  gf[0] = f0;
  gd[0] = d0;
  gdd[0] = dd0;
  for (let j = 0; j < n; j++) x[j] = Math.min(-Math.PI + (target[j]! - f0) / n, Math.PI);
  mp.evaluate(x, n, true);
  for (let j = 0; j < n; j++) {
    gx[j + 1] = x[j]!;
    gf[j + 1] = mp.f[j]!;
    gd[j + 1] = mp.d[j]!;
    gdd[j + 1] = mp.dd[j]!;
  }
  gx[n + 1] = Math.PI;
  gf[n + 1] = fEnd;
  gd[n + 1] = d0;
  gdd[n + 1] = dd0;

  const out = new Float64Array(n);
  const lo = new Float64Array(n); // F(lo) < target <= F(hi)
  const hi = new Float64Array(n);
  const fLo = new Float64Array(n);
  const fHi = new Float64Array(n);
  const cur = new Float64Array(n); // current iterate
  const stepOld = new Float64Array(n);
  const stepCur = new Float64Array(n);
  const prevX = new Float64Array(n).fill(Number.NaN); // previous iterate and its F''
  const prevDD = new Float64Array(n);
  const fAt = new Float64Array(n); // F at the iterate of the latest pass
  const dAt = new Float64Array(n);
  const ddAt = new Float64Array(n);
  let active = new Int32Array(n);
  let nActive = 0;
  let i = 0;
  for (let j = 0; j < n; j++) {
    const t = target[j]!;
    if (fEnd - t <= 0) {
      // only rounding can put a target at F(pi): the root is pi itself
      out[j] = Math.PI;
      continue;
    }
    while (i + 1 < n + 1 && gf[i + 1]! < t) i++;
    const a = gx[i]!;
    const b = gx[i + 1]!;
    lo[j] = a;
    hi[j] = b;
    fLo[j] = gf[i]!;
    fHi[j] = gf[i + 1]!;
    const span = gf[i + 1]! - gf[i]!;
    const s = (t - gf[i]!) / span;
    // theta(F) on [F(a), F(b)]: quintic Hermite interpolation with theta' = 1 / F' and
    // theta'' = -F'' / F'^3 at both ends; cubic (slopes only), then linear if that leaves
    // the bracket.
    const s2 = s * s;
    const s3 = s2 * s;
    const s4 = s3 * s;
    const s5 = s4 * s;
    const ua = span / gd[i]!;
    const ub = span / gd[i + 1]!;
    const va = (-span * span * gdd[i]!) / gd[i]! ** 3;
    const vb = (-span * span * gdd[i + 1]!) / gd[i + 1]! ** 3;
    let g =
      (1 - 10 * s3 + 15 * s4 - 6 * s5) * a +
      (s - 6 * s3 + 8 * s4 - 3 * s5) * ua +
      0.5 * (s2 - 3 * s3 + 3 * s4 - s5) * va +
      (10 * s3 - 15 * s4 + 6 * s5) * b +
      (-4 * s3 + 7 * s4 - 3 * s5) * ub +
      0.5 * (s3 - 2 * s4 + s5) * vb;
    if (!(g > a && g <= b)) g = (2 * s3 - 3 * s2 + 1) * a + (s3 - 2 * s2 + s) * ua + (3 * s2 - 2 * s3) * b + (s3 - s2) * ub;
    if (!(g > a && g <= b)) g = a + s * (b - a);
    if (!(g > a && g <= b)) g = 0.5 * (a + b);
    cur[j] = g;
    stepOld[j] = b - a;
    stepCur[j] = b - a;
    active[nActive++] = j;
  }

  const tighten = (j: number, xo: number, fo: number): void => {
    if (fo < target[j]!) {
      if (xo > lo[j]!) {
        lo[j] = xo;
        fLo[j] = fo;
      }
    } else if (xo < hi[j]!) {
      hi[j] = xo;
      fHi[j] = fo;
    }
  };

  // Full kernel (F itself, not only modulo 2 pi) at the roots idx[0..count): stores F, F', F''.
  const evaluateFull = (idx: Int32Array, count: number): void => {
    for (let q = 0; q < count; q++) x[q] = cur[idx[q]!]!;
    mp.evaluate(x, count, true);
    for (let q = 0; q < count; q++) {
      const j = idx[q]!;
      fAt[j] = mp.f[q]!;
      dAt[j] = mp.d[q]!;
      ddAt[j] = mp.dd[q]!;
    }
  };

  let passes = 0;
  const passEvaluations = [mp.evaluations];
  let counted = mp.evaluations; // evaluations already assigned to a pass
  let next = new Int32Array(n);
  const lightIdx = new Int32Array(n);
  const fullIdx = new Int32Array(n);
  while (nActive > 0 && passes < MAX_PASSES) {
    passes++;
    // Roots with narrow brackets need F only modulo 2 pi (light kernel), see LIGHT_SPAN.
    let nl = 0;
    let nf = 0;
    for (let q = 0; q < nActive; q++) {
      const j = active[q]!;
      if (fHi[j]! - fLo[j]! < LIGHT_SPAN) lightIdx[nl++] = j;
      else fullIdx[nf++] = j;
    }
    if (nf > 0) evaluateFull(fullIdx, nf);
    if (nl > 0) {
      for (let q = 0; q < nl; q++) x[q] = cur[lightIdx[q]!]!;
      mp.evaluate(x, nl, false);
      let nRedo = 0;
      for (let q = 0; q < nl; q++) {
        const j = lightIdx[q]!;
        // F(x) lies in (F(lo), F(hi)); F modulo 2 pi picks it if only one candidate fits
        const fm = mp.f[q]!;
        const kLo = Math.ceil((fLo[j]! - LIGHT_TOL - fm) / TWO_PI);
        const kHi = Math.floor((fHi[j]! + LIGHT_TOL - fm) / TWO_PI);
        if (kLo !== kHi) {
          fullIdx[nRedo++] = j;
          continue;
        }
        fAt[j] = fm + TWO_PI * kLo;
        dAt[j] = mp.d[q]!;
        ddAt[j] = mp.dd[q]!;
      }
      if (nRedo > 0) evaluateFull(fullIdx, nRedo);
    }
    for (let q = 0; q < nActive; q++) {
      const j = active[q]!;
      tighten(j, cur[j]!, fAt[j]!);
    }
    // F is increasing, so a neighbour's iterate is a bracket end for this target too.
    for (let q = 0; q < nActive; q++) {
      const j = active[q]!;
      if (q > 0 && active[q - 1] === j - 1) tighten(j, cur[j - 1]!, fAt[j - 1]!);
      if (q + 1 < nActive && active[q + 1] === j + 1) tighten(j, cur[j + 1]!, fAt[j + 1]!);
    }
    let nNext = 0;
    for (let q = 0; q < nActive; q++) {
      const j = active[q]!;
      const xj = cur[j]!;
      const fx = fAt[j]! - target[j]!;
      const dx = dAt[j]!;
      const ddx = ddAt[j]!;
      if (fx === 0) {
        out[j] = xj;
        continue;
      }
      const a = lo[j]!;
      const b = hi[j]!;
      // Halley's step (cubic convergence; Householder 1970), Newton's if the correction is unsafe
      const hd = 2 * dx * dx - fx * ddx;
      const halley = hd > dx * dx;
      const step = halley ? (-2 * fx * dx) / hd : -fx / dx;
      const xn = xj + step;
      // A vanishing Newton step with F far from the target means x sits inside a jump of F
      // that is steeper than the float grid (|alpha_k| ~ 1): bisect instead of crawling.
      const stalled = Math.abs(step) <= 1e-12 && Math.abs(fx) > 1e-3;
      if (!stalled && Math.abs(step) <= 1e-15) {
        // a correction at the rounding level of theta: x is the root to working accuracy
        out[j] = Math.min(Math.max(xn, a), b);
        continue;
      }
      // Newton steps are accepted only while they stay in the bracket and at least halve
      // every second step (as in "rtsafe"); otherwise bisect.
      const newtonOk = xn > a && xn < b && Math.abs(step) <= 0.5 * Math.abs(stepOld[j]!) && !stalled;
      if (newtonOk && Math.abs(fx) <= 0.05) {
        // The error left after this step is about (K2 + K3 |step|) step^2 for Newton and
        // (K3 + K2^2) |step|^3 for Halley, K2 = |F''| / (2 F'), K3 = |F'''| / (6 F'), with
        // F''' estimated from the change of F'' since this root's previous iterate (generous
        // factors below; near an inflection point F'' alone is misleading): accept once that
        // is below rounding. Without a previous iterate only a tiny Newton step is trusted.
        const curv = Math.abs(ddx) / dx;
        const as = Math.abs(step);
        let ok: boolean;
        if (Number.isFinite(prevX[j]!) && prevX[j]! !== xj) {
          const k3 = (10 * Math.abs((ddx - prevDD[j]!) / (xj - prevX[j]!))) / dx;
          ok = (curv + k3 * as) * as * as <= 1e-17 || (halley && (k3 + curv * curv) * as * as * as <= 1e-18);
        } else ok = as <= 1e-9 && curv * as * as <= 1e-17;
        if (as <= 1e-6 && ok) {
          out[j] = xn;
          continue;
        }
      }
      if (b - a <= 2 * Number.EPSILON * Math.max(1, Math.abs(xj))) {
        out[j] = xj;
        continue;
      }
      prevX[j] = xj;
      prevDD[j] = ddx;
      const nx = newtonOk ? xn : 0.5 * (a + b);
      stepOld[j] = stepCur[j]!;
      stepCur[j] = nx - xj;
      cur[j] = nx;
      next[nNext++] = j;
    }
    passEvaluations.push(mp.evaluations - counted);
    counted = mp.evaluations;
    const swap = active;
    active = next;
    next = swap;
    nActive = nNext;
  }
  // iteration budget spent: bracket midpoint
  for (let q = 0; q < nActive; q++) {
    const j = active[q]!;
    out[j] = 0.5 * (lo[j]! + hi[j]!);
  }
  cmvLastCost.n = n;
  cmvLastCost.evaluations = mp.evaluations;
  cmvLastCost.fullEvaluations = mp.fullEvaluations;
  cmvLastCost.passes = passes;
  cmvLastCost.passEvaluations = passEvaluations;
  cmvLastCost.wasm = wk !== null;

  // Angles are in [-pi, pi]; -pi is represented as pi, then keep ascending order.
  let wrapped = false;
  for (let j = 0; j < n; j++) {
    if (out[j]! <= -Math.PI) {
      out[j] = Math.PI;
      wrapped = true;
    }
  }
  if (wrapped) out.sort();
  return out;
}

/**
 * Method `spectral`: n eigenphases of the circular beta ensemble (Killip–Nenciu CMV model),
 * ascending in (-pi, pi]. Consumes 2n - 1 uniforms of `stream` (see module header).
 */
export function circularBetaEigenphases(n: number, beta: number, stream: RandomStream): Float64Array {
  checkOrderAndBeta(n, beta, 'circularBetaEigenphases');
  return cmvEigenphases(sampleVerblunsky(n, beta, stream));
}

/**
 * Dense n x n CMV matrix C = L M (Simon's convention; used to cross-check `cmvEigenphases`):
 * Theta_k = [[conj a_k, rho_k], [rho_k, -a_k]], L = Theta_0 (+) Theta_2 (+) ...,
 * M = 1 (+) Theta_1 (+) Theta_3 (+) ...; the last block is the 1 x 1 [conj a_{n-1}].
 */
export function cmvMatrix(v: Verblunsky): ComplexMatrix {
  const n = v.n;
  const blocks = (start: number): ComplexMatrix => {
    const m = complexMatrix(n);
    if (start === 1) m.re[0] = 1;
    for (let k = start; k < n; k += 2) {
      if (k === n - 1) {
        m.re[k * n + k] = v.re[k]!;
        m.im[k * n + k] = -v.im[k]!;
      } else {
        const rho = Math.sqrt(v.rho2[k]!);
        m.re[k * n + k] = v.re[k]!;
        m.im[k * n + k] = -v.im[k]!;
        m.re[k * n + k + 1] = rho;
        m.re[(k + 1) * n + k] = rho;
        m.re[(k + 1) * n + k + 1] = -v.re[k]!;
        m.im[(k + 1) * n + k + 1] = -v.im[k]!;
      }
    }
    return m;
  };
  return complexMatmul(blocks(0), blocks(1));
}
