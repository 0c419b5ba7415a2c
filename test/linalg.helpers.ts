// Shared helpers for the linalg tests (not a test file itself).
import { Matrix, EigenvalueDecomposition } from 'ml-matrix';
import { createStream, type RandomStream } from '../src/rng/index.js';
import { complexMatrix, type ComplexMatrix } from '../src/linalg/types.js';

export function rng(seed: string | number): RandomStream {
  return createStream(seed);
}

/** Random symmetric n x n (row-major), entries standard normal. */
export function randomSymmetric(n: number, s: RandomStream): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const x = s.normal();
      a[i * n + j] = x;
      a[j * n + i] = x;
    }
  }
  return a;
}

export function randomReal(rows: number, cols: number, s: RandomStream): Float64Array {
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < a.length; i++) a[i] = s.normal();
  return a;
}

export function randomComplex(rows: number, cols: number, s: RandomStream): ComplexMatrix {
  const m = complexMatrix(rows, cols);
  for (let i = 0; i < rows * cols; i++) {
    m.re[i] = s.normal();
    m.im[i] = s.normal();
  }
  return m;
}

export function randomHermitian(n: number, s: RandomStream): ComplexMatrix {
  const m = complexMatrix(n);
  for (let i = 0; i < n; i++) {
    m.re[i * n + i] = s.normal();
    for (let j = i + 1; j < n; j++) {
      const x = s.normal(), y = s.normal();
      m.re[i * n + j] = x; m.im[i * n + j] = y;
      m.re[j * n + i] = x; m.im[j * n + i] = -y;
    }
  }
  return m;
}

/** Reference symmetric eigenvalues (ascending) from ml-matrix. */
export function refSymmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(a.subarray(i * n, i * n + n)));
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  return Float64Array.from(evd.realEigenvalues).sort();
}

/** Real embedding [[Re, -Im], [Im, Re]] (2n x 2n) as an ml-matrix Matrix. */
export function realEmbedding(m: ComplexMatrix): Matrix {
  const n = m.rows, c = m.cols;
  const out = Matrix.zeros(2 * n, 2 * c);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) {
      const re = m.re[i * c + j]!, im = m.im[i * c + j]!;
      out.set(i, j, re); out.set(i + n, j + c, re);
      out.set(i, j + c, -im); out.set(i + n, j, im);
    }
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function maxAbsOf(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Distance on the circle between two angles. */
export function circDist(x: number, y: number): number {
  const d = Math.abs(x - y) % (2 * Math.PI);
  return Math.min(d, 2 * Math.PI - d);
}

/** Max circular distance between two sorted angle lists, best over cyclic shifts (handles the +-pi seam). */
export function phaseListDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new Error(`length ${n} vs ${b.length}`);
  let best = Infinity;
  for (let sh = 0; sh < n; sh++) {
    let m = 0;
    for (let j = 0; j < n && m < best; j++) m = Math.max(m, circDist(a[j]!, b[(j + sh) % n]!));
    best = Math.min(best, m);
  }
  return best;
}

export function isAscending(a: ArrayLike<number>): boolean {
  for (let i = 1; i < a.length; i++) if (!(a[i - 1]! <= a[i]!)) return false;
  return true;
}
