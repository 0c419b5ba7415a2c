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
import { activeBackend } from './backend.js';
import { computing } from './cores.js';
import { nativeKernels } from './native.js';
import { wasmKernels } from './wasm/index.js';

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

/** p[from..n) += A[from.., from..] v, reading only the upper triangle of row-major A (n x n). */
function symvUpper(w: Float64Array, n: number, from: number, v: Float64Array, p: Float64Array): void {
  for (let i = from; i < n; i++) {
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

// Shared start of both tridiagonalisations: checks A, takes its power-of-two scaled working
// copy (exact, see ./scaling.ts) and allocates the outputs d (n) and e (n - 1).
function startTridiagonalize(a: Float64Array, n: number): { s: number; w: Float64Array; d: Float64Array; e: Float64Array } {
  assertSquare(n, a.length, 'symmetricTridiagonalize');
  assertFinite(a, 'symmetricTridiagonalize');
  const s = powerOfTwoScale(maxAbs(a));
  return { s, w: scaledCopy(a, s), d: new Float64Array(n), e: new Float64Array(n - 1) };
}

// Householder tridiagonalisation, one triangle, unblocked (Golub & Van Loan 4th ed. §8.3.1; LAPACK dsytd2).
export function symmetricTridiagonalizeSimple(a: Float64Array, n: number): Tridiagonal {
  const { s, w, d, e } = startTridiagonalize(a, n);
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 1; k++) {
    d[k] = w[k * n + k]!;
    const [tau, beta] = reflector(w, n, k, v);
    e[k] = beta;
    if (tau === 0) continue;
    // p = A22 v using the upper triangle only.
    p.fill(0, k + 1, n);
    symvUpper(w, n, k + 1, v, p);
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

/**
 * One pass over rows start..n-1 (upper triangle): apply the rank-2 update of
 * the previous step, A -= v wv^T + wv v^T, and with the updated entries
 * accumulate p2 = A v2 for the next step. Four rows share each load of
 * v, wv, v2 and p2 (the memory traffic, not the flops, is the cost here).
 */
function fusedUpdateSymv(
  w: Float64Array, n: number, start: number,
  v: Float64Array, wv: Float64Array, v2: Float64Array, p2: Float64Array,
): void {
  let i = start;
  for (; i + 3 < n; i += 4) {
    const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
    const a0 = v[i]!, a1 = v[i + 1]!, a2 = v[i + 2]!, a3 = v[i + 3]!;
    const b0 = wv[i]!, b1 = wv[i + 1]!, b2 = wv[i + 2]!, b3 = wv[i + 3]!;
    const c0 = v2[i]!, c1 = v2[i + 1]!, c2 = v2[i + 2]!, c3 = v2[i + 3]!;
    // 4 x 4 diagonal block (upper part), written out.
    const x00 = w[r0 + i]! - 2 * a0 * b0;
    const x01 = w[r0 + i + 1]! - (a0 * b1 + b0 * a1);
    const x02 = w[r0 + i + 2]! - (a0 * b2 + b0 * a2);
    const x03 = w[r0 + i + 3]! - (a0 * b3 + b0 * a3);
    const x11 = w[r1 + i + 1]! - 2 * a1 * b1;
    const x12 = w[r1 + i + 2]! - (a1 * b2 + b1 * a2);
    const x13 = w[r1 + i + 3]! - (a1 * b3 + b1 * a3);
    const x22 = w[r2 + i + 2]! - 2 * a2 * b2;
    const x23 = w[r2 + i + 3]! - (a2 * b3 + b2 * a3);
    const x33 = w[r3 + i + 3]! - 2 * a3 * b3;
    w[r0 + i] = x00; w[r0 + i + 1] = x01; w[r0 + i + 2] = x02; w[r0 + i + 3] = x03;
    w[r1 + i + 1] = x11; w[r1 + i + 2] = x12; w[r1 + i + 3] = x13;
    w[r2 + i + 2] = x22; w[r2 + i + 3] = x23;
    w[r3 + i + 3] = x33;
    let s0 = x00 * c0 + x01 * c1 + x02 * c2 + x03 * c3;
    let s1 = x01 * c0 + x11 * c1 + x12 * c2 + x13 * c3;
    let s2 = x02 * c0 + x12 * c1 + x22 * c2 + x23 * c3;
    let s3 = x03 * c0 + x13 * c1 + x23 * c2 + x33 * c3;
    for (let j = i + 4; j < n; j++) {
      const vj = v[j]!, wj = wv[j]!, uj = v2[j]!;
      const x0 = w[r0 + j]! - (a0 * wj + b0 * vj);
      const x1 = w[r1 + j]! - (a1 * wj + b1 * vj);
      const x2 = w[r2 + j]! - (a2 * wj + b2 * vj);
      const x3 = w[r3 + j]! - (a3 * wj + b3 * vj);
      w[r0 + j] = x0; w[r1 + j] = x1; w[r2 + j] = x2; w[r3 + j] = x3;
      s0 += x0 * uj; s1 += x1 * uj; s2 += x2 * uj; s3 += x3 * uj;
      p2[j] = p2[j]! + (x0 * c0 + x1 * c1 + x2 * c2 + x3 * c3);
    }
    p2[i] = p2[i]! + s0; p2[i + 1] = p2[i + 1]! + s1; p2[i + 2] = p2[i + 2]! + s2; p2[i + 3] = p2[i + 3]! + s3;
  }
  for (; i < n; i++) {
    const ri = i * n;
    const a = v[i]!, b = wv[i]!, c = v2[i]!;
    const xd = w[ri + i]! - 2 * a * b;
    w[ri + i] = xd;
    let acc = xd * c;
    for (let j = i + 1; j < n; j++) {
      const x = w[ri + j]! - (a * wv[j]! + b * v[j]!);
      w[ri + j] = x;
      acc += x * v2[j]!;
      p2[j] = p2[j]! + x * c;
    }
    p2[i] = p2[i]! + acc;
  }
}

// Householder tridiagonalisation with the rank-2 update of step k fused into the matrix-vector product of step k+1 (Golub & Van Loan 4th ed. §8.3.1; same reflectors as LAPACK dsytd2).
export function symmetricTridiagonalizeTS(a: Float64Array, n: number): Tridiagonal {
  const { s, w, d, e } = startTridiagonalize(a, n);
  if (n === 1) {
    d[0] = a[0]!;
    return { d, e };
  }
  let v = new Float64Array(n), wv = new Float64Array(n);
  let v2 = new Float64Array(n), p2 = new Float64Array(n);
  // Step 0: reflector and a plain product.
  d[0] = w[0]!;
  const [tau0, beta0] = reflector(w, n, 0, v);
  e[0] = beta0;
  if (tau0 !== 0) {
    symvUpper(w, n, 1, v, wv);
    updateVector(wv, v, tau0, 1, n);
  }
  for (let k = 0; k < n - 2; k++) {
    // Finish row k+1 first: the next reflector is built from it.
    const r = k + 1, rr = r * n;
    const vr = v[r]!, wr = wv[r]!;
    for (let j = r; j < n; j++) w[rr + j] = w[rr + j]! - (vr * wv[j]! + wr * v[j]!);
    d[r] = w[rr + r]!;
    const [tau2, beta2] = reflector(w, n, r, v2);
    e[r] = beta2;
    p2.fill(0, r + 1, n);
    fusedUpdateSymv(w, n, r + 1, v, wv, v2, p2);
    updateVector(p2, v2, tau2, r + 1, n);
    let t = v; v = v2; v2 = t;
    t = wv; wv = p2; p2 = t;
  }
  const last = n * n - 1;
  w[last] = w[last]! - 2 * v[n - 1]! * wv[n - 1]!;
  d[n - 1] = w[last]!;
  for (let i = 0; i < n; i++) d[i] = d[i]! / s;
  for (let i = 0; i < n - 1; i++) e[i] = e[i]! / s;
  return { d, e };
}

/** The WebAssembly SIMD kernel (same reflectors) unless the active backend is 'ts', else the TypeScript one above. */
export function symmetricTridiagonalize(a: Float64Array, n: number): Tridiagonal {
  const k = activeBackend() === 'ts' ? null : wasmKernels();
  return k ? k.symmetricTridiagonalize(a, n) : symmetricTridiagonalizeTS(a, n);
}

// Householder tridiagonalisation + Pal–Walker–Kahan QL (Golub & Van Loan 4th ed. §8.3; LAPACK dsytrd + dsterf), on the active backend (./backend.ts; native: LAPACK dsyevd).
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  if (activeBackend() === 'native') return computing(() => nativeKernels()!.symmetricEigenvalues(a, n));
  return computing(() => {
    const { d, e } = symmetricTridiagonalize(a, n);
    return tridiagonalEigenvalues(d, e);
  });
}
