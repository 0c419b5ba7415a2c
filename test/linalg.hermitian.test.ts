// Hermitian eigenvalues / eigenvectors.
// Reference: the real embedding [[Re, -Im], [Im, Re]] of a Hermitian H is real
// symmetric with every eigenvalue of H twice, so ml-matrix's symmetric solver
// on it gives the exact reference spectrum (each value repeated).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EigenvalueDecomposition } from 'ml-matrix';
import {
  hermitianEigenvalues, hermitianEigen, hermitianTridiagonalize, tridiagonalEigenvalues,
  complexMatmul, conjugateTranspose, complexMatrix, complexQR, NonFiniteInputError, type ComplexMatrix,
} from '../src/linalg/index.js';
import {
  rng, randomHermitian, randomComplex, realEmbedding, maxAbsDiff, maxAbsOf, isAscending,
} from './linalg.helpers.js';

function refHermitian(h: ComplexMatrix): Float64Array {
  const ev = new EigenvalueDecomposition(realEmbedding(h), { assumeSymmetric: true }).realEigenvalues;
  const all = Float64Array.from(ev).sort();
  return all.filter((_, i) => i % 2 === 0);
}

function checkEigen(h: ComplexMatrix, label: string): void {
  const n = h.rows;
  const { values, vectors } = hermitianEigen(h);
  assert.ok(isAscending(values), label);
  const scale = Math.max(maxAbsOf(values), Number.MIN_VALUE);
  // H V = V diag(values)
  const hv = complexMatmul(h, vectors);
  let res = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const k = i * n + j;
    res = Math.max(res, Math.hypot(hv.re[k]! - vectors.re[k]! * values[j]!, hv.im[k]! - vectors.im[k]! * values[j]!));
  }
  assert.ok(res <= 1e-12 * scale * Math.max(1, n / 32), `${label}: residual ${res / scale}`);
  // V^H V = I
  const g = complexMatmul(conjugateTranspose(vectors), vectors);
  let orth = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    orth = Math.max(orth, Math.hypot(g.re[i * n + j]! - (i === j ? 1 : 0), g.im[i * n + j]!));
  }
  assert.ok(orth < 1e-12 * Math.max(1, n / 32), `${label}: orthonormality ${orth}`);
  assert.ok(maxAbsDiff(values, hermitianEigenvalues(h)) <= 1e-13 * scale * Math.max(1, n / 16), `${label}: values agree`);
}

test('hermitianEigenvalues matches ml-matrix on the real embedding (n = 1..8, 15, 32, 61)', () => {
  const s = rng('herm');
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 15, 32, 61]) {
    const h = randomHermitian(n, s);
    const copyRe = Float64Array.from(h.re), copyIm = Float64Array.from(h.im);
    const ev = hermitianEigenvalues(h);
    assert.deepEqual(h.re, copyRe); assert.deepEqual(h.im, copyIm);
    assert.ok(isAscending(ev));
    const ref = refHermitian(h);
    assert.ok(maxAbsDiff(ev, ref) < 1e-13 * maxAbsOf(ref), `n=${n}`);
    const t = hermitianTridiagonalize(h);
    assert.equal(t.d.length, n); assert.equal(t.e.length, n - 1);
    assert.ok(t.e.every((x) => x >= 0), 'off-diagonal made real and non-negative');
    assert.deepEqual(tridiagonalEigenvalues(t.d, t.e), ev);
  }
});

test('hermitianEigen: H V = V diag(values), V^H V = I on random and adversarial matrices', () => {
  const s = rng('herm-vec');
  for (const n of [1, 2, 3, 4, 7, 10, 33]) checkEigen(randomHermitian(n, s), `random n=${n}`);
  checkEigen(complexMatrix(5), 'zero');
  const id = complexMatrix(4);
  for (let i = 0; i < 4; i++) id.re[i * 4 + i] = 3;
  checkEigen(id, 'multiple of identity');
  const dg = complexMatrix(6);
  [4, -1, 4, 0, -1, 2].forEach((v, i) => { dg.re[i * 6 + i] = v; });
  checkEigen(dg, 'diagonal with repeats');
  assert.deepEqual(Array.from(hermitianEigen(dg).values), [-1, -1, 0, 2, 4, 4]);
  for (const sc of [1e-150, 1e150]) {
    const h = randomHermitian(9, s);
    h.re.forEach((x, i) => { h.re[i] = x * sc; h.im[i] = h.im[i]! * sc; });
    checkEigen(h, `scale ${sc}`);
    const ref = refHermitian(h);
    assert.ok(maxAbsDiff(hermitianEigenvalues(h), ref) < 1e-13 * maxAbsOf(ref));
  }
});

test('repeated eigenvalues: Q diag(lam) Q^H with Q from complexQR', () => {
  const n = 9;
  const { q } = complexQR(randomComplex(n, n, rng('herm-rep')));
  const lam = [1, 1, 1, 1, -2, -2, 0.5, 0.5, 7];
  const dq = complexMatrix(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    dq.re[i * n + j] = q.re[i * n + j]! * lam[j]!; dq.im[i * n + j] = q.im[i * n + j]! * lam[j]!;
  }
  const h = complexMatmul(dq, conjugateTranspose(q));
  const want = Float64Array.from(lam).sort();
  assert.ok(maxAbsDiff(hermitianEigenvalues(h), want) < 1e-13 * 7 * 4);
  checkEigen(h, 'repeated');
  assert.ok(maxAbsDiff(hermitianEigen(h).values, want) < 1e-13 * 7 * 4);
});

test('NaN / Infinity rejected', () => {
  const h = randomHermitian(3, rng('hn'));
  h.re[1] = NaN;
  assert.throws(() => hermitianEigenvalues(h), NonFiniteInputError);
  assert.throws(() => hermitianEigen(h), NonFiniteInputError);
  h.re[1] = 0; h.im[2] = Infinity;
  assert.throws(() => hermitianTridiagonalize(h), /non-finite/);
  assert.throws(() => hermitianEigenvalues(complexMatrix(2, 3)), RangeError);
});
