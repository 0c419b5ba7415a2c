// Hermitian eigenvalues (and eigenvectors): Householder reduction to a real
// symmetric tridiagonal matrix, then the tridiagonal solvers.
//
// Only the upper triangle of the input is read (the real part on the
// diagonal); the lower triangle is assumed to be its conjugate. The working
// copy is row-major, so reduction step k reads the contiguous row k.
//
// Step k uses a Hermitian reflector P = I - tau u u^H (tau real) that maps
// the conjugated row x = conj(A[k, k+1:]) to gamma_k e_1 with
// gamma_k = -(x_0/|x_0|) ||x||; the complex tridiagonal T_c = Q^H A Q then has
// T_c[k+1, k] = gamma_k, and D = diag(delta), delta_{k+1} = delta_k gamma_k/|gamma_k|,
// makes D^H T_c D real with off-diagonal |gamma_k| = ||x|| (so e >= 0).

import { complexMatrix, type ComplexMatrix } from './types.js';
import { assertComplexInput } from './complex.js';
import { hypot } from './hypot.js';
import { maxAbs, powerOfTwoScale } from './scaling.js';
import { tridiagonalEigenvalues } from './tridiagonal.js';
import type { Tridiagonal } from './symmetric.js';
import { wasmKernels } from './wasm/index.js';

const EPS = 2 ** -53;

interface Reduction extends Tridiagonal {
  /** gamma_k (complex sub-diagonal of T_c), only when vectors are kept. */
  gRe?: Float64Array;
  gIm?: Float64Array;
  tau?: Float64Array;
}

/** Scaled copy of the upper triangle of m (lower triangle left zero, diagonal imaginary part dropped). */
function upperCopy(m: ComplexMatrix, s: number): { wr: Float64Array; wi: Float64Array } {
  const n = m.rows;
  const wr = new Float64Array(n * n), wi = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    wr[ri + i] = m.re[ri + i]! * s;
    for (let j = i + 1; j < n; j++) {
      wr[ri + j] = m.re[ri + j]! * s;
      wi[ri + j] = m.im[ri + j]! * s;
    }
  }
  return { wr, wi };
}

/**
 * Hermitian reflector for row k (see the file header): writes v (v_{k+1} = 1)
 * into vr/vi, gamma_k into g[0], g[1], e_k = |gamma_k| into g[2]; returns tau
 * (0 and v = 0 when the row is already reduced).
 */
function hermitianReflector(
  wr: Float64Array, wi: Float64Array, n: number, k: number, vr: Float64Array, vi: Float64Array, g: Float64Array,
): number {
  const rk = k * n;
  // x = conj(row k), from column k+1 on.
  const alr = wr[rk + k + 1]!, ali = -wi[rk + k + 1]!;
  let ss = 0;
  for (let j = k + 2; j < n; j++) ss += wr[rk + j]! * wr[rk + j]! + wi[rk + j]! * wi[rk + j]!;
  const absA = hypot(alr, ali);
  if (ss === 0) {
    for (let j = k + 1; j < n; j++) { vr[j] = 0; vi[j] = 0; }
    g[0] = alr; g[1] = ali; g[2] = absA;
    return 0;
  }
  const s = Math.sqrt(absA * absA + ss);
  const phr = absA > 0 ? alr / absA : 1, phi = absA > 0 ? ali / absA : 0;
  // v_j = x_j / u_0 with u_0 = phase * (|x_0| + s).
  const cr = phr / (absA + s), ci = -phi / (absA + s);
  vr[k + 1] = 1; vi[k + 1] = 0;
  for (let j = k + 2; j < n; j++) {
    const xr = wr[rk + j]!, xi = -wi[rk + j]!;
    vr[j] = xr * cr - xi * ci;
    vi[j] = xr * ci + xi * cr;
  }
  g[0] = -phr * s; g[1] = -phi * s; g[2] = s;
  return (s + absA) / s;
}

