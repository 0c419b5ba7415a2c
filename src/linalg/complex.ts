// Dense complex kernels on split storage (see types.ts).

import { assertFinite, complexMatrix, type ComplexMatrix } from './types.js';
import { maxAbs, powerOfTwoScale } from './scaling.js';
import { transposeInto } from './transpose.js';
import { wasmKernels } from './wasm/index.js';

function checkShape(m: ComplexMatrix, what: string): void {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 1 || m.cols < 1) {
    throw new RangeError(`${what}: bad shape ${m.rows} x ${m.cols}`);
  }
  const len = m.rows * m.cols;
  if (m.re.length !== len || m.im.length !== len) {
    throw new RangeError(`${what}: expected ${len} entries for ${m.rows} x ${m.cols}, got re ${m.re.length}, im ${m.im.length}`);
  }
}

/** Shape and finiteness check for complex inputs (throws RangeError / NonFiniteInputError). */
export function assertComplexInput(m: ComplexMatrix, what: string, square = false): void {
  checkShape(m, what);
  if (square && m.rows !== m.cols) throw new RangeError(`${what}: expected a square matrix, got ${m.rows} x ${m.cols}`);
  assertFinite(m.re, `${what} (real part)`);
  assertFinite(m.im, `${what} (imaginary part)`);
}

/**
 * Inner kernel: rows c0 and c1 of C (offsets o0, o1, length len) gain
 * a00 B[p0..] + a01 B[p1..] and a10 B[p0..] + a11 B[p1..]. Two rows times two
 * k's per sweep: 4 loads of B and 4 loads + 4 stores of C for 32 flops.
 * Internal (also used by the LU in unitary.ts); not re-exported from index.ts.
 */
export function kernel2x2(
  c0r: Float64Array, c0i: Float64Array, o0: number, c1r: Float64Array, c1i: Float64Array, o1: number,
  br: Float64Array, bi: Float64Array, p0: number, p1: number, len: number,
  a00r: number, a00i: number, a01r: number, a01i: number, a10r: number, a10i: number, a11r: number, a11i: number,
): void {
  for (let t = 0; t < len; t++) {
    const x0r = br[p0 + t]!, x0i = bi[p0 + t]!, x1r = br[p1 + t]!, x1i = bi[p1 + t]!;
    c0r[o0 + t] = c0r[o0 + t]! + (a00r * x0r - a00i * x0i + a01r * x1r - a01i * x1i);
    c0i[o0 + t] = c0i[o0 + t]! + (a00r * x0i + a00i * x0r + a01r * x1i + a01i * x1r);
    c1r[o1 + t] = c1r[o1 + t]! + (a10r * x0r - a10i * x0i + a11r * x1r - a11i * x1i);
    c1i[o1 + t] = c1i[o1 + t]! + (a10r * x0i + a10i * x0r + a11r * x1i + a11i * x1r);
  }
}

const GEMM_KB = 64; // rows of B per panel
const GEMM_JB = 512; // columns per panel: 64 x 512 x 16 B = 512 KB, kept in L2

/**
 * C (n x m) = sum_k A(i, k) B(k, j) with A(i, k) = a[i * si + k * sk], so the
 * same blocked loop serves A B and A^T B. A missing second row (odd n) goes to
 * a scratch row; a missing second k (odd K) gets coefficient 0.
 */
function complexGemm(
  are: Float64Array, aim: Float64Array, si: number, sk: number,
  br: Float64Array, bi: Float64Array, n: number, kk: number, m: number,
): ComplexMatrix {
  const c = complexMatrix(n, m);
  const cr = c.re, ci = c.im;
  const scratchR = new Float64Array(m), scratchI = new Float64Array(m);
  for (let k0 = 0; k0 < kk; k0 += GEMM_KB) {
    const k1 = Math.min(kk, k0 + GEMM_KB);
    for (let j0 = 0; j0 < m; j0 += GEMM_JB) {
      const len = Math.min(m, j0 + GEMM_JB) - j0;
      for (let i = 0; i < n; i += 2) {
        const has1 = i + 1 < n;
        const c1r = has1 ? cr : scratchR, c1i = has1 ? ci : scratchI;
        const o0 = i * m + j0, o1 = has1 ? o0 + m : j0;
        for (let k = k0; k < k1; k += 2) {
          const hasK = k + 1 < k1;
          const kb = hasK ? k + 1 : k;
          const i00 = i * si + k * sk, i01 = i * si + kb * sk;
          const i10 = has1 ? i00 + si : i00, i11 = has1 ? i01 + si : i01;
          const z = hasK ? 1 : 0;
          kernel2x2(
            cr, ci, o0, c1r, c1i, o1, br, bi, k * m + j0, kb * m + j0, len,
            are[i00]!, aim[i00]!, z * are[i01]!, z * aim[i01]!,
            are[i10]!, aim[i10]!, z * are[i11]!, z * aim[i11]!,
          );
        }
      }
    }
  }
  return c;
}

