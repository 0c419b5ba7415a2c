// Eigenvalues of real symmetric tridiagonal matrices.
// Convention: diagonal d (length n), off-diagonal e (length n - 1), e[i]
// couples rows i and i + 1. Only e[i]^2 matters for the eigenvalues.

import { assertFinite } from './types.js';
import { powerOfTwoScale } from './scaling.js';
import { hypot } from './hypot.js';

const EPS = 2 ** -53; // unit roundoff
const EPS2 = EPS * EPS;

/** Eigenvalues of [[a, b], [b, c]] as [larger-magnitude root, other root]; cancellation-free. */
export function symmetric2x2Eigenvalues(a: number, b: number, c: number): [number, number] {
  const sum = a + c;
  const diff = Math.abs(a - c);
  const twoB = Math.abs(2 * b);
  const big = Math.abs(a) > Math.abs(c) ? a : c;
  const small = Math.abs(a) > Math.abs(c) ? c : a;
  let root: number;
  if (diff > twoB) root = diff * Math.sqrt(1 + (twoB / diff) ** 2);
  else if (diff < twoB) root = twoB * Math.sqrt(1 + (diff / twoB) ** 2);
  else root = twoB * Math.SQRT2;
  if (sum === 0) return [0.5 * root, -0.5 * root];
  const r1 = sum > 0 ? 0.5 * (sum + root) : 0.5 * (sum - root);
  // The second root from the determinant avoids cancellation in sum -+ root.
  const r2 = (big / r1) * small - (b / r1) * b;
  return [r1, r2];
}

// Shift for the QL/QR sweep from the 2x2 block [[dl, b], [b, dNext]], b^2 = e2: its eigenvalue
// nearer dl (Parlett, The Symmetric Eigenvalue Problem, §8.9; the form LAPACK dsterf uses).
function wilkinsonShift(dl: number, dNext: number, e2: number): number {
  const rte = Math.sqrt(e2);
  const sigma = (dNext - dl) / (2 * rte);
  const r0 = hypot(sigma, 1);
  return dl - rte / (sigma + (sigma >= 0 ? r0 : -r0));
}

/**
 * Root-free implicit QL/QR sweeps on d (in place) and the squared
 * off-diagonals e2 (in place, length n; e2[n-1] unused), for the block
 * rows lo..hi. Throws if an eigenvalue fails to converge.
 */