/** p <- tau p - K v with K = (tau/2) Re(v^H tau p): the rank-2 update vector. */
function hermitianUpdateVector(
  pr: Float64Array, pi: Float64Array, vr: Float64Array, vi: Float64Array, tau: number, from: number, n: number,
): void {
  let dot = 0;
  for (let i = from; i < n; i++) {
    pr[i] = pr[i]! * tau; pi[i] = pi[i]! * tau;
    dot += vr[i]! * pr[i]! + vi[i]! * pi[i]!;
  }
  const K = 0.5 * tau * dot;
  for (let i = from; i < n; i++) { pr[i] = pr[i]! - K * vr[i]!; pi[i] = pi[i]! - K * vi[i]!; }
}

/**
 * Rows start..n-1 (upper triangle): apply A -= v w^H + w v^H, and with the
 * updated entries accumulate p2 = A u for the next step (A_ji = conj(A_ij)).
 * Two rows share each load of v, w, u and p2.
 */
function fusedHermitianPass(
  wr: Float64Array, wi: Float64Array, n: number, start: number,
  vr: Float64Array, vi: Float64Array, xr: Float64Array, xi: Float64Array,
  ur: Float64Array, ui: Float64Array, pr: Float64Array, pi: Float64Array,
): void {
  let i = start;
  for (; i + 1 < n; i += 2) {
    const r0 = i * n, r1 = r0 + n;
    const a0r = vr[i]!, a0i = vi[i]!, a1r = vr[i + 1]!, a1i = vi[i + 1]!;
    const b0r = xr[i]!, b0i = xi[i]!, b1r = xr[i + 1]!, b1i = xi[i + 1]!;
    const c0r = ur[i]!, c0i = ui[i]!, c1r = ur[i + 1]!, c1i = ui[i + 1]!;
    // 2 x 2 diagonal block: (i,i), (i,i+1), (i+1,i+1).
    const d0 = wr[r0 + i]! - 2 * (a0r * b0r + a0i * b0i);
    const d1 = wr[r1 + i + 1]! - 2 * (a1r * b1r + a1i * b1i);
    const o_r = wr[r0 + i + 1]! - (a0r * b1r + a0i * b1i + b0r * a1r + b0i * a1i);
    const o_i = wi[r0 + i + 1]! - (a0i * b1r - a0r * b1i + b0i * a1r - b0r * a1i);
    wr[r0 + i] = d0; wr[r1 + i + 1] = d1; wr[r0 + i + 1] = o_r; wi[r0 + i + 1] = o_i;
    // row i: d0 u_i + A_{i,i+1} u_{i+1}; row i+1: conj(A_{i,i+1}) u_i + d1 u_{i+1}
    let s0r = d0 * c0r + (o_r * c1r - o_i * c1i);
    let s0i = d0 * c0i + (o_r * c1i + o_i * c1r);
    let s1r = d1 * c1r + (o_r * c0r + o_i * c0i);
    let s1i = d1 * c1i + (o_r * c0i - o_i * c0r);
    for (let j = i + 2; j < n; j++) {
      const vjr = vr[j]!, vji = vi[j]!, wjr = xr[j]!, wji = xi[j]!, ujr = ur[j]!, uji = ui[j]!;
      const x0r = wr[r0 + j]! - (a0r * wjr + a0i * wji + b0r * vjr + b0i * vji);
      const x0i = wi[r0 + j]! - (a0i * wjr - a0r * wji + b0i * vjr - b0r * vji);
      const x1r = wr[r1 + j]! - (a1r * wjr + a1i * wji + b1r * vjr + b1i * vji);
      const x1i = wi[r1 + j]! - (a1i * wjr - a1r * wji + b1i * vjr - b1r * vji);
      wr[r0 + j] = x0r; wi[r0 + j] = x0i; wr[r1 + j] = x1r; wi[r1 + j] = x1i;
      s0r += x0r * ujr - x0i * uji; s0i += x0r * uji + x0i * ujr;
      s1r += x1r * ujr - x1i * uji; s1i += x1r * uji + x1i * ujr;
      pr[j] = pr[j]! + (x0r * c0r + x0i * c0i + x1r * c1r + x1i * c1i);
      pi[j] = pi[j]! + (x0r * c0i - x0i * c0r + x1r * c1i - x1i * c1r);
    }
    pr[i] = pr[i]! + s0r; pi[i] = pi[i]! + s0i;
    pr[i + 1] = pr[i + 1]! + s1r; pi[i + 1] = pi[i + 1]! + s1i;
  }
  if (i < n) {
    // Last row (a single diagonal entry).
    const ri = i * n;
    const dd = wr[ri + i]! - 2 * (vr[i]! * xr[i]! + vi[i]! * xi[i]!);
    wr[ri + i] = dd;
    pr[i] = pr[i]! + dd * ur[i]!;
    pi[i] = pi[i]! + dd * ui[i]!;
  }
}

