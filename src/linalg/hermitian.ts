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
import { maxAbs, powerOfTwoScale } from './scaling.js';
import { tridiagonalEigenvalues } from './tridiagonal.js';
import type { Tridiagonal } from './symmetric.js';

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
 * In-place reduction of the (scaled) upper triangle wr/wi. With keep = true,
 * row k of wr/wi afterwards holds the reflector vector v (entries k+1..n-1,
 * v_{k+1} = 1) and tau/gamma are returned for forming Q and D.
 */
function reduceHermitian(wr: Float64Array, wi: Float64Array, n: number, keep: boolean): Reduction {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  const gRe = keep ? new Float64Array(n) : undefined;
  const gIm = keep ? new Float64Array(n) : undefined;
  const taus = keep ? new Float64Array(n) : undefined;
  const vr = new Float64Array(n), vi = new Float64Array(n);
  const pr = new Float64Array(n), pi = new Float64Array(n);
  for (let k = 0; k < n - 1; k++) {
    const rk = k * n;
    d[k] = wr[rk + k]!;
    // x = conj(row k), from column k+1 on.
    const alr = wr[rk + k + 1]!, ali = -wi[rk + k + 1]!;
    let ss = 0;
    for (let j = k + 2; j < n; j++) ss += wr[rk + j]! * wr[rk + j]! + wi[rk + j]! * wi[rk + j]!;
    const absA = Math.hypot(alr, ali);
    if (ss === 0) {
      // Already reduced: P = I, gamma = x_0.
      e[k] = absA;
      if (keep) { gRe![k] = alr; gIm![k] = ali; taus![k] = 0; }
      continue;
    }
    const s = Math.sqrt(absA * absA + ss);
    const phr = absA > 0 ? alr / absA : 1, phi = absA > 0 ? ali / absA : 0;
    const tau = (s + absA) / s;
    // v_j = x_j / u_0 with u_0 = phase * (|x_0| + s).
    const cr = phr / (absA + s), ci = -phi / (absA + s);
    vr[k + 1] = 1; vi[k + 1] = 0;
    for (let j = k + 2; j < n; j++) {
      const xr = wr[rk + j]!, xi = -wi[rk + j]!;
      vr[j] = xr * cr - xi * ci;
      vi[j] = xr * ci + xi * cr;
    }
    e[k] = s;
    if (keep) {
      gRe![k] = -phr * s; gIm![k] = -phi * s; taus![k] = tau;
      for (let j = k + 1; j < n; j++) { wr[rk + j] = vr[j]!; wi[rk + j] = vi[j]!; }
    }
    // p = A22 v from the upper triangle (A_ji = conj(A_ij)).
    pr.fill(0, k + 1, n); pi.fill(0, k + 1, n);
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vir = vr[i]!, vii = vi[i]!;
      const aii = wr[ri + i]!;
      let accr = aii * vir, acci = aii * vii;
      for (let j = i + 1; j < n; j++) {
        const ar = wr[ri + j]!, ai = wi[ri + j]!;
        const vjr = vr[j]!, vji = vi[j]!;
        accr += ar * vjr - ai * vji;
        acci += ar * vji + ai * vjr;
        pr[j] = pr[j]! + (ar * vir + ai * vii);
        pi[j] = pi[j]! + (ar * vii - ai * vir);
      }
      pr[i] = pr[i]! + accr;
      pi[i] = pi[i]! + acci;
    }
    // w = tau p - K v with K = (tau/2) Re(v^H tau p).
    let dot = 0;
    for (let i = k + 1; i < n; i++) {
      pr[i] = pr[i]! * tau; pi[i] = pi[i]! * tau;
      dot += vr[i]! * pr[i]! + vi[i]! * pi[i]!;
    }
    const K = 0.5 * tau * dot;
    for (let i = k + 1; i < n; i++) { pr[i] = pr[i]! - K * vr[i]!; pi[i] = pi[i]! - K * vi[i]!; }
    // A22 -= v w^H + w v^H on the upper triangle.
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vir = vr[i]!, vii = vi[i]!, wir = pr[i]!, wii = pi[i]!;
      for (let j = i; j < n; j++) {
        const wjr = pr[j]!, wji = pi[j]!, vjr = vr[j]!, vji = vi[j]!;
        wr[ri + j] = wr[ri + j]! - (vir * wjr + vii * wji + wir * vjr + wii * vji);
        wi[ri + j] = wi[ri + j]! - (vii * wjr - vir * wji + wii * vjr - wir * vji);
      }
    }
  }
  d[n - 1] = wr[n * n - 1]!;
  return keep ? { d, e, gRe: gRe!, gIm: gIm!, tau: taus! } : { d, e };
}

// Householder reduction of a Hermitian matrix to real symmetric tridiagonal form (Golub & Van Loan 4th ed. §8.3.1; LAPACK zhetd2).
export function hermitianTridiagonalize(m: ComplexMatrix): Tridiagonal {
  assertComplexInput(m, 'hermitianTridiagonalize', true);
  const n = m.rows;
  const s = powerOfTwoScale(maxAbs(m.re, m.im));
  const { wr, wi } = upperCopy(m, s);
  const { d, e } = reduceHermitian(wr, wi, n, false);
  for (let i = 0; i < n; i++) d[i] = d[i]! / s;
  for (let i = 0; i < n - 1; i++) e[i] = e[i]! / s;
  return { d, e };
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
      let r = Math.hypot(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1, c = 1, p = 0;
      let deflated = false;
      for (let i = m - 1; i >= l; i--) {
        const f = s * e[i]!, b = c * e[i]!;
        r = Math.hypot(f, g);
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
      const ga = Math.hypot(gr, gi);
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
