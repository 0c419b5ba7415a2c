// Symmetric eigenvalues, tridiagonal solver and Gram matrix against ml-matrix
// and against exactly known spectra.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix, QrDecomposition, SingularValueDecomposition } from 'ml-matrix';
import {
  symmetricEigenvalues,
  symmetricTridiagonalize,
  tridiagonalEigenvalues,
  gram,
  NonFiniteInputError,
} from '../src/linalg/index.js';
import { symmetricTridiagonalizeSimple } from '../src/linalg/symmetric.js';
import { gramSimple } from '../src/linalg/gram.js';
import {
  rng, randomSymmetric, randomReal, refSymmetricEigenvalues, maxAbsDiff, maxAbsOf, isAscending,
} from './linalg.helpers.js';

const TOL = 1e-13; // relative to max |eigenvalue|; LAPACK-class solvers reach ~1e-15 * n^(1/2)

function relErr(got: Float64Array, ref: Float64Array): number {
  const s = Math.max(maxAbsOf(ref), Number.MIN_VALUE);
  return maxAbsDiff(got, ref) / s;
}

test('random symmetric matrices match ml-matrix (n = 1..9, 16, 31, 64, 101)', () => {
  const s = rng('sym-random');
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 31, 64, 101]) {
    const a = randomSymmetric(n, s);
    const copy = Float64Array.from(a);
    const ev = symmetricEigenvalues(a, n);
    assert.deepEqual(a, copy, 'input untouched');
    assert.ok(isAscending(ev));
    const err = relErr(ev, refSymmetricEigenvalues(a, n));
    assert.ok(err < TOL, `n=${n} err=${err}`);
  }
});

test('fused and simple tridiagonalisation agree and give the same spectrum', () => {
  const s = rng('sym-fused');
  for (const n of [2, 3, 5, 6, 7, 8, 9, 10, 13, 33, 64, 97]) {
    const a = randomSymmetric(n, s);
    const f = symmetricTridiagonalize(a, n);
    const g = symmetricTridiagonalizeSimple(a, n);
    assert.equal(f.d.length, n);
    assert.equal(f.e.length, n - 1);
    // Same reflectors in the same order: results agree to rounding.
    assert.ok(maxAbsDiff(f.d, g.d) < 1e-12 * maxAbsOf(g.d) + 1e-300, `d n=${n}`);
    assert.ok(maxAbsDiff(f.e.map(Math.abs), g.e.map(Math.abs)) < 1e-11 * (maxAbsOf(g.e) + maxAbsOf(g.d)), `e n=${n}`);
    const ref = refSymmetricEigenvalues(a, n);
    assert.ok(relErr(tridiagonalEigenvalues(f.d, f.e), ref) < TOL);
    assert.ok(relErr(tridiagonalEigenvalues(g.d, g.e), ref) < TOL);
  }
});

test('only the upper triangle is read', () => {
  const n = 6;
  const a = randomSymmetric(n, rng('upper'));
  const b = Float64Array.from(a);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) b[i * n + j] = 1e6 * (i - j);
  assert.deepEqual(symmetricEigenvalues(b, n), symmetricEigenvalues(a, n));
});

test('adversarial: zero, identity, diagonal, repeated eigenvalues', () => {
  for (const n of [1, 2, 3, 4, 7, 8]) {
    assert.deepEqual(symmetricEigenvalues(new Float64Array(n * n), n), new Float64Array(n));
    const id = new Float64Array(n * n);
    for (let i = 0; i < n; i++) id[i * n + i] = 1;
    assert.deepEqual(symmetricEigenvalues(id, n), new Float64Array(n).fill(1));
    // diagonal with distinct entries: eigenvalues are the sorted diagonal, exactly
    const dg = new Float64Array(n * n);
    const want: number[] = [];
    for (let i = 0; i < n; i++) { const v = ((i * 7) % n) - n / 3; dg[i * n + i] = v; want.push(v); }
    want.sort((x, y) => x - y);
    assert.deepEqual(Array.from(symmetricEigenvalues(dg, n)), want);
  }
  // Q diag(2,2,2,-1,-1,5,5,5) Q^T with Q orthogonal (ml-matrix QR of a random matrix): repeated eigenvalues.
  const n = 8;
  const q = new Matrix(Array.from({ length: n }, (_, i) => Array.from(randomReal(1, n, rng('rep' + i)))));
  const Q = new QrDecomposition(q).orthogonalMatrix;
  const lam = [2, 2, 2, -1, -1, 5, 5, 5];
  const A = Q.mmul(Matrix.diag(lam)).mmul(Q.transpose());
  const a = Float64Array.from(A.to1DArray());
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i]!; // exact symmetry
  const ev = symmetricEigenvalues(a, n);
  const want = Float64Array.from(lam).sort();
  assert.ok(maxAbsDiff(ev, want) < 1e-13 * 5, `repeated: ${ev}`);
});