/**
 * In-place reduction of the (scaled) upper triangle wr/wi, the rank-2 update
 * of step k fused with the product of step k+1. With keep = true, row k of
 * wr/wi afterwards holds the reflector vector v (entries k+1..n-1,
 * v_{k+1} = 1) and tau/gamma are returned for forming Q and D.
 */
function reduceHermitian(wr: Float64Array, wi: Float64Array, n: number, keep: boolean): Reduction {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  const gRe = new Float64Array(n), gIm = new Float64Array(n), taus = new Float64Array(n);
  if (n === 1) {
    d[0] = wr[0]!;
    return keep ? { d, e, gRe, gIm, tau: taus } : { d, e };
  }
  let vr = new Float64Array(n), vi = new Float64Array(n), xr = new Float64Array(n), xi = new Float64Array(n);
  let ur = new Float64Array(n), ui = new Float64Array(n), pr = new Float64Array(n), pi = new Float64Array(n);
  const g = new Float64Array(3);
  const record = (k: number, tau: number, v_r: Float64Array, v_i: Float64Array): void => {
    e[k] = g[2]!; gRe[k] = g[0]!; gIm[k] = g[1]!; taus[k] = tau;
    if (keep && tau !== 0) {
      const rk = k * n;
      for (let j = k + 1; j < n; j++) { wr[rk + j] = v_r[j]!; wi[rk + j] = v_i[j]!; }
    }
  };
  // Step 0: reflector and a plain product x = A22 v.
  d[0] = wr[0]!;
  const tau0 = hermitianReflector(wr, wi, n, 0, vr, vi, g);
  record(0, tau0, vr, vi);
  if (tau0 !== 0) {
    for (let i = 1; i < n; i++) {
      const ri = i * n;
      const vir = vr[i]!, vii = vi[i]!;
      const aii = wr[ri + i]!;
      let accr = aii * vir, acci = aii * vii;
      for (let j = i + 1; j < n; j++) {
        const ar = wr[ri + j]!, ai = wi[ri + j]!;
        const vjr = vr[j]!, vji = vi[j]!;
        accr += ar * vjr - ai * vji;
        acci += ar * vji + ai * vjr;
        xr[j] = xr[j]! + (ar * vir + ai * vii);
        xi[j] = xi[j]! + (ar * vii - ai * vir);
      }
      xr[i] = xr[i]! + accr;
      xi[i] = xi[i]! + acci;
    }
    hermitianUpdateVector(xr, xi, vr, vi, tau0, 1, n);
  }
  for (let k = 0; k < n - 2; k++) {
    // Finish row k+1 first: the next reflector is built from it.
    const r = k + 1, rr = r * n;
    const a_r = vr[r]!, a_i = vi[r]!, b_r = xr[r]!, b_i = xi[r]!;
    for (let j = r; j < n; j++) {
      const vjr = vr[j]!, vji = vi[j]!, wjr = xr[j]!, wji = xi[j]!;
      wr[rr + j] = wr[rr + j]! - (a_r * wjr + a_i * wji + b_r * vjr + b_i * vji);
      wi[rr + j] = wi[rr + j]! - (a_i * wjr - a_r * wji + b_i * vjr - b_r * vji);
    }
    wi[rr + r] = 0;
    d[r] = wr[rr + r]!;
    const tau2 = hermitianReflector(wr, wi, n, r, ur, ui, g);
    record(r, tau2, ur, ui);
    pr.fill(0, r + 1, n); pi.fill(0, r + 1, n);
    fusedHermitianPass(wr, wi, n, r + 1, vr, vi, xr, xi, ur, ui, pr, pi);
    hermitianUpdateVector(pr, pi, ur, ui, tau2, r + 1, n);
    let t = vr; vr = ur; ur = t;
    t = vi; vi = ui; ui = t;
    t = xr; xr = pr; pr = t;
    t = xi; xi = pi; pi = t;
  }
  const last = n * n - 1;
  wr[last] = wr[last]! - 2 * (vr[n - 1]! * xr[n - 1]! + vi[n - 1]! * xi[n - 1]!);
  d[n - 1] = wr[last]!;
  return keep ? { d, e, gRe, gIm, tau: taus } : { d, e };
}

