// Complex products, conjugate transpose and Householder QR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix, QrDecomposition } from 'ml-matrix';
import {
  complexMatmul, complexTransposeMatmul, conjugateTranspose, complexQR, complexMatrix,
  unitarityError, NonFiniteInputError, type ComplexMatrix,
} from '../src/linalg/index.js';
import { rng, randomComplex, realEmbedding, maxAbsDiff, maxAbsOf } from './linalg.helpers.js';

/** Complex product through the real embedding [[Re,-Im],[Im,Re]] with ml-matrix: top-left block = Re, bottom-left = Im. */
function refProduct(a: ComplexMatrix, b: ComplexMatrix): { re: Float64Array; im: Float64Array } {
  const p = realEmbedding(a).mmul(realEmbedding(b));
  const n = a.rows, m = b.cols;
  const re = new Float64Array(n * m), im = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) { re[i * m + j] = p.get(i, j); im[i * m + j] = p.get(i + n, j); }
  return { re, im };
}

function transposePlain(a: ComplexMatrix): ComplexMatrix {
  const t = complexMatrix(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) {
    t.re[j * a.rows + i] = a.re[i * a.cols + j]!; t.im[j * a.rows + i] = a.im[i * a.cols + j]!;
  }
  return t;
}

test('complexMatmul and complexTransposeMatmul match ml-matrix on the real embedding (rectangular)', () => {
  const s = rng('cmm');
  for (const [n, k, m] of [[1, 1, 1], [2, 3, 4], [5, 5, 5], [7, 2, 9], [16, 33, 8], [3, 131, 517]] as const) {
    const a = randomComplex(n, k, s), b = randomComplex(k, m, s);
    const c = complexMatmul(a, b);
    const ref = refProduct(a, b);
    assert.equal(c.rows, n); assert.equal(c.cols, m);
    const tol = 1e-14 * k * 4;
    assert.ok(maxAbsDiff(c.re, ref.re) < tol && maxAbsDiff(c.im, ref.im) < tol);
    // a^T b with a given as k x n
    const at = randomComplex(k, n, s);
    const ct = complexTransposeMatmul(at, b);
    const ref2 = refProduct(transposePlain(at), b);
    assert.equal(ct.rows, n); assert.equal(ct.cols, m);
    assert.ok(maxAbsDiff(ct.re, ref2.re) < tol && maxAbsDiff(ct.im, ref2.im) < tol);
  }
  assert.throws(() => complexMatmul(complexMatrix(2, 3), complexMatrix(2, 3)), RangeError);
  assert.throws(() => complexTransposeMatmul(complexMatrix(2, 3), complexMatrix(3, 3)), RangeError);
});

test('conjugateTranspose is exact and an involution', () => {
  const a = randomComplex(5, 3, rng('ct'));
  const h = conjugateTranspose(a);
  assert.equal(h.rows, 3); assert.equal(h.cols, 5);
  for (let i = 0; i < 5; i++) for (let j = 0; j < 3; j++) {
    assert.equal(h.re[j * 5 + i], a.re[i * 3 + j]);
    assert.equal(h.im[j * 5 + i], -a.im[i * 3 + j]!);
  }
  const back = conjugateTranspose(h);
  assert.deepEqual(back.re, a.re);
  assert.deepEqual(back.im.map((x) => x + 0), a.im.map((x) => x + 0));
});

function checkQR(a: ComplexMatrix, label: string): void {
  const n = a.rows;
  const { q, rDiagRe, rDiagIm } = complexQR(a);
  assert.ok(unitarityError(q) < 1e-12 * Math.max(1, n / 16), `${label}: Q unitary ${unitarityError(q)}`);
  // R = Q^H A must be upper triangular with the reported diagonal, and Q R = A.
  const r = complexMatmul(conjugateTranspose(q), a);
  const scale = Math.max(maxAbsOf(a.re), maxAbsOf(a.im), Number.MIN_VALUE);
  const tol = 1e-13 * n * scale;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      assert.ok(Math.hypot(r.re[i * n + j]!, r.im[i * n + j]!) <= tol, `${label}: R lower (${i},${j})`);
    }
    assert.ok(Math.abs(r.re[i * n + i]! - rDiagRe[i]!) <= tol && Math.abs(r.im[i * n + i]! - rDiagIm[i]!) <= tol, `${label}: diag ${i}`);
    // zero out the strict lower part and rebuild A = Q R
    for (let j = 0; j < i; j++) { r.re[i * n + j] = 0; r.im[i * n + j] = 0; }
  }
  const qr = complexMatmul(q, r);
  assert.ok(maxAbsDiff(qr.re, a.re) <= tol && maxAbsDiff(qr.im, a.im) <= tol, `${label}: QR = A`);
}

test('complexQR: Q unitary to 1e-12 and QR = A on random, odd/even and adversarial matrices', () => {
  const s = rng('cqr');
  for (const n of [1, 2, 3, 4, 5, 8, 17, 64]) checkQR(randomComplex(n, n, s), `random n=${n}`);
  for (const sc of [1e-150, 1e150]) {
    const a = randomComplex(9, 9, s);
    a.re.forEach((x, i) => { a.re[i] = x * sc; a.im[i] = a.im[i]! * sc; });
    checkQR(a, `scale ${sc}`);
  }
  checkQR(complexMatrix(4), 'zero');
  const d = complexMatrix(5);
  for (let i = 0; i < 5; i++) { d.re[i * 5 + i] = i - 2; d.im[i * 5 + i] = (i % 2) * 3; }
  checkQR(d, 'diagonal');
  // rank-deficient: two equal columns
  const rd = randomComplex(6, 6, s);
  for (let i = 0; i < 6; i++) { rd.re[i * 6 + 4] = rd.re[i * 6 + 1]!; rd.im[i * 6 + 4] = rd.im[i * 6 + 1]!; }
  checkQR(rd, 'rank-deficient');
  // real matrix: agrees with ml-matrix's R up to signs of rows
  const n = 7;
  const ar = randomComplex(n, n, s); ar.im.fill(0);
  const ml = new Matrix(Array.from({ length: n }, (_, i) => Array.from(ar.re.subarray(i * n, i * n + n))));
  const mlR = new QrDecomposition(ml).upperTriangularMatrix;
  const { rDiagRe } = complexQR(ar);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(Math.abs(rDiagRe[i]!) - Math.abs(mlR.get(i, i))) < 1e-12 * 10);
});

test('complex kernels reject NaN / Infinity and non-square QR', () => {
  const a = randomComplex(3, 3, rng('nanc'));
  a.im[4] = NaN;
  assert.throws(() => complexQR(a), NonFiniteInputError);
  assert.throws(() => complexMatmul(a, a), /non-finite/);
  assert.throws(() => conjugateTranspose(a), NonFiniteInputError);
  a.im[4] = 0; a.re[2] = -Infinity;
  assert.throws(() => complexTransposeMatmul(a, a), NonFiniteInputError);
  assert.throws(() => complexQR(complexMatrix(2, 3)), RangeError);
});
