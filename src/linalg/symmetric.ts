// Real symmetric eigenvalues: Householder tridiagonalisation + root-free QL.
//
// Storage: one contiguous row-major Float64Array; only the upper triangle
// (j >= i) is read, so each reduction step k works on the contiguous row k.
// (Row-major upper = column-major lower: this is LAPACK dsytd2's 'L' order.)
// Output convention shared with the WebAssembly version: d (length n), e
// (length n - 1) with e[k] the (k, k+1) entry of the tridiagonal matrix.

import { assertFinite, assertSquare } from './types.js';
import { maxAbs, powerOfTwoScale } from './scaling.js';
import { tridiagonalEigenvalues } from './tridiagonal.js';

export interface Tridiagonal {
  d: Float64Array;
  e: Float64Array;
}

/** Copy of a scaled by s (upper triangle suffices but a full copy is cheap). */
function scaledCopy(a: Float64Array, s: number): Float64Array {
  const w = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) w[i] = a[i]! * s;
  return w;
}

/**
 * Householder vector for row k (entries k+1..n-1 of w): overwrites
 * v[k+1..n-1] (v[k+1] = 1) and returns [tau, beta]; tau = 0 means no
 * reflection is needed (then v is zeroed so a rank-2 update with it is a no-op).
 */
function reflector(w: Float64Array, n: number, k: number, v: Float64Array): [number, number] {
  const rk = k * n;
  const alpha = w[rk + k + 1]!;
  let ss = 0;
  for (let j = k + 2; j < n; j++) {
    const x = w[rk + j]!;
    ss += x * x;
  }
  if (ss === 0) {
    for (let j = k + 1; j < n; j++) v[j] = 0;
    return [0, alpha];
  }
  const s = Math.sqrt(alpha * alpha + ss);
  const beta = alpha >= 0 ? -s : s;
  const tau = (beta - alpha) / beta;
  const inv = 1 / (alpha - beta);
  v[k + 1] = 1;
  for (let j = k + 2; j < n; j++) v[j] = w[rk + j]! * inv;
  return [tau, beta];
}

/** From p = A22 v (rows k+1..), form the update vector  tau p - (tau^2/2)(p.v) v  in p. */
function updateVector(p: Float64Array, v: Float64Array, tau: number, from: number, n: number): void {
  let dot = 0;
  for (let i = from; i < n; i++) {
    p[i] = p[i]! * tau;
    dot += p[i]! * v[i]!;
  }
  const kk = 0.5 * tau * dot;
  for (let i = from; i < n; i++) p[i] = p[i]! - kk * v[i]!;
}

// Householder tridiagonalisation, one triangle, unblocked (Golub & Van Loan 4th ed. §8.3.1; LAPACK dsytd2).
export function symmetricTridiagonalizeSimple(a: Float64Array, n: number): Tridiagonal {
  assertSquare(n, a.length, 'symmetricTridiagonalize');
  assertFinite(a, 'symmetricTridiagonalize');
  const s = powerOfTwoScale(maxAbs(a));
  const w = scaledCopy(a, s);
  const d = new Float64Array(n);
  const e = new Float64Array(n - 1);
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 1; k++) {
    d[k] = w[k * n + k]!;
    const [tau, beta] = reflector(w, n, k, v);
    e[k] = beta;
    if (tau === 0) continue;
    // p = A22 v using the upper triangle only.
    p.fill(0, k + 1, n);
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = v[i]!;
      let acc = w[ri + i]! * vi;
      for (let j = i + 1; j < n; j++) {
        const aij = w[ri + j]!;
        acc += aij * v[j]!;
        p[j] = p[j]! + aij * vi;
      }
      p[i] = p[i]! + acc;
    }
    updateVector(p, v, tau, k + 1, n);
    // Rank-2 update A22 -= v p^T + p v^T (upper triangle).
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = v[i]!;
      const pi = p[i]!;
      for (let j = i; j < n; j++) w[ri + j] = w[ri + j]! - (vi * p[j]! + pi * v[j]!);
    }
  }
  d[n - 1] = w[n * n - 1]!;
  for (let i = 0; i < n; i++) d[i] = d[i]! / s;
  for (let i = 0; i < n - 1; i++) e[i] = e[i]! / s;
  return { d, e };
}

export const symmetricTridiagonalize = symmetricTridiagonalizeSimple;

// Householder tridiagonalisation + Pal–Walker–Kahan QL (Golub & Van Loan 4th ed. §8.3; LAPACK dsytrd + dsterf).
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const { d, e } = symmetricTridiagonalize(a, n);
  return tridiagonalEigenvalues(d, e);
}