// Householder reduction of a Hermitian matrix to real symmetric tridiagonal form, update fused with the next product (Golub & Van Loan 4th ed. §8.3.1; LAPACK zhetd2).
export function hermitianTridiagonalizeTS(m: ComplexMatrix): Tridiagonal {
  assertComplexInput(m, 'hermitianTridiagonalize', true);
  const n = m.rows;
  const s = powerOfTwoScale(maxAbs(m.re, m.im));
  const { wr, wi } = upperCopy(m, s);
  const { d, e } = reduceHermitian(wr, wi, n, false);
  for (let i = 0; i < n; i++) d[i] = d[i]! / s;
  for (let i = 0; i < n - 1; i++) e[i] = e[i]! / s;
  return { d, e };
}

/** The WebAssembly SIMD kernel where available, else hermitianTridiagonalizeTS. */
export function hermitianTridiagonalize(m: ComplexMatrix): Tridiagonal {
  const k = wasmKernels();
  return k ? k.hermitianTridiagonalize(m) : hermitianTridiagonalizeTS(m);
}

// Householder tridiagonalisation + Pal–Walker–Kahan QL (Golub & Van Loan 4th ed. §8.3; LAPACK zhetrd + dsterf).
export function hermitianEigenvalues(m: ComplexMatrix): Float64Array {
  const { d, e } = hermitianTridiagonalize(m);
  return tridiagonalEigenvalues(d, e);
}

/**
 * Implicit-shift QL with Wilkinson shifts on a real symmetric tridiagonal
 * (d, e with e.length = n, e[n-1] = 0), rotating the rows of zt (zt row j =
 * eigenvector j) as it goes.
 */
// Implicit symmetric QL with Wilkinson shift, accumulating rotations (Golub & Van Loan 4th ed. §8.3.5; EISPACK tql2).
function tridiagonalQLWithVectors(d: Float64Array, e: Float64Array, zt: Float64Array, n: number): void {
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= EPS * dd) break;
      }
      if (m === l) break;
      if (++iter > 60) throw new Error('hermitianEigen: QL iteration did not converge');
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = hypot(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1, c = 1, p = 0;
      let deflated = false;
      for (let i = m - 1; i >= l; i--) {
        const f = s * e[i]!, b = c * e[i]!;
        r = hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // Underflow: the matrix splits here; redo the search.
          d[i + 1] = d[i + 1]! - p;
          e[m] = 0;
          deflated = true;
          break;
        }
        s = f / r; c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        const ri = i * n, rj = ri + n;
        for (let k = 0; k < n; k++) {
          const zi = zt[ri + k]!, zj = zt[rj + k]!;
          zt[rj + k] = s * zi + c * zj;
          zt[ri + k] = c * zi - s * zj;
        }
      }
      if (deflated) continue;
      d[l] = d[l]! - p;
      e[l] = g;
      e[m] = 0;
    }
  }
}

