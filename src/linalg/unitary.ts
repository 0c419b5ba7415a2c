// Eigenphases of unitary matrices via the Cayley transform.
//
// For V = e^{i phi} U (eigenvalues e^{i alpha}), the matrix
//   H = i (I - V)(I + V)^{-1} = 2i (I + V)^{-1} - i I
// is Hermitian with eigenvalues tan(alpha / 2), so alpha = 2 atan(lambda)
// and theta = alpha - phi. The inverse is formed by complex LU with partial
// pivoting and H is then made exactly Hermitian by averaging it with H^H:
// that keeps the error of lambda_j near eps (1 + lambda_j^2), which
// 2 atan maps back to about eps in the angle. What remains is the
// Hermitian solver's error, about eps * max|lambda|, so phi is chosen to
// keep -1 away from the spectrum of V:
//   pass 1 uses the fixed phase PHI0; if max|lambda| > LAMBDA_LIMIT
//   (an eigenphase within ~1e-4 rad of the pole; a few % of random n = 1024
//   matrices), pass 2 puts -1 in the middle of
//   the widest gap between the pass-1 eigenphases (gap >= 2 pi / n) and the
//   pass with the smaller max|lambda| wins. Everything is deterministic.
//
// Input must be unitary: a cheap O(n^2) probe (column norms and two fixed
// test vectors) throws a RangeError when ||U x|| differs from ||x|| by more
// than UNITARY_TOLERANCE; `unitarityError` gives the full O(n^3) measure.

import { complexMatrix, type ComplexMatrix } from './types.js';
import { assertComplexInput, kernel2x2 } from './complex.js';
import { hypot } from './hypot.js';
import { hermitianEigenvalues } from './hermitian.js';

const PHI0 = 0.7071067811865476; // fixed, arbitrary, not a "nice" angle like 0 or pi/2
const PHI_FALLBACK = [PHI0, PHI0 + 2.1, PHI0 - 2.3];
const LAMBDA_LIMIT = 2e4; // measured: angle error ~ eps * max|lambda| / 2, so <= ~3e-13 here
const UNITARY_TOLERANCE = 1e-8;

// ||U^H U - I||_max, the entrywise unitarity defect (full product, O(n^3)).
export function unitarityError(u: ComplexMatrix): number {
  assertComplexInput(u, 'unitarityError', true);
  const n = u.rows;
  let worst = 0;
  // Column-pair inner products computed over rows: G = U^H U accumulated row by row.
  const gr = new Float64Array(n * n), gi = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i < n; i++) {
      const ar = u.re[rk + i]!, ai = -u.im[rk + i]!; // conj(U_ki)
      const ri = i * n;
      for (let j = 0; j < n; j++) {
        const br = u.re[rk + j]!, bi = u.im[rk + j]!;
        gr[ri + j] = gr[ri + j]! + (ar * br - ai * bi);
        gi[ri + j] = gi[ri + j]! + (ar * bi + ai * br);
      }
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const re = gr[i * n + j]! - (i === j ? 1 : 0);
      worst = Math.max(worst, hypot(re, gi[i * n + j]!));
    }
  }
  return worst;
}

/** O(n^2) necessary conditions for unitarity: unit column norms, norm kept for two probe vectors. */
function cheapUnitarityCheck(u: ComplexMatrix): void {
  const n = u.rows;
  const colNorm2 = new Float64Array(n);
  // probe 1: all ones; probe 2: x_j = exp(i j) (deterministic, no structure shared with typical inputs)
  const p1r = new Float64Array(n), p1i = new Float64Array(n);
  const p2r = new Float64Array(n), p2i = new Float64Array(n);
  const xr = new Float64Array(n), xi = new Float64Array(n);
  for (let j = 0; j < n; j++) { xr[j] = Math.cos(j); xi[j] = Math.sin(j); }
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s1r = 0, s1i = 0, s2r = 0, s2i = 0;
    for (let j = 0; j < n; j++) {
      const ar = u.re[ri + j]!, ai = u.im[ri + j]!;
      colNorm2[j] = colNorm2[j]! + ar * ar + ai * ai;
      s1r += ar; s1i += ai;
      s2r += ar * xr[j]! - ai * xi[j]!;
      s2i += ar * xi[j]! + ai * xr[j]!;
    }
    p1r[i] = s1r; p1i[i] = s1i; p2r[i] = s2r; p2i[i] = s2i;
  }
  let worst = 0;
  for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(colNorm2[j]! - 1));
  let n1 = 0, n2 = 0;
  for (let i = 0; i < n; i++) { n1 += p1r[i]! ** 2 + p1i[i]! ** 2; n2 += p2r[i]! ** 2 + p2i[i]! ** 2; }
  worst = Math.max(worst, Math.abs(n1 / n - 1), Math.abs(n2 / n - 1));
  if (!(worst <= UNITARY_TOLERANCE)) {
    throw new RangeError(`unitaryEigenphases: input is not unitary (norm defect ${worst.toExponential(2)} > ${UNITARY_TOLERANCE})`);
  }
}

