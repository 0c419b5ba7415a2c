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
// solutions of F(theta) = 2 pi m. Each is found in turn from -pi upwards by Halley/Newton
// steps safeguarded with bisection inside its bracket (F'' comes from the same recursion).
// One evaluation is O(n) with no O(n^2) storage; a root takes about 5-9 evaluations
// (measured at n = 1024: beta 4, 2, 1), so a matrix costs O(n^2).
// The arguments are summed without a transcendental call per step: the product of the p_k
// is carried (rescaled) and its crossings of the negative real axis are counted, which is
// exact because each factor turns by less than pi/2.
import type { RandomStream } from '../rng/index.js';
import { complexMatrix, complexMatmul, type ComplexMatrix } from '../linalg/index.js';

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

const SCALE_UP = 2 ** 500;
const SCALE_DOWN = 2 ** -500;

/** Per-coefficient data for `matchPhase`: unit phase of alpha_k, |alpha_k|, 1 - |alpha_k|. */
interface Prepared {
  n: number;
  ur: Float64Array;
  ui: Float64Array;
  mod: Float64Array;
  gap: Float64Array;
  rho2: Float64Array;
  lastArg: number;
}

function prepare(v: Verblunsky): Prepared {
  const n = v.n;
  const ur = new Float64Array(n);
  const ui = new Float64Array(n);
  const mod = new Float64Array(n);
  const gap = new Float64Array(n);
  for (let k = 0; k < n - 1; k++) {
    const r = Math.hypot(v.re[k]!, v.im[k]!);
    mod[k] = r;
    // 1 - r from rho2 = 1 - r^2 without cancellation; a tiny floor keeps it > 0 even when
    // sqrt(1 - rho2) rounded r up to 1 (only reachable for very small beta).
    gap[k] = Math.max(v.rho2[k]! / (1 + r), Number.MIN_VALUE);
    if (r > 0) {
      ur[k] = v.re[k]! / r;
      ui[k] = v.im[k]! / r;
    } else {
      ur[k] = 1;
    }
  }
  return { n, ur, ui, mod, gap, rho2: v.rho2, lastArg: Math.atan2(v.im[n - 1]!, v.re[n - 1]!) };
}

/**
 * Matching phase F(theta) = n theta + arg(alpha_{n-1}) + 2 sum_k arg p_k and F'(theta)
 * (see module header). Writes [F, F', F''] into `out`.
 * Re p_k = 1 + |alpha_k| cos(eta) is formed as (1 - |alpha_k|) + |alpha_k| (1 + cos eta), with
 * 1 + cos eta = sin^2 eta / (1 - cos eta) when cos eta < 0: it then stays > 0 in floating point
 * (so |arg p_k| < pi/2 holds and the crossing count below is exact) even for |alpha_k| ~ 1.
 */
function matchPhase(pp: Prepared, theta: number, out: Float64Array): void {
  const n = pp.n;
  const aur = pp.ur;
  const aui = pp.ui;
  const mod = pp.mod;
  const gap = pp.gap;
  const rho2 = pp.rho2;
  const zr = Math.cos(theta);
  const zi = -Math.sin(theta); // conj(z)
  let cr = Math.cos(pp.lastArg);
  let ci = -Math.sin(pp.lastArg); // c_{n-1} = conj(alpha_{n-1})
  let d = 0;
  let d2 = 0; // dD/dtheta
  // Running product P of the p_k (unnormalised, rescaled by powers of two when needed) and
  // the number of times its principal argument wrapped past +-pi.
  let pr = 1;
  let pim = 0;
  let wraps = 0;
  for (let k = n - 2; k >= 0; k--) {
    let wr = cr * zr - ci * zi; // w = c_{k+1} conj(z)
    let wi = cr * zi + ci * zr;
    // pull w back onto the unit circle (one Newton step for 1/|w|; rounding drift only)
    const t = 1.5 - 0.5 * (wr * wr + wi * wi);
    wr *= t;
    wi *= t;
    const ar = aur[k]!;
    const ai = aui[k]!;
    const r = mod[k]!;
    const er0 = ar * wr - ai * wi; // e^{i eta} = (alpha_k / |alpha_k|) w
    const ei0 = ar * wi + ai * wr;
    const onePlusCos = er0 >= 0 ? 1 + er0 : (ei0 * ei0) / (1 - er0);
    const qr = gap[k]! + r * onePlusCos; // p_k = 1 + alpha_k w
    const qi = r * ei0;
    const inv = 1 / (qr * qr + qi * qi);
    const er = (qr * qr - qi * qi) * inv; // conj(p)^2 / |p|^2
    const ei = -2 * qr * qi * inv;
    cr = er * wr - ei * wi; // c_k = w conj(p)^2 / |p|^2
    ci = er * wi + ei * wr;
    // D_k = (D_{k+1} + 1) rho^2 / |p|^2 and, using d|p|^2/dtheta = 2 (D_{k+1} + 1) Im p,
    // D_k' = rho^2 / |p|^2 (D_{k+1}' - 2 (D_{k+1} + 1)^2 Im p / |p|^2).
    const d1 = d + 1;
    const g = rho2[k]! * inv;
    d2 = g * (d2 - 2 * d1 * d1 * qi * inv);
    d = d1 * g;
    const npr = pr * qr - pim * qi;
    const npi = pr * qi + pim * qr;
    // |arg p_k| < pi/2, so a sign change of Im P tells a crossing of the negative real axis.
    if (qi > 0) {
      if (pim >= 0 && npi < 0) wraps++;
    } else if (qi < 0) {
      if (pim < 0 && npi >= 0) wraps--;
    }
    pr = npr;
    pim = npi;
    const size = Math.abs(pr) + Math.abs(pim);
    if (size < SCALE_DOWN) {
      pr *= SCALE_UP;
      pim *= SCALE_UP;
    } else if (size > SCALE_UP) {
      pr *= SCALE_DOWN;
      pim *= SCALE_DOWN;
    }
  }
  const sumArg = Math.atan2(pim, pr) + TWO_PI * wraps;
  out[0] = n * theta + pp.lastArg + 2 * sumArg;
  out[1] = 1 + d;
  out[2] = d2;
}