function pwkBlock(d: Float64Array, e2: Float64Array, lo: number, hi: number): void {
  const maxIter = 30 * (hi - lo + 1);
  let iter = 0;
  let l: number;
  let lend: number;
  // Chase from the end with the smaller diagonal entry (LAPACK's choice),
  // so that graded matrices converge from the small end.
  if (Math.abs(d[hi]!) < Math.abs(d[lo]!)) {
    l = hi;
    lend = lo;
  } else {
    l = lo;
    lend = hi;
  }
  if (lend >= l) {
    // QL: deflate at the top (index l) moving downwards.
    for (;;) {
      let m = l;
      while (m < lend && Math.abs(e2[m]!) > EPS2 * Math.abs(d[m]! * d[m + 1]!)) m++;
      if (m < lend) e2[m] = 0;
      if (m === l) {
        l++;
        if (l > lend) return;
        continue;
      }
      if (m === l + 1) {
        const [r1, r2] = symmetric2x2Eigenvalues(d[l]!, Math.sqrt(e2[l]!), d[l + 1]!);
        d[l] = r1;
        d[l + 1] = r2;
        e2[l] = 0;
        l += 2;
        if (l > lend) return;
        continue;
      }
      if (iter++ === maxIter) throw new Error('tridiagonalEigenvalues: QL iteration did not converge');
      // Wilkinson-type shift from the leading 2x2.
      const sigma = wilkinsonShift(d[l]!, d[l + 1]!, e2[l]!);
      let c = 1;
      let s = 0;
      let gamma = d[m]! - sigma;
      let p = gamma * gamma;
      for (let i = m - 1; i >= l; i--) {
        const bb = e2[i]!;
        const r = p + bb;
        if (i !== m - 1) e2[i + 1] = s * r;
        const oldc = c;
        c = p / r;
        s = bb / r;
        const oldgam = gamma;
        const alpha = d[i]!;
        gamma = c * (alpha - sigma) - s * oldgam;
        d[i + 1] = oldgam + (alpha - gamma);
        p = c !== 0 ? (gamma * gamma) / c : oldc * bb;
      }
      e2[l] = s * p;
      d[l] = sigma + gamma;
    }
  } else {
    // QR: the mirror image, deflating at the bottom (index l) moving upwards.
    for (;;) {
      let m = l;
      while (m > lend && Math.abs(e2[m - 1]!) > EPS2 * Math.abs(d[m]! * d[m - 1]!)) m--;
      if (m > lend) e2[m - 1] = 0;
      if (m === l) {
        l--;
        if (l < lend) return;
        continue;
      }
      if (m === l - 1) {
        const [r1, r2] = symmetric2x2Eigenvalues(d[l]!, Math.sqrt(e2[l - 1]!), d[l - 1]!);
        d[l] = r1;
        d[l - 1] = r2;
        e2[l - 1] = 0;
        l -= 2;
        if (l < lend) return;
        continue;
      }
      if (iter++ === maxIter) throw new Error('tridiagonalEigenvalues: QR iteration did not converge');
      const sigma = wilkinsonShift(d[l]!, d[l - 1]!, e2[l - 1]!);
      let c = 1;
      let s = 0;
      let gamma = d[m]! - sigma;
      let p = gamma * gamma;
      for (let i = m; i <= l - 1; i++) {
        const bb = e2[i]!;
        const r = p + bb;
        if (i !== m) e2[i - 1] = s * r;
        const oldc = c;
        c = p / r;
        s = bb / r;
        const oldgam = gamma;
        const alpha = d[i + 1]!;
        gamma = c * (alpha - sigma) - s * oldgam;
        d[i] = oldgam + (alpha - gamma);
        p = c !== 0 ? (gamma * gamma) / c : oldc * bb;
      }
      e2[l - 1] = s * p;
      d[l] = sigma + gamma;
    }
  }
}

// Pal–Walker–Kahan root-free QL/QR with implicit shifts (LAPACK dsterf; Parlett, The Symmetric Eigenvalue Problem, §8.15).
export function tridiagonalEigenvalues(d: Float64Array, e: Float64Array): Float64Array {
  const n = d.length;
  if (n < 1) throw new RangeError('tridiagonalEigenvalues: empty diagonal');
  if (e.length !== n - 1) {
    throw new RangeError(`tridiagonalEigenvalues: off-diagonal must have length n - 1 = ${n - 1}, got ${e.length}`);
  }
  assertFinite(d, 'tridiagonalEigenvalues(d)');
  assertFinite(e, 'tridiagonalEigenvalues(e)');
  const w = Float64Array.from(d);
  const ee = new Float64Array(n);
  ee.set(e);
  let lo = 0;
  while (lo < n) {
    // Split off an unreduced block lo..hi where e is negligible (relative test).
    let hi = lo;
    while (hi < n - 1) {
      const t = Math.abs(ee[hi]!);
      if (t === 0) break;
      if (t <= Math.sqrt(Math.abs(w[hi]!)) * Math.sqrt(Math.abs(w[hi + 1]!)) * EPS) {
        ee[hi] = 0;
        break;
      }
      hi++;
    }
    if (hi > lo) {
      // Scale the block so that its squares stay in range; exact power of two.
      let amax = 0;
      for (let i = lo; i <= hi; i++) amax = Math.max(amax, Math.abs(w[i]!));
      for (let i = lo; i < hi; i++) amax = Math.max(amax, Math.abs(ee[i]!));
      const s = powerOfTwoScale(amax);
      const e2 = ee; // reuse: squared, scaled off-diagonals of this block
      for (let i = lo; i <= hi; i++) w[i] = w[i]! * s;
      for (let i = lo; i < hi; i++) {
        const v = ee[i]! * s;
        e2[i] = v * v;
      }
      pwkBlock(w, e2, lo, hi);
      for (let i = lo; i <= hi; i++) w[i] = w[i]! / s;
    }
    lo = hi + 1;
  }
  return w.sort();
}