/**
 * Inverse of a general complex matrix (row-major split arrays, overwritten)
 * by LU with partial pivoting; returns null if a pivot is exactly zero or
 * the result is not finite. Work is done two rows / two columns at a time
 * with kernel2x2 so each streamed row serves two updates.
 */
// Complex LU with partial pivoting (two elimination steps per trailing update), then inverse by substitution (Golub & Van Loan 4th ed. §3.4).
function complexInverse(ar: Float64Array, ai: Float64Array, n: number): { re: Float64Array; im: Float64Array } | null {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const scR = new Float64Array(n), scI = new Float64Array(n);
  const swapRows = (k: number, p: number): void => {
    if (p === k) return;
    const rk = k * n, rp = p * n;
    for (let j = 0; j < n; j++) {
      let t = ar[rk + j]!; ar[rk + j] = ar[rp + j]!; ar[rp + j] = t;
      t = ai[rk + j]!; ai[rk + j] = ai[rp + j]!; ai[rp + j] = t;
    }
    const t = perm[k]!; perm[k] = perm[p]!; perm[p] = t;
  };
  const pivotRow = (col: number, from: number): number => {
    let p = -1, best = 0;
    for (let i = from; i < n; i++) {
      const m = Math.abs(ar[i * n + col]!) + Math.abs(ai[i * n + col]!);
      if (m > best) { best = m; p = i; }
    }
    return p;
  };
  /** Column col below row col divided by the pivot (the multipliers l_i,col). */
  const scaleColumn = (col: number): void => {
    const pr = ar[col * n + col]!, pim = ai[col * n + col]!;
    const den = pr * pr + pim * pim;
    const ir = pr / den, ii = -pim / den;
    for (let i = col + 1; i < n; i++) {
      const xr = ar[i * n + col]!, xi = ai[i * n + col]!;
      ar[i * n + col] = xr * ir - xi * ii;
      ai[i * n + col] = xr * ii + xi * ir;
    }
  };
  for (let k = 0; k < n; k += 2) {
    let p = pivotRow(k, k);
    if (p < 0) return null;
    swapRows(k, p);
    scaleColumn(k);
    if (k + 1 === n) break;
    const k1 = k + 1, rk = k * n, rk1 = k1 * n;
    // Bring column k+1 up to date with step k, then pivot on it.
    const ur = ar[rk + k1]!, ui = ai[rk + k1]!;
    for (let i = k1; i < n; i++) {
      const lr = ar[i * n + k]!, li = ai[i * n + k]!;
      ar[i * n + k1] = ar[i * n + k1]! - (lr * ur - li * ui);
      ai[i * n + k1] = ai[i * n + k1]! - (lr * ui + li * ur);
    }
    p = pivotRow(k1, k1);
    if (p < 0) return null;
    swapRows(k1, p);
    // Finish row k+1 with step k, then the multipliers of step k+1.
    const lr = ar[rk1 + k]!, li = ai[rk1 + k]!;
    for (let j = k + 2; j < n; j++) {
      const xr = ar[rk + j]!, xi = ai[rk + j]!;
      ar[rk1 + j] = ar[rk1 + j]! - (lr * xr - li * xi);
      ai[rk1 + j] = ai[rk1 + j]! - (lr * xi + li * xr);
    }
    scaleColumn(k1);
    // Rank-2 update of the trailing block with rows k and k+1.
    const c0 = k + 2, len = n - c0;
    if (len === 0) continue;
    for (let i = c0; i < n; i += 2) {
      const two = i + 1 < n;
      const ri = i * n, ri1 = ri + n;
      kernel2x2(
        ar, ai, ri + c0, two ? ar : scR, two ? ai : scI, two ? ri1 + c0 : 0, ar, ai, rk + c0, rk1 + c0, len,
        -ar[ri + k]!, -ai[ri + k]!, -ar[ri + k1]!, -ai[ri + k1]!,
        two ? -ar[ri1 + k]! : 0, two ? -ai[ri1 + k]! : 0, two ? -ar[ri1 + k1]! : 0, two ? -ai[ri1 + k1]! : 0,
      );
    }
  }
  // Y = L^{-1} (unit lower triangular: row i has columns 0..i), rows in pairs.
  const zr = new Float64Array(n * n), zi = new Float64Array(n * n);
  for (let i = 0; i < n; i++) zr[i * n + i] = 1;
  for (let i0 = 0; i0 < n; i0 += 2) {
    const two = i0 + 1 < n;
    const r0 = i0 * n, r1 = r0 + n;
    for (let k = 0; k < i0; k += 2) {
      kernel2x2(
        zr, zi, r0, two ? zr : scR, two ? zi : scI, two ? r1 : 0, zr, zi, k * n, (k + 1) * n, k + 2,
        -ar[r0 + k]!, -ai[r0 + k]!, -ar[r0 + k + 1]!, -ai[r0 + k + 1]!,
        two ? -ar[r1 + k]! : 0, two ? -ai[r1 + k]! : 0, two ? -ar[r1 + k + 1]! : 0, two ? -ai[r1 + k + 1]! : 0,
      );
    }
    if (two) {
      const lr = ar[r1 + i0]!, li = ai[r1 + i0]!;
      for (let j = 0; j <= i0; j++) {
        const yr = zr[r0 + j]!, yi = zi[r0 + j]!;
        zr[r1 + j] = zr[r1 + j]! - (lr * yr - li * yi);
        zi[r1 + j] = zi[r1 + j]! - (lr * yi + li * yr);
      }
    }
  }
  // Z = U^{-1} Y from the bottom, rows in pairs (a single row 0 last when n is odd).
  const divideRow = (i: number): boolean => {
    const ri = i * n;
    const pr = ar[ri + i]!, pim = ai[ri + i]!;
    const den = pr * pr + pim * pim;
    const ir = pr / den, ii = -pim / den;
    for (let j = 0; j < n; j++) {
      const yr = zr[ri + j]!, yi = zi[ri + j]!;
      zr[ri + j] = yr * ir - yi * ii;
      zi[ri + j] = yr * ii + yi * ir;
      if (!Number.isFinite(zr[ri + j]!) || !Number.isFinite(zi[ri + j]!)) return false;
    }
    return true;
  };
  let hi = n;
  while (hi > 0) {
    const two = hi >= 2;
    const i0 = two ? hi - 2 : hi - 1, i1 = i0 + 1;
    const r0 = i0 * n, r1 = r0 + n;
    for (let k = hi; k < n; k += 2) {
      const hasK = k + 1 < n;
      const kb = hasK ? k + 1 : k;
      const z = hasK ? 1 : 0;
      kernel2x2(
        zr, zi, r0, two ? zr : scR, two ? zi : scI, two ? r1 : 0, zr, zi, k * n, kb * n, n,
        -ar[r0 + k]!, -ai[r0 + k]!, -z * ar[r0 + kb]!, -z * ai[r0 + kb]!,
        two ? -ar[r1 + k]! : 0, two ? -ai[r1 + k]! : 0, two ? -z * ar[r1 + kb]! : 0, two ? -z * ai[r1 + kb]! : 0,
      );
    }
    if (two) {
      if (!divideRow(i1)) return null;
      const ur = ar[r0 + i1]!, ui = ai[r0 + i1]!;
      for (let j = 0; j < n; j++) {
        const yr = zr[r1 + j]!, yi = zi[r1 + j]!;
        zr[r0 + j] = zr[r0 + j]! - (ur * yr - ui * yi);
        zi[r0 + j] = zi[r0 + j]! - (ur * yi + ui * yr);
      }
    }
    if (!divideRow(i0)) return null;
    hi = i0;
  }
  // Undo the row pivoting as a column permutation: X[:, perm[l]] = Z[:, l].
  const xr = new Float64Array(n * n), xi = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let l = 0; l < n; l++) {
      xr[ri + perm[l]!] = zr[ri + l]!;
      xi[ri + perm[l]!] = zi[ri + l]!;
    }
  }
  return { re: xr, im: xi };
}

