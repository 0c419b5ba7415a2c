// Method `bristol` — REPRODUCTION ONLY. Re-creates the recipe of the Python reference package
// bristol 0.2.14 (`bristol.ensembles.Circular`), so published numbers can be compared with
// like-for-like samples. Only the recipe is reproduced, not numpy's random bits.
//   CUE: H = (A + iB + A^T - iB^T)/2 with A, B having i.i.d. UNIFORM [0, 1) entries (not
//        Gaussian, so H is not GUE and the result is not exactly Haar), U = eigenvectors of H,
//        column j multiplied by exp(i g_j), g_j uniform in [0, 2 pi).
//   COE: the ELEMENTWISE product U^T o U (not the matrix product): not a circular ensemble,
//        not even unitary.
//   CSE: the ELEMENTWISE product (Z o U^T o Z) o U with Z = unitSymplectic(n), U from the
//        CUE recipe at order 2n: not a circular ensemble. Since Z has one nonzero per row, the
//        result is block diagonal with 2 x 2 blocks [[0, x_i], [x_i, 0]],
//        x_i = U[2i+1][2i] U[2i][2i+1], so its 2n eigenvalues are exactly +-x_i.
// Stream order for the CUE recipe at order n (as numpy's calls in the reference): n uniforms
// for g_j (column order), then A (n*n uniforms, row-major), then B (n*n, row-major).
// Eigenphases reported for these matrices are the arguments of all eigenvalues, as the
// reference does with np.angle(np.linalg.eig(H)); for CSE that is 2n angles (no Kramers
// pairs exist in this recipe), not n.
import type { RandomStream } from '../rng/index.js';
import { complexEigenvalues, complexMatrix, hermitianEigen, multiplyColumnPhases, unitaryEigenphases, type ComplexMatrix } from '../linalg/index.js';
import { checkOrder } from './dense.js';

export type AntisymmetryDirection = 'lower' | 'upper';

function checkDirection(adir: string, what: string): asserts adir is AntisymmetryDirection {
  if (adir !== 'lower' && adir !== 'upper') throw new RangeError(`${what}: adir must be 'lower' or 'upper', got '${adir}'`);
}

/**
 * bristol's `unit_anti(N, adir)`: an N x N matrix of ones whose lower ('lower') or upper
 * ('upper') triangle, diagonal included, is negated, then the diagonal set to 0
 * (row-major Float64Array). For N = 2: lower -> [[0, 1], [-1, 0]], upper -> [[0, -1], [1, 0]].
 */
export function unitAnti(n: number, adir: AntisymmetryDirection = 'lower'): Float64Array {
  checkOrder(n, 'unitAnti');
  checkDirection(adir, 'unitAnti');
  const z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) z[i * n + j] = 0;
      else if (adir === 'lower') z[i * n + j] = j < i ? -1 : 1;
      else z[i * n + j] = j > i ? -1 : 1;
    }
  }
  return z;
}

/** bristol's `unit_symplectic(N, adir)` = kron(I_N, unitAnti(2, adir)), 2N x 2N row-major. */
export function unitSymplectic(n: number, adir: AntisymmetryDirection = 'lower'): Float64Array {
  checkOrder(n, 'unitSymplectic');
  const block = unitAnti(2, adir);
  const m = 2 * n;
  const z = new Float64Array(m * m);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) z[(2 * b + i) * m + 2 * b + j] = block[i * 2 + j]!;
    }
  }
  return z;
}

/** bristol's `gen_cue` recipe (reproduction only; see module header). */
export function bristolCUE(n: number, stream: RandomStream): ComplexMatrix {
  checkOrder(n, 'bristolCUE');
  const g = new Float64Array(n);
  for (let j = 0; j < n; j++) g[j] = 2 * Math.PI * stream.uniform();
  const a = stream.fillUniform(new Float64Array(n * n));
  const b = stream.fillUniform(new Float64Array(n * n));
  const h = complexMatrix(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      h.re[i * n + j] = 0.5 * (a[i * n + j]! + a[j * n + i]!);
      h.im[i * n + j] = 0.5 * (b[i * n + j]! - b[j * n + i]!);
    }
  }
  const v = hermitianEigen(h).vectors;
  return multiplyColumnPhases(v, g.map(Math.cos), g.map(Math.sin));
}

/** bristol's `gen_coe` recipe: elementwise U^T o U (reproduction only; not unitary). */
export function bristolCOE(n: number, stream: RandomStream): ComplexMatrix {
  const u = bristolCUE(n, stream);
  const out = complexMatrix(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const pr = u.re[j * n + i]!, pi = u.im[j * n + i]!;
      const qr = u.re[i * n + j]!, qi = u.im[i * n + j]!;
      out.re[i * n + j] = pr * qr - pi * qi;
      out.im[i * n + j] = pr * qi + pi * qr;
    }
  }
  return out;
}

/** bristol's `gen_cse` recipe: elementwise (Z o U^T o Z) o U, 2n x 2n (reproduction only). */
export function bristolCSE(n: number, stream: RandomStream, adir: AntisymmetryDirection = 'lower'): ComplexMatrix {
  checkOrder(n, 'bristolCSE');
  const z = unitSymplectic(n, adir);
  const u = bristolCUE(2 * n, stream);
  const m = 2 * n;
  const out = complexMatrix(m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const zz = z[i * m + j]! * z[i * m + j]!;
      if (zz === 0) continue;
      const pr = u.re[j * m + i]!, pi = u.im[j * m + i]!;
      const qr = u.re[i * m + j]!, qi = u.im[i * m + j]!;
      out.re[i * m + j] = zz * (pr * qr - pi * qi);
      out.im[i * m + j] = zz * (pr * qi + pi * qr);
    }
  }
  return out;
}

/**
 * Eigenphases (arguments of the eigenvalues, ascending in (-pi, pi]) of one bristol-recipe
 * matrix. CUE: the matrix is unitary up to rounding, so the unitary solver applies. COE: the
 * elementwise product is a general complex symmetric matrix: general complex QR
 * (linalg/general.ts), n angles; the moduli are dropped, as the reference's angle histograms do.
 * CSE: the exact eigenvalues +-x_i of the 2 x 2 blocks, 2n angles.
 */
export function bristolEigenphases(ensemble: 'CUE' | 'COE' | 'CSE', n: number, stream: RandomStream): Float64Array {
  if (ensemble === 'CUE') return unitaryEigenphases(bristolCUE(n, stream));
  if (ensemble === 'COE') {
    const e = complexEigenvalues(bristolCOE(n, stream));
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = angle(e.re[i]!, e.im[i]!);
    return out.sort();
  }
  const h = bristolCSE(n, stream);
  const m = 2 * n;
  const out = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const xr = h.re[2 * i * m + 2 * i + 1]!;
    const xi = h.im[2 * i * m + 2 * i + 1]!;
    out[2 * i] = angle(xr, xi);
    out[2 * i + 1] = angle(-xr, -xi);
  }
  return out.sort();
}

/** np.angle convention: atan2, in (-pi, pi]; -0 imaginary parts map to pi, not -pi. */
function angle(re: number, im: number): number {
  const t = Math.atan2(im, re);
  return t <= -Math.PI ? Math.PI : t;
}
