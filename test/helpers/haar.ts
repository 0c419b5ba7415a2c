// A Haar unitary built in the tests themselves, so that "networks" and references in CSD
// tests do not come from the sampler under test: complex Ginibre Z = (X + iY)/sqrt 2, then
// Gram-Schmidt on its columns (classical, applied twice for orthogonality at rounding level).
// This is Z = U R with R upper triangular with a positive real diagonal, the factorisation
// whose U is Haar (Mezzadri 2007, section 5). Independent of src/linalg's Householder QR and
// of the sampler's phase fix; test/ensembles.dense.test.ts checks the factorisation with
// ml-matrix.
import type { RandomStream } from '../../src/rng/index.js';
import type { ComplexMatrix } from '../../src/linalg/index.js';

/** Complex Ginibre n x n with E|z|^2 = 1: real parts first, then imaginary parts (row-major). */
export function ginibre(n: number, stream: RandomStream): ComplexMatrix {
  const re = new Float64Array(n * n), im = new Float64Array(n * n);
  stream.fillNormal(re, Math.SQRT1_2);
  stream.fillNormal(im, Math.SQRT1_2);
  return { rows: n, cols: n, re, im };
}

/**
 * Orthonormalise the columns of z in order (Gram-Schmidt twice per column); returns U. The
 * columns are copied out contiguously first (the same sums in the same order as on the
 * row-major matrix, so the same bits, at a fraction of the cache misses for n in the hundreds).
 */
export function gramSchmidt(z: ComplexMatrix): ComplexMatrix {
  const n = z.rows;
  const re = new Float64Array(n * n), im = new Float64Array(n * n); // column j at [j n, j n + n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      re[j * n + i] = z.re[i * n + j]!;
      im[j * n + i] = z.im[i * n + j]!;
    }
  }
  for (let j = 0; j < n; j++) {
    const vj = j * n;
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        // c = <u_k, v_j> = sum_i conj(u_ik) v_ij; v_j -= c u_k
        const uk = k * n;
        let cr = 0, ci = 0;
        for (let i = 0; i < n; i++) {
          const ur = re[uk + i]!, ui = im[uk + i]!, vr = re[vj + i]!, vi = im[vj + i]!;
          cr += ur * vr + ui * vi;
          ci += ur * vi - ui * vr;
        }
        for (let i = 0; i < n; i++) {
          const ur = re[uk + i]!, ui = im[uk + i]!;
          re[vj + i] = re[vj + i]! - (cr * ur - ci * ui);
          im[vj + i] = im[vj + i]! - (cr * ui + ci * ur);
        }
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += re[vj + i]! ** 2 + im[vj + i]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) {
      re[vj + i] = re[vj + i]! / norm;
      im[vj + i] = im[vj + i]! / norm;
    }
  }
  const ure = new Float64Array(n * n), uim = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      ure[i * n + j] = re[j * n + i]!;
      uim[i * n + j] = im[j * n + i]!;
    }
  }
  return { rows: n, cols: n, re: ure, im: uim };
}

export function haarUnitary(n: number, stream: RandomStream): ComplexMatrix {
  return gramSchmidt(ginibre(n, stream));
}

/** |U| elementwise for U Haar on U(n): the conjugate circular layer (n x n, row-major). */
export function absHaar(n: number, stream: RandomStream): Float64Array {
  const u = haarUnitary(n, stream);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) a[i] = Math.hypot(u.re[i]!, u.im[i]!);
  return a;
}
