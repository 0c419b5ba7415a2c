// Eigenvalues of a general (non-normal) complex square matrix. Used by the `bristol`
// reproduction recipe for COE, whose elementwise product U^T o U is neither unitary nor
// Hermitian (unitaryEigenphases refuses it).
import { assertFinite, type ComplexMatrix } from './types.js';
import { hypot } from './hypot.js';
import { maxAbs, powerOfTwoScale } from './scaling.js';

const EPS = Number.EPSILON;
/** Largest entries in [2^-256, 2^256]: no rescaling (see complexEigenvalues). */
const UNSCALED_MIN = 2 ** -256;
const UNSCALED_MAX = 2 ** 256;

// Householder reduction to upper Hessenberg form, then the single-shift complex QR algorithm
// with Wilkinson shifts and deflation, eigenvalues only (Golub & Van Loan 4th ed. §7.4-7.5;
// LAPACK zgehrd/zlahqr without the Schur vectors).
export function complexEigenvalues(a: ComplexMatrix): { re: Float64Array; im: Float64Array } {
  const n = a.rows;
  if (a.cols !== n || a.re.length !== n * n || a.im.length !== n * n) {
    throw new RangeError(`complexEigenvalues: need a square matrix, got ${a.rows} x ${a.cols}`);
  }
  assertFinite(a.re, 'complexEigenvalues (real part)');
  assertFinite(a.im, 'complexEigenvalues (imaginary part)');
  // Entries far from 1 in magnitude: scaled (exactly, by a power of two) to [0.5, 1) first, as the
  // shift's products and the rotations' squares would underflow (|a| ~ 1e-200: no convergence)
  // or overflow (|a| ~ 1e200). Other inputs are used as they are, so their results do not change.
  const amax = maxAbs(a.re, a.im);
  const scale = amax !== 0 && (amax < UNSCALED_MIN || amax > UNSCALED_MAX) ? powerOfTwoScale(amax) : 1;
  const hr = Float64Array.from(a.re, (x) => x * scale);
  const hi = Float64Array.from(a.im, (x) => x * scale);
  const at = (i: number, j: number): number => i * n + j;

  // --- Hessenberg reduction: reflector I - 2 v v^H / (v^H v) on rows/cols k+1..n-1
  const vr = new Float64Array(n);
  const vi = new Float64Array(n);
  const wr = new Float64Array(n); // f v^H A, one entry per column
  const wi = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    let norm2 = 0;
    for (let i = k + 1; i < n; i++) norm2 += hr[at(i, k)]! ** 2 + hi[at(i, k)]! ** 2;
    const alpha = Math.sqrt(norm2);
    if (alpha === 0) continue;
    const x0r = hr[at(k + 1, k)]!;
    const x0i = hi[at(k + 1, k)]!;
    const x0 = hypot(x0r, x0i);
    const pr = x0 === 0 ? 1 : x0r / x0;
    const pi = x0 === 0 ? 0 : x0i / x0;
    for (let i = k + 1; i < n; i++) {
      vr[i] = hr[at(i, k)]!;
      vi[i] = hi[at(i, k)]!;
    }
    vr[k + 1] = x0r + pr * alpha; // v = x + e^{i phi} ||x|| e_1 (no cancellation)
    vi[k + 1] = x0i + pi * alpha;
    let vv = 0;
    for (let i = k + 1; i < n; i++) vv += vr[i]! ** 2 + vi[i]! ** 2;
    const f = 2 / vv;
    // left: A <- A - f v (v^H A), columns k..n-1. Row by row (contiguous in row-major): each
    // s_j = sum_i conj(v_i) a_ij still accumulates over i in ascending order, so the result
    // is bit-for-bit that of the column-by-column loop; about 5% faster at n = 96.
    wr.fill(0, k, n);
    wi.fill(0, k, n);
    for (let i = k + 1; i < n; i++) {
      const vri = vr[i]!, vii = vi[i]!;
      const row = i * n;
      for (let j = k; j < n; j++) {
        const ar = hr[row + j]!, ai = hi[row + j]!;
        wr[j] = wr[j]! + (vri * ar + vii * ai); // conj(v_i) a_ij
        wi[j] = wi[j]! + (vri * ai - vii * ar);
      }
    }
    for (let j = k; j < n; j++) {
      wr[j] = wr[j]! * f;
      wi[j] = wi[j]! * f;
    }
    for (let i = k + 1; i < n; i++) {
      const vri = vr[i]!, vii = vi[i]!;
      const row = i * n;
      for (let j = k; j < n; j++) {
        const sr = wr[j]!, si = wi[j]!;
        hr[row + j] = hr[row + j]! - (vri * sr - vii * si);
        hi[row + j] = hi[row + j]! - (vri * si + vii * sr);
      }
    }
    // right: A <- A - f (A v) v^H, all rows
    for (let i = 0; i < n; i++) {
      let sr = 0;
      let si = 0;
      for (let j = k + 1; j < n; j++) {
        const ar = hr[at(i, j)]!, ai = hi[at(i, j)]!;
        sr += ar * vr[j]! - ai * vi[j]!;
        si += ar * vi[j]! + ai * vr[j]!;
      }
      sr *= f;
      si *= f;
      for (let j = k + 1; j < n; j++) {
        // subtract s conj(v_j)
        hr[at(i, j)] = hr[at(i, j)]! - (sr * vr[j]! + si * vi[j]!);
        hi[at(i, j)] = hi[at(i, j)]! - (si * vr[j]! - sr * vi[j]!);
      }
    }
    for (let i = k + 2; i < n; i++) {
      hr[at(i, k)] = 0;
      hi[at(i, k)] = 0;
    }
  }

  // --- shifted QR on the active window [lo, end]
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  const cs = new Float64Array(n);
  const sr = new Float64Array(n);
  const si = new Float64Array(n);
  let end = n - 1;
  let iter = 0;
  let total = 0;
  const maxTotal = 100 * Math.max(n, 1);
  while (end >= 0) {
    if (end === 0) {
      outRe[0] = hr[0]!;
      outIm[0] = hi[0]!;
      break;
    }
    // find the start of the unreduced block ending at `end`
    let lo = end;
    while (lo > 0) {
      const sub = hypot(hr[at(lo, lo - 1)]!, hi[at(lo, lo - 1)]!);
      const diag =
        hypot(hr[at(lo - 1, lo - 1)]!, hi[at(lo - 1, lo - 1)]!) + hypot(hr[at(lo, lo)]!, hi[at(lo, lo)]!);
      if (sub <= EPS * (diag === 0 ? 1 : diag)) {
        hr[at(lo, lo - 1)] = 0;
        hi[at(lo, lo - 1)] = 0;
        break;
      }
      lo--;
    }
    if (lo === end) {
      outRe[end] = hr[at(end, end)]!;
      outIm[end] = hi[at(end, end)]!;
      end--;
      iter = 0;
      continue;
    }
    if (++total > maxTotal) throw new Error('complexEigenvalues: QR iteration did not converge');
    iter++;
    // Wilkinson shift: eigenvalue of the trailing 2 x 2 block closer to its last diagonal entry;
    // every 10th iteration an exceptional shift breaks cycles.
    const ar = hr[at(end - 1, end - 1)]!, ai = hi[at(end - 1, end - 1)]!;
    const br = hr[at(end - 1, end)]!, bi = hi[at(end - 1, end)]!;
    const cr = hr[at(end, end - 1)]!, ci = hi[at(end, end - 1)]!;
    const dr = hr[at(end, end)]!, di = hi[at(end, end)]!;
    let mur: number;
    let mui: number;
    if (iter % 10 === 0) {
      const mag = hypot(cr, ci) + (end - 1 > lo ? hypot(hr[at(end - 1, end - 2)]!, hi[at(end - 1, end - 2)]!) : 0);
      mur = dr + 0.75 * mag;
      mui = di;
    } else {
      const hr2 = 0.5 * (ar - dr), hi2 = 0.5 * (ai - di); // (a - d)/2
      // disc = ((a - d)/2)^2 + b c
      const discR = hr2 * hr2 - hi2 * hi2 + (br * cr - bi * ci);
      const discI = 2 * hr2 * hi2 + (br * ci + bi * cr);
      // principal complex square root
      const mod = hypot(discR, discI);
      const qr = Math.sqrt(0.5 * (mod + discR));
      let qi = Math.sqrt(Math.max(0, 0.5 * (mod - discR)));
      if (discI < 0) qi = -qi;
      // choose the root mu = (a + d)/2 +- q closer to d: (a - d)/2 +- q small
      const pr = hr2 + qr, pi = hi2 + qi;
      const mr = hr2 - qr, mi = hi2 - qi;
      if (hypot(pr, pi) < hypot(mr, mi)) {
        mur = dr + pr;
        mui = di + pi;
      } else {
        mur = dr + mr;
        mui = di + mi;
      }
    }
    for (let k = lo; k <= end; k++) {
      hr[at(k, k)] = hr[at(k, k)]! - mur;
      hi[at(k, k)] = hi[at(k, k)]! - mui;
    }
    // left Givens rotations G_k = [[c, s], [-conj s, c]] zero the subdiagonal
    for (let k = lo; k < end; k++) {
      const xr = hr[at(k, k)]!, xi = hi[at(k, k)]!;
      const yr = hr[at(k + 1, k)]!, yi = hi[at(k + 1, k)]!;
      const xa = hypot(xr, xi);
      const r = hypot(xa, hypot(yr, yi));
      let c: number, s_r: number, s_i: number;
      if (r === 0) {
        c = 1;
        s_r = 0;
        s_i = 0;
      } else if (xa === 0) {
        c = 0;
        s_r = 1;
        s_i = 0;
      } else {
        c = xa / r;
        // s = (x/|x|) conj(y) / r
        const ur = xr / xa, ui = xi / xa;
        s_r = (ur * yr + ui * yi) / r;
        s_i = (ui * yr - ur * yi) / r;
      }
      cs[k] = c;
      sr[k] = s_r;
      si[k] = s_i;
      for (let j = k; j <= end; j++) {
        const p1r = hr[at(k, j)]!, p1i = hi[at(k, j)]!;
        const p2r = hr[at(k + 1, j)]!, p2i = hi[at(k + 1, j)]!;
        // row k: c p1 + s p2 ; row k+1: -conj(s) p1 + c p2
        hr[at(k, j)] = c * p1r + (s_r * p2r - s_i * p2i);
        hi[at(k, j)] = c * p1i + (s_r * p2i + s_i * p2r);
        hr[at(k + 1, j)] = -(s_r * p1r + s_i * p1i) + c * p2r;
        hi[at(k + 1, j)] = -(s_r * p1i - s_i * p1r) + c * p2i;
      }
      hr[at(k + 1, k)] = 0;
      hi[at(k + 1, k)] = 0;
    }
    // right rotations with G_k^H: col k <- c col k + conj(s) col k+1, col k+1 <- -s col k + c col k+1
    for (let k = lo; k < end; k++) {
      const c = cs[k]!, s_r = sr[k]!, s_i = si[k]!;
      const top = Math.min(k + 2, end);
      for (let i = lo; i <= top; i++) {
        const q1r = hr[at(i, k)]!, q1i = hi[at(i, k)]!;
        const q2r = hr[at(i, k + 1)]!, q2i = hi[at(i, k + 1)]!;
        hr[at(i, k)] = c * q1r + (s_r * q2r + s_i * q2i);
        hi[at(i, k)] = c * q1i + (s_r * q2i - s_i * q2r);
        hr[at(i, k + 1)] = -(s_r * q1r - s_i * q1i) + c * q2r;
        hi[at(i, k + 1)] = -(s_r * q1i + s_i * q1r) + c * q2i;
      }
    }
    for (let k = lo; k <= end; k++) {
      hr[at(k, k)] = hr[at(k, k)]! + mur;
      hi[at(k, k)] = hi[at(k, k)]! + mui;
    }
  }
  if (scale !== 1) {
    for (let k = 0; k < n; k++) {
      outRe[k] = outRe[k]! / scale;
      outIm[k] = outIm[k]! / scale;
    }
  }
  return { re: outRe, im: outIm };
}