function wrapAngle(t: number): number {
  while (t > Math.PI) t -= 2 * Math.PI;
  while (t <= -Math.PI) t += 2 * Math.PI;
  return t;
}

interface CayleyPass {
  phases: Float64Array; // sorted, in (-pi, pi]
  lambdaMax: number;
}

/** One Cayley pass at phase phi; null when I + e^{i phi} U is numerically singular. */
function cayleyPass(u: ComplexMatrix, phi: number): CayleyPass | null {
  const n = u.rows;
  const c = Math.cos(phi), s = Math.sin(phi);
  const mr = new Float64Array(n * n), mi = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) {
    const xr = u.re[i]!, xi = u.im[i]!;
    mr[i] = c * xr - s * xi;
    mi[i] = c * xi + s * xr;
  }
  for (let i = 0; i < n; i++) mr[i * n + i] = mr[i * n + i]! + 1;
  const inv = complexInverse(mr, mi, n);
  if (inv === null) return null;
  // H = 2i X - i I, averaged with H^H; only the upper triangle is used downstream.
  const h = complexMatrix(n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    h.re[ri + i] = -2 * inv.im[ri + i]!;
    for (let j = i + 1; j < n; j++) {
      const rj = j * n;
      // H_ij = -2 Xim_ij + i 2 Xre_ij ; (H^H)_ij = conj(H_ji) = -2 Xim_ji - i 2 Xre_ji
      h.re[ri + j] = -(inv.im[ri + j]! + inv.im[rj + i]!);
      h.im[ri + j] = inv.re[ri + j]! - inv.re[rj + i]!;
      h.re[rj + i] = h.re[ri + j]!;
      h.im[rj + i] = -h.im[ri + j]!;
    }
  }
  const lam = hermitianEigenvalues(h);
  let lambdaMax = 0;
  const phases = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    lambdaMax = Math.max(lambdaMax, Math.abs(lam[j]!));
    phases[j] = wrapAngle(2 * Math.atan(lam[j]!) - phi);
  }
  phases.sort();
  return { phases, lambdaMax };
}

