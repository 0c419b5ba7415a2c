// Dense circular-ensemble matrices (SPEC section 3): CUE by `qr` or `eigvec`, COE = U^T U,
// CSE = U^R U.
//
// Stream consumption (part of the reproducibility contract), for CUE(n):
//   `qr`:     X: n*n normals, row-major; then Y: n*n normals, row-major (Z = (X + iY)/sqrt 2).
//   `eigvec`: X then Y exactly as for `qr` (G = (X + iY)/sqrt 2), then n uniforms u_j,
//             gamma_j = 2 pi u_j, in column order.
// COE(n) consumes exactly what CUE(n) does; CSE(n) what CUE(2n) does. Normals are the
// stream's Box–Muller variates (src/rng/stream.ts).
import type { RandomStream } from '../rng/index.js';
import {
  complexMatrix,
  complexMatmul,
  complexQR,
  complexTransposeMatmul,
  hermitianEigen,
  hypot,
  multiplyColumnPhases,
  type ComplexMatrix,
} from '../linalg/index.js';

/** Ways to build a CUE matrix; `bristol` has its own module (reproduction only). */
export type DenseMethod = 'qr' | 'eigvec';

export function checkOrder(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${what}: n must be an integer >= 1, got ${n}`);
}

function checkDenseMethod(method: string, what: string): asserts method is DenseMethod {
  if (method !== 'qr' && method !== 'eigvec') {
    throw new RangeError(`${what}: method must be 'qr' or 'eigvec', got '${method}'`);
  }
}

/** Complex Ginibre matrix (X + iY)/sqrt 2: X row-major, then Y row-major. */
function ginibre(n: number, stream: RandomStream): ComplexMatrix {
  const z = complexMatrix(n);
  stream.fillNormal(z.re, Math.SQRT1_2);
  stream.fillNormal(z.im, Math.SQRT1_2);
  return z;
}

// Haar unitary by QR of a complex Ginibre matrix with the phases of diag(R) divided out
// (Mezzadri, "How to generate random matrices from the classical compact groups", 2007).
function cueQR(n: number, stream: RandomStream): ComplexMatrix {
  const z = ginibre(n, stream);
  const { q, rDiagRe, rDiagIm } = complexQR(z);
  const cr = new Float64Array(n).fill(1);
  const ci = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const r = hypot(rDiagRe[j]!, rDiagIm[j]!);
    if (r === 0) continue; // probability zero; the column keeps its phase
    cr[j] = rDiagRe[j]! / r;
    ci[j] = rDiagIm[j]! / r;
  }
  return multiplyColumnPhases(q, cr, ci);
}

// Haar unitary as the eigenvectors of a GUE matrix H = (G + G^H)/2, each column given an
// independent uniform phase (the papers' construction; GUE is unitarily invariant, so the
// eigenvector matrix is Haar once the solver's phase convention is randomised).
function cueEigvec(n: number, stream: RandomStream): ComplexMatrix {
  const g = ginibre(n, stream);
  const h = complexMatrix(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      h.re[i * n + j] = 0.5 * (g.re[i * n + j]! + g.re[j * n + i]!);
      h.im[i * n + j] = 0.5 * (g.im[i * n + j]! - g.im[j * n + i]!);
    }
  }
  const v = hermitianEigen(h).vectors;
  const gamma = Float64Array.from({ length: n }, () => 2 * Math.PI * stream.uniform());
  return multiplyColumnPhases(v, gamma.map(Math.cos), gamma.map(Math.sin));
}

/** Haar-distributed n x n unitary (CUE). */
export function sampleCUE(n: number, stream: RandomStream, method: DenseMethod = 'qr'): ComplexMatrix {
  checkOrder(n, 'sampleCUE');
  checkDenseMethod(method, 'sampleCUE');
  return method === 'qr' ? cueQR(n, stream) : cueEigvec(n, stream);
}

/** COE(n): U^T U with U from CUE(n) (symmetric unitary). */
export function sampleCOE(n: number, stream: RandomStream, method: DenseMethod = 'qr'): ComplexMatrix {
  checkOrder(n, 'sampleCOE');
  checkDenseMethod(method, 'sampleCOE');
  const u = sampleCUE(n, stream, method);
  return complexTransposeMatmul(u, u);
}

/**
 * Quaternion dual U^R = J U^T J^T of a 2m x 2m matrix, J = I_m (x) [[0, 1], [-1, 0]].
 * Entrywise: U^R[a][b] = s(a) s(b) U[b^1][a^1] with s(even) = 1, s(odd) = -1 and x^1 the
 * partner index in the same 2 x 2 block.
 */
export function quaternionDual(u: ComplexMatrix): ComplexMatrix {
  const n2 = u.rows;
  if (u.cols !== n2 || n2 % 2 !== 0) throw new RangeError(`quaternionDual: need a square matrix of even order, got ${u.rows} x ${u.cols}`);
  const out = complexMatrix(n2);
  for (let a = 0; a < n2; a++) {
    const sa = a % 2 === 0 ? 1 : -1;
    for (let b = 0; b < n2; b++) {
      const s = (b % 2 === 0 ? sa : -sa);
      const k = (b ^ 1) * n2 + (a ^ 1);
      out.re[a * n2 + b] = s * u.re[k]!;
      out.im[a * n2 + b] = s * u.im[k]!;
    }
  }
  return out;
}

/** CSE(n): the 2n x 2n self-dual unitary U^R U with U from CUE(2n). */
export function sampleCSE(n: number, stream: RandomStream, method: DenseMethod = 'qr'): ComplexMatrix {
  checkOrder(n, 'sampleCSE');
  checkDenseMethod(method, 'sampleCSE');
  const u = sampleCUE(2 * n, stream, method);
  return complexMatmul(quaternionDual(u), u);
}