test('tiny (1e-150, 1e-300) and huge (1e150, 1e300) scales: same relative accuracy, no under/overflow', () => {
  const s = rng('scales');
  for (const n of [2, 3, 10, 33]) {
    const a = randomSymmetric(n, s);
    const ref = refSymmetricEigenvalues(a, n);
    for (const sc of [1e-150, 1e-300, 1e150, 1e300]) {
      const b = a.map((x) => x * sc);
      const ev = symmetricEigenvalues(b, n);
      const scaled = ref.map((x) => x * sc);
      const err = maxAbsDiff(ev, scaled) / maxAbsOf(scaled);
      assert.ok(err < TOL, `n=${n} scale=${sc} err=${err}`);
    }
  }
});

test('graded matrix and a matrix with known spectrum (second-difference operator)', () => {
  // tridiag(-1, 2, -1) of order n has eigenvalues 2 - 2 cos(k pi / (n + 1)), k = 1..n.
  for (const n of [1, 2, 3, 10, 50, 51]) {
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      a[i * n + i] = 2;
      if (i + 1 < n) { a[i * n + i + 1] = -1; a[(i + 1) * n + i] = -1; }
    }
    const want = Float64Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1))).sort();
    assert.ok(maxAbsDiff(symmetricEigenvalues(a, n), want) < 4 * TOL, `n=${n}`);
    const d = new Float64Array(n).fill(2), e = new Float64Array(n - 1).fill(-1);
    assert.ok(maxAbsDiff(tridiagonalEigenvalues(d, e), want) < 4 * TOL);
  }
  // Graded: diag 10^{-k}, off-diagonal tiny; compare to ml-matrix.
  const n = 12;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = 10 ** -i;
    if (i + 1 < n) { a[i * n + i + 1] = 10 ** (-i - 1.5); a[(i + 1) * n + i] = 10 ** (-i - 1.5); }
  }
  assert.ok(relErr(symmetricEigenvalues(a, n), refSymmetricEigenvalues(a, n)) < TOL);
});

test('NaN / Infinity are rejected with a clear error; bad shapes too', () => {
  const a = randomSymmetric(4, rng('nan'));
  a[5] = NaN;
  assert.throws(() => symmetricEigenvalues(a, 4), NonFiniteInputError);
  a[5] = Infinity;
  assert.throws(() => symmetricEigenvalues(a, 4), /non-finite/);
  assert.throws(() => tridiagonalEigenvalues(Float64Array.of(1, -Infinity), Float64Array.of(0)), NonFiniteInputError);
  assert.throws(() => tridiagonalEigenvalues(Float64Array.of(1, 2), Float64Array.of(0, 0)), RangeError);
  assert.throws(() => symmetricEigenvalues(new Float64Array(5), 2), RangeError);
  const g = randomReal(3, 4, rng('g'));
  g[7] = NaN;
  assert.throws(() => gram(g, 3, 4), NonFiniteInputError);
  assert.throws(() => gram(new Float64Array(11), 3, 4), RangeError);
});

test('gram matches ml-matrix A * A^T (odd/even n, m, tiny and huge scale)', () => {
  const s = rng('gram');
  for (const [n, m] of [[1, 1], [1, 5], [2, 3], [3, 2], [5, 7], [8, 8], [9, 300], [17, 513], [64, 40]] as const) {
    for (const sc of [1, 1e-150, 1e150]) {
      const a = randomReal(n, m, s).map((x) => x * sc);
      const A = new Matrix(Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * m, i * m + m))));
      const ref = Float64Array.from(A.mmul(A.transpose()).to1DArray());
      const x = gram(a, n, m);
      // Each entry is a dot product of length m: error <= m eps |a_i||a_j|; bound by m eps max|X|.
      const tol = (m + 2) * 2.3e-16 * maxAbsOf(ref);
      assert.ok(maxAbsDiff(x, ref) <= tol, `n=${n} m=${m} sc=${sc}`);
      assert.ok(maxAbsDiff(x, gramSimple(a, n, m)) <= tol);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.equal(x[i * n + j], x[j * n + i]);
    }
  }
  // Larger than one cache block in both directions (257 rows, 600 columns).
  const [n, m] = [257, 600];
  const a = randomReal(n, m, s);
  const A = new Matrix(Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * m, i * m + m))));
  const ref = Float64Array.from(A.mmul(A.transpose()).to1DArray());
  assert.ok(maxAbsDiff(gram(a, n, m), ref) <= (m + 2) * 2.3e-16 * maxAbsOf(ref));
});

test('eigenvalues of a Gram matrix are the squared singular values (rank-deficient layer N > M)', () => {
  const n = 12, m = 5;
  const a = randomReal(n, m, rng('gram-eig'));
  const ev = symmetricEigenvalues(gram(a, n, m), n);
  const A = new Matrix(Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * m, i * m + m))));
  const sv: number[] = new SingularValueDecomposition(A).diagonal;
  const want = new Float64Array(n);
  sv.forEach((x, i) => { want[n - m + i] = x * x; });
  want.sort();
  assert.ok(maxAbsDiff(ev, want) < 1e-13 * maxAbsOf(want));
});