/** Middle of the widest gap between consecutive sorted angles (circularly). */
function widestGapMiddle(sorted: Float64Array): number {
  const n = sorted.length;
  let bestGap = sorted[0]! + 2 * Math.PI - sorted[n - 1]!;
  let mid = sorted[n - 1]! + bestGap / 2;
  for (let j = 1; j < n; j++) {
    const g = sorted[j]! - sorted[j - 1]!;
    if (g > bestGap) { bestGap = g; mid = sorted[j - 1]! + g / 2; }
  }
  return wrapAngle(mid);
}

// Cayley transform of the unit circle onto the real line (Cayley 1846), then Hermitian Householder + PWK eigenvalues (Golub & Van Loan 4th ed. §8.3); theta = 2 atan(lambda) - phi.
export function unitaryEigenphases(u: ComplexMatrix): Float64Array {
  assertComplexInput(u, 'unitaryEigenphases', true);
  cheapUnitarityCheck(u);
  const n = u.rows;
  if (n === 1) return Float64Array.of(wrapAngle(Math.atan2(u.im[0]!, u.re[0]!)));
  let first: CayleyPass | null = null;
  for (const phi of PHI_FALLBACK) {
    first = cayleyPass(u, phi);
    if (first !== null) break;
  }
  if (first === null) throw new Error('unitaryEigenphases: I + e^{i phi} U singular for every fallback phase');
  if (first.lambdaMax <= LAMBDA_LIMIT) return first.phases;
  // Put -1 (alpha = pi) in the widest gap: alpha = theta + phi = pi at theta = mid.
  const second = cayleyPass(u, Math.PI - widestGapMiddle(first.phases));
  if (second !== null && second.lambdaMax < first.lambdaMax) return second.phases;
  return first.phases;
}
