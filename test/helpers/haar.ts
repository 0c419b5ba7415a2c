// A Haar unitary built in the tests themselves, so that "networks" and references in CSD
// tests do not come from the sampler under test: complex Ginibre Z = (X + iY)/sqrt 2,
// Householder QR, U = Q diag(R_jj/|R_jj|) (Mezzadri 2007).
import type { RandomStream } from '../../src/rng/index.js';
import { complexMatrix, complexQR, multiplyColumnPhases, type ComplexMatrix } from '../../src/linalg/index.js';

export function haarUnitary(n: number, stream: RandomStream): ComplexMatrix {
  const z = complexMatrix(n);
  stream.fillNormal(z.re, Math.SQRT1_2);
  stream.fillNormal(z.im, Math.SQRT1_2);
  const { q, rDiagRe, rDiagIm } = complexQR(z);
  const r = rDiagRe.map((x, j) => Math.hypot(x, rDiagIm[j]!));
  return multiplyColumnPhases(q, rDiagRe.map((x, j) => x / r[j]!), rDiagIm.map((x, j) => x / r[j]!));
}

/** |U| elementwise for U Haar on U(n): the conjugate circular layer (n x n, row-major). */
export function absHaar(n: number, stream: RandomStream): Float64Array {
  const u = haarUnitary(n, stream);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) a[i] = Math.hypot(u.re[i]!, u.im[i]!);
  return a;
}