// Blocked complex matrix product C = A B, 2 x 2 register tile (Golub & Van Loan 4th ed. §1.5).
export function complexMatmul(a: ComplexMatrix, b: ComplexMatrix): ComplexMatrix {
  assertComplexInput(a, 'complexMatmul(a)');
  assertComplexInput(b, 'complexMatmul(b)');
  if (a.cols !== b.rows) throw new RangeError(`complexMatmul: ${a.rows}x${a.cols} times ${b.rows}x${b.cols}`);
  return complexGemm(a.re, a.im, a.cols, 1, b.re, b.im, a.rows, a.cols, b.cols);
}

// C = A^T B with a plain (unconjugated) transpose, same blocked kernel reading A by columns (Golub & Van Loan 4th ed. §1.5).
export function complexTransposeMatmul(a: ComplexMatrix, b: ComplexMatrix): ComplexMatrix {
  assertComplexInput(a, 'complexTransposeMatmul(a)');
  assertComplexInput(b, 'complexTransposeMatmul(b)');
  if (a.rows !== b.rows) throw new RangeError(`complexTransposeMatmul: (${a.rows}x${a.cols})^T times ${b.rows}x${b.cols}`);
  return complexGemm(a.re, a.im, 1, a.cols, b.re, b.im, a.cols, a.rows, b.cols);
}

// Conjugate transpose A^H (blocked copy for cache locality, ./transpose.ts; negation is exact).
export function conjugateTranspose(a: ComplexMatrix): ComplexMatrix {
  assertComplexInput(a, 'conjugateTranspose');
  const r = a.rows, c = a.cols;
  const out = complexMatrix(c, r);
  transposeInto(a.re, r, c, out.re);
  transposeInto(a.im, r, c, out.im);
  for (let k = 0; k < out.im.length; k++) out.im[k] = -out.im[k]!;
  return out;
}

export interface ComplexQR {
  /** Unitary factor, n x n, formed explicitly. */
  q: ComplexMatrix;
  /** Diagonal of R (real with this Householder convention; imaginary parts are 0). */
  rDiagRe: Float64Array;
  rDiagIm: Float64Array;
}

/**
 * x <- x - t v (v^H x) for one row x (offset rc of xr/xi) and the reflector v stored in row rk
 * of vr/vi: v_k = 1 (implicit), v_j for j > k. Used with t = conj(tau) to factor and t = tau to
 * build Q, so both apply the same arithmetic.
 */
function reflectRow(
  vr: Float64Array, vi: Float64Array, rk: number, k: number, n: number, tr: number, ti: number,
  xr: Float64Array, xi: Float64Array, rc: number,
): void {
  let sr = xr[rc + k]!, si = xi[rc + k]!;
  for (let j = k + 1; j < n; j++) {
    const a = vr[rk + j]!, b = vi[rk + j]!;
    const c = xr[rc + j]!, d = xi[rc + j]!;
    sr += a * c + b * d;
    si += a * d - b * c;
  }
  const fr = tr * sr - ti * si, fi = tr * si + ti * sr;
  xr[rc + k] = xr[rc + k]! - fr;
  xi[rc + k] = xi[rc + k]! - fi;
  for (let j = k + 1; j < n; j++) {
    const a = vr[rk + j]!, b = vi[rk + j]!;
    xr[rc + j] = xr[rc + j]! - (fr * a - fi * b);
    xi[rc + j] = xi[rc + j]! - (fr * b + fi * a);
  }
}