const MAX_ITER = 200;

// Eigenphases of the finite CMV matrix with these Verblunsky coefficients (|alpha_{n-1}| = 1):
// roots of the monotone matching phase F(theta) = 2 pi m, safeguarded Newton in a bracket
// (Szegő recursion: Simon, "Orthogonal Polynomials on the Unit Circle", 2005; model: Killip &
// Nenciu 2004).
export function cmvEigenphases(v: Verblunsky): Float64Array {
  const n = v.n;
  const out = new Float64Array(n);
  const buf = new Float64Array(3);
  const pp = prepare(v);
  matchPhase(pp, -Math.PI, buf);
  const f0 = buf[0]!;
  const fEnd = f0 + TWO_PI * n; // F(pi), exactly, by the winding count
  // first target: smallest multiple of 2 pi strictly above F(-pi)
  let m0 = Math.ceil(f0 / TWO_PI);
  if (TWO_PI * m0 <= f0) m0++;
  let lo = -Math.PI;
  let fLo = f0;
  let dLo = buf[1]!;
  for (let j = 0; j < n; j++) {
    const target = TWO_PI * (m0 + j);
    if (fEnd - target <= 0) {
      // only rounding can put a target at F(pi): the root is pi itself
      out[j] = Math.PI;
      continue;
    }
    let a = lo; // F(a) < target
    let b = Math.PI; // F(b) >= target
    // First guess: a Newton step from the previous root, with the slope capped at n (the mean
    // of F' over the circle): a root where F is steep says little about the gap to the next.
    let x = a + (target - fLo) / Math.min(dLo, n);
    if (!(x > a && x < b)) x = 0.5 * (a + b);
    let fx = fLo - target;
    let dx = dLo;
    // Newton steps are accepted only while they stay in the bracket and at least halve
    // every second step (as in "rtsafe", Numerical Recipes 9.4); otherwise bisect.
    let stepOld = b - a;
    let stepCur = b - a;
    let done = false;
    for (let it = 0; it < MAX_ITER; it++) {
      matchPhase(pp, x, buf);
      fx = buf[0]! - target;
      dx = buf[1]!;
      const ddx = buf[2]!;
      if (fx === 0) {
        done = true;
        break;
      }
      if (fx < 0) a = x;
      else b = x;
      // Halley's step (cubic convergence; Householder 1970), Newton's if the correction is unsafe
      const hd = 2 * dx * dx - fx * ddx;
      const step = hd > dx * dx ? (-2 * fx * dx) / hd : -fx / dx;
      const xn = x + step;
      // A vanishing Newton step with F far from the target means x sits inside a jump of F
      // that is steeper than the float grid (|alpha_k| ~ 1): bisect instead of crawling.
      const stalled = Math.abs(step) <= 1e-12 && Math.abs(fx) > 1e-3;
      const newtonOk = xn > a && xn < b && Math.abs(step) <= 0.5 * Math.abs(stepOld) && !stalled;
      if (newtonOk && Math.abs(fx) <= 0.05) {
        // The error left after this step is at most about K step^2, K ~ |F''| / (2 F')
        // (Newton's bound; Halley's is smaller): accept once that is below rounding.
        const curv = Math.abs(ddx) / dx;
        if (Math.abs(step) <= 1e-15 || (Math.abs(step) <= 1e-6 && curv * step * step <= 1e-17)) {
          x = xn;
          done = true;
          break;
        }
      }
      if (b - a <= 2 * Number.EPSILON * Math.max(1, Math.abs(x))) {
        done = true;
        break;
      }
      const next = newtonOk ? xn : 0.5 * (a + b);
      stepOld = stepCur;
      stepCur = next - x;
      x = next;
    }
    if (!done) x = 0.5 * (a + b); // iteration budget spent: bracket midpoint
    out[j] = x;
    lo = x;
    fLo = fx + target;
    dLo = dx;
  }
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