export interface HermitianEigen {
  /** Eigenvalues ascending. */
  values: Float64Array;
  /** Orthonormal eigenvectors as columns, column j belonging to values[j]. */
  vectors: ComplexMatrix;
}

// Householder tridiagonalisation with accumulated Q and phase D, then implicit QL with vectors: V = Q D Z (Golub & Van Loan 4th ed. §8.3).
export function hermitianEigen(m: ComplexMatrix): HermitianEigen {
  assertComplexInput(m, 'hermitianEigen', true);
  const n = m.rows;
  const sc = powerOfTwoScale(maxAbs(m.re, m.im));
  const { wr, wi } = upperCopy(m, sc);
  const red = reduceHermitian(wr, wi, n, true);
  const gRe = red.gRe!, gIm = red.gIm!, taus = red.tau!;
  // Q = P_0 P_1 ... P_{n-2}, accumulated backwards on rows/cols k+1.. .
  const qr = new Float64Array(n * n), qi = new Float64Array(n * n);
  for (let i = 0; i < n; i++) qr[i * n + i] = 1;
  const yr = new Float64Array(n), yi = new Float64Array(n);
  for (let k = n - 2; k >= 0; k--) {
    const tau = taus[k]!;
    if (tau === 0) continue;
    const rk = k * n;
    yr.fill(0, k + 1, n); yi.fill(0, k + 1, n);
    for (let i = k + 1; i < n; i++) {
      const vr = wr[rk + i]!, vi = -wi[rk + i]!; // conj(v_i)
      const ri = i * n;
      for (let j = k + 1; j < n; j++) {
        const xr = qr[ri + j]!, xi = qi[ri + j]!;
        yr[j] = yr[j]! + (vr * xr - vi * xi);
        yi[j] = yi[j]! + (vr * xi + vi * xr);
      }
    }
    for (let i = k + 1; i < n; i++) {
      const vr = tau * wr[rk + i]!, vi = tau * wi[rk + i]!;
      const ri = i * n;
      for (let j = k + 1; j < n; j++) {
        qr[ri + j] = qr[ri + j]! - (vr * yr[j]! - vi * yi[j]!);
        qi[ri + j] = qi[ri + j]! - (vr * yi[j]! + vi * yr[j]!);
      }
    }
  }
  // Phases delta_j, folded into the columns of Q.
  let dr = 1, di = 0;
  for (let j = 0; j < n; j++) {
    if (j > 0) {
      const gr = gRe[j - 1]!, gi = gIm[j - 1]!;
      const ga = hypot(gr, gi);
      if (ga > 0) {
        const ur = gr / ga, ui = gi / ga;
        const nr = dr * ur - di * ui;
        di = dr * ui + di * ur;
        dr = nr;
      }
    }
    for (let i = 0; i < n; i++) {
      const xr = qr[i * n + j]!, xi = qi[i * n + j]!;
      qr[i * n + j] = xr * dr - xi * di;
      qi[i * n + j] = xr * di + xi * dr;
    }
  }
  // Real tridiagonal eigenproblem with vectors.
  const d = red.d;
  const e = new Float64Array(n);
  e.set(red.e);
  const zt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) zt[i * n + i] = 1;
  tridiagonalQLWithVectors(d, e, zt, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x]! - d[y]!);
  const values = new Float64Array(n);
  const vectors = complexMatrix(n);
  for (let jj = 0; jj < n; jj++) {
    const j = order[jj]!;
    values[jj] = d[j]! / sc;
    const rz = j * n;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      let sr = 0, si = 0;
      for (let k = 0; k < n; k++) {
        const z = zt[rz + k]!;
        sr += qr[ri + k]! * z;
        si += qi[ri + k]! * z;
      }
      vectors.re[ri + jj] = sr;
      vectors.im[ri + jj] = si;
    }
  }
  return { values, vectors };
}