// Householder QR with Q accumulated backwards (Golub & Van Loan 4th ed. §5.2.2, §5.1.6; LAPACK zgeqr2/zung2r).
// Columns are handled as contiguous rows of A^T. Reflector k is H_k = I - tau_k v v^H with
// H_k^H x = beta e_1 (beta real, LAPACK zlarfg convention), so Q = H_0 H_1 ... H_{n-1}.
export function complexQRTS(a: ComplexMatrix): ComplexQR {
  assertComplexInput(a, 'complexQR', true);
  const n = a.rows;
  // bt: rows are the columns of A; after step k, row k holds v (entries k+1..) .
  const br = new Float64Array(n * n), bi = new Float64Array(n * n);
  transposeInto(a.re, n, n, br);
  transposeInto(a.im, n, n, bi);
  // Exact power-of-two scaling keeps the squared norms in range; Q does not depend on it.
  const sc = powerOfTwoScale(maxAbs(br, bi));
  for (let i = 0; i < n * n; i++) { br[i] = br[i]! * sc; bi[i] = bi[i]! * sc; }
  const tauRe = new Float64Array(n), tauIm = new Float64Array(n);
  const rDiagRe = new Float64Array(n), rDiagIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    let colScale = 1;
    // The column can be rounding noise far below the global scale (rank-deficient input):
    // rescale it by an exact power of two so its squared norm neither underflows nor overflows.
    let colMax = Math.max(Math.abs(br[rk + k]!), Math.abs(bi[rk + k]!));
    for (let j = k + 1; j < n; j++) colMax = Math.max(colMax, Math.abs(br[rk + j]!), Math.abs(bi[rk + j]!));
    let ss = 0;
    if (colMax > 0) {
      const t = powerOfTwoScale(colMax);
      for (let j = k + 1; j < n; j++) {
        br[rk + j] = br[rk + j]! * t;
        bi[rk + j] = bi[rk + j]! * t;
        ss += br[rk + j]! * br[rk + j]! + bi[rk + j]! * bi[rk + j]!;
      }
      if (ss === 0) {
        for (let j = k + 1; j < n; j++) { br[rk + j] = 0; bi[rk + j] = 0; }
      }
      colScale = t;
    }
    if (ss === 0 && bi[rk + k] === 0) {
      tauRe[k] = 0; tauIm[k] = 0;
      rDiagRe[k] = br[rk + k]!;
      continue;
    }
    // Scaled alpha; beta is formed scaled and unscaled when stored (tau and v are scale-free).
    const alr = br[rk + k]! * colScale, ali = bi[rk + k]! * colScale;
    const norm = Math.sqrt(alr * alr + ali * ali + ss);
    const betaS = alr >= 0 ? -norm : norm;
    const beta = betaS / colScale;
    tauRe[k] = (betaS - alr) / betaS;
    tauIm[k] = -ali / betaS;
    // v_j = x_j / (alpha - beta), both in the column's scale
    const dr = alr - betaS, di = ali;
    const den = dr * dr + di * di;
    const ir = dr / den, ii = -di / den;
    for (let j = k + 1; j < n; j++) {
      const xr = br[rk + j]!, xi = bi[rk + j]!;
      br[rk + j] = xr * ir - xi * ii;
      bi[rk + j] = xr * ii + xi * ir;
    }
    br[rk + k] = beta; bi[rk + k] = 0;
    rDiagRe[k] = beta;
    // Apply H^H = I - conj(tau) v v^H to the remaining columns (rows of bt).
    for (let c = k + 1; c < n; c++) reflectRow(br, bi, rk, k, n, tauRe[k]!, -tauIm[k]!, br, bi, c * n);
  }
  // Q^T accumulated in rows: row c of qt = column c of Q. Start with I and apply
  // Q <- H_k Q for k = n-1 .. 0 (each column q_c <- q_c - tau v (v^H q_c)).
  const qr = new Float64Array(n * n), qi = new Float64Array(n * n);
  for (let i = 0; i < n; i++) qr[i * n + i] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const tr = tauRe[k]!, ti = tauIm[k]!;
    if (tr === 0 && ti === 0) continue;
    for (let c = k; c < n; c++) reflectRow(br, bi, k * n, k, n, tr, ti, qr, qi, c * n);
  }
  for (let k = 0; k < n; k++) rDiagRe[k] = rDiagRe[k]! / sc;
  const q = complexMatrix(n);
  transposeInto(qr, n, n, q.re);
  transposeInto(qi, n, n, q.im);
  return { q, rDiagRe, rDiagIm };
}

/** Householder QR: the WebAssembly SIMD kernel where available, else complexQRTS. */
export function complexQR(a: ComplexMatrix): ComplexQR {
  const k = wasmKernels();
  return k ? k.complexQR(a) : complexQRTS(a);
}

/** In place: column j of `m` times the unit phase cos(phase[j]) + i sin(phase[j]), i.e. M diag(e^{i phase}). */
export function multiplyColumnPhases(m: ComplexMatrix, cosPhase: ArrayLike<number>, sinPhase: ArrayLike<number>): ComplexMatrix {
  const { rows, cols } = m;
  for (let j = 0; j < cols; j++) {
    const cr = cosPhase[j]!;
    const ci = sinPhase[j]!;
    for (let i = 0; i < rows; i++) {
      const k = i * cols + j;
      const a = m.re[k]!;
      const b = m.im[k]!;
      m.re[k] = a * cr - b * ci;
      m.im[k] = a * ci + b * cr;
    }
  }
  return m;
}
