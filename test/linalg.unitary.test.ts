// Eigenphases of unitary matrices: exact phases (diagonal and Q D Q^H with
// known D) and ml-matrix's general eigensolver on the real embedding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EigenvalueDecomposition, Matrix, QrDecomposition } from 'ml-matrix';
import {
  unitaryEigenphases, unitarityError, complexQR, complexMatmul, conjugateTranspose, complexMatrix,
  NonFiniteInputError, type ComplexMatrix,
} from '../src/linalg/index.js';
import { rng, randomComplex, realEmbedding, phaseListDistance, isAscending } from './linalg.helpers.js';

function diagUnitary(phases: number[]): ComplexMatrix {
  const n = phases.length;
  const d = complexMatrix(n);
  phases.forEach((t, i) => { d.re[i * n + i] = Math.cos(t); d.im[i * n + i] = Math.sin(t); });
  return d;
}

/** Haar-like unitary: Q of a complex Gaussian matrix with the R-diagonal phases folded in (Mezzadri 2007). */
function randomUnitary(n: number, seed: string): ComplexMatrix {
  const { q, rDiagRe, rDiagIm } = complexQR(randomComplex(n, n, rng(seed)));
  for (let j = 0; j < n; j++) {
    const a = Math.hypot(rDiagRe[j]!, rDiagIm[j]!);
    const pr = a > 0 ? rDiagRe[j]! / a : 1, pi = a > 0 ? rDiagIm[j]! / a : 0;
    for (let i = 0; i < n; i++) {
      const xr = q.re[i * n + j]!, xi = q.im[i * n + j]!;
      q.re[i * n + j] = xr * pr - xi * pi; q.im[i * n + j] = xr * pi + xi * pr;
    }
  }
  return q;
}

function conjugated(q: ComplexMatrix, phases: number[]): ComplexMatrix {
  return complexMatmul(complexMatmul(q, diagUnitary(phases)), conjugateTranspose(q));
}

function wrap(t: number): number {
  const w = Math.atan2(Math.sin(t), Math.cos(t));
  return w === -Math.PI ? Math.PI : w;
}

function check(u: ComplexMatrix, phases: number[], tol: number, label: string): void {
  const got = unitaryEigenphases(u);
  assert.equal(got.length, phases.length);
  assert.ok(isAscending(got), `${label}: ascending`);
  assert.ok(got.every((t) => t > -Math.PI && t <= Math.PI), `${label}: range (-pi, pi]`);
  const want = Float64Array.from(phases.map(wrap)).sort();
  const dist = phaseListDistance(got, want);
  assert.ok(dist < tol, `${label}: distance ${dist}`);
}

const PI = Math.PI;

test('diagonal unitaries: exact phases, including +-pi, repeated and clustered', () => {
  check(diagUnitary([0.3]), [0.3], 1e-15, 'n=1');
  check(diagUnitary([PI]), [PI], 1e-15, 'n=1 at pi');
  const cases: Array<[string, number[]]> = [
    ['n=2', [1, -2]],
    ['at pi', [PI, 0, -1, 2]],
    ['at -pi and pi', [-PI, PI, 0.5, -0.5, 3]],
    ['just inside -pi', [-PI + 1e-9, PI - 1e-9, 1]],
    ['repeated', [1, 1, 1, -2, -2, 0, 0, 0, 0]],
    ['all equal', [2, 2, 2, 2, 2, 2]],
    ['identity', [0, 0, 0, 0, 0]],
    ['minus identity', [PI, PI, PI, PI]],
    ['clustered', [0.1, 0.1 + 1e-10, 0.1 + 2e-10, 0.1 - 1e-10, -3.1, 3.1, 1.5]],
    ['fills the circle (small gaps)', Array.from({ length: 40 }, (_, k) => -PI + (2 * PI * (k + 0.5)) / 40)],
    ['phases at the fixed Cayley phase', [PI - 0.7071067811865476, -0.7071067811865476, 2.4, 1]],
  ];
  for (const [label, ph] of cases) check(diagUnitary(ph), ph, 1e-12, label);
});

test('U = Q D Q^H with Q unitary from complexQR: known phases to ~1e-12', () => {
  const q = randomUnitary(24, 'u-q24');
  assert.ok(unitarityError(q) < 1e-13);
  const s = rng('u-phases');
  const random = Array.from({ length: 24 }, () => -PI + 2 * PI * s.uniform());
  check(conjugated(q, random), random, 1e-12, 'random phases');
  const seam = [PI, PI, -PI + 1e-12, 3, -3, ...random.slice(5)];
  check(conjugated(q, seam), seam, 1e-12, 'phases on the seam');
  const rep = Array.from({ length: 24 }, (_, k) => [0.5, -2, PI][k % 3]!);
  check(conjugated(q, rep), rep, 1e-12, 'triple repeated');
  const cl = Array.from({ length: 24 }, (_, k) => 1 + 1e-8 * k);
  check(conjugated(q, cl), cl, 1e-12, 'tight cluster');
  // An eigenphase where the first Cayley pass is singular (theta = pi - phi0), so the
  // gap-centred second pass must take over; plus a larger n.
  const hit = [Math.PI - 0.7071067811865476, ...random.slice(1)];
  check(conjugated(q, hit), hit, 1e-12, 'eigenphase on the first Cayley pole');
  // Eigenphases at distance delta from that pole, on both sides of the switch to pass 2
  // (max|lambda| ~ 2/delta against the 2e4 limit): accuracy must hold throughout.
  for (const delta of [1e-2, 1e-3, 2e-4, 5e-5, 1e-6, -1e-9]) {
    const near = [Math.PI - 0.7071067811865476 + delta, ...random.slice(1)];
    check(conjugated(q, near), near, 1e-12, `eigenphase ${delta} from the first Cayley pole`);
  }
  const q100 = randomUnitary(100, 'u-q100');
  const p100 = Array.from({ length: 100 }, () => -PI + 2 * PI * s.uniform());
  check(conjugated(q100, p100), p100, 2e-12, 'n=100');
  const q7 = randomUnitary(7, 'u-q7');
  const p7 = [-1, 0, 1, 2, 3, -2, -3];
  check(conjugated(q7, p7), p7, 1e-12, 'odd n');
});

test('random unitaries agree with ml-matrix (real embedding has the phases and their negatives)', () => {
  for (const n of [2, 3, 8, 17, 40]) {
    const u = randomUnitary(n, `u-ml-${n}`);
    const got = unitaryEigenphases(u);
    const evd = new EigenvalueDecomposition(realEmbedding(u));
    const ref = evd.realEigenvalues.map((re, i) => Math.atan2(evd.imaginaryEigenvalues[i]!, re)).map(wrap).sort((a, b) => a - b);
    const both = Float64Array.from([...got, ...got].map((t, i) => (i < n ? t : wrap(-t)))).sort();
    const dist = phaseListDistance(both, Float64Array.from(ref));
    assert.ok(dist < 1e-11, `n=${n} distance ${dist}`);
  }
  // Real orthogonal matrix: ml-matrix's eigensolver on U itself.
  const n = 11;
  const m = new Matrix(Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.sin(1 + i * 3.7 + j * j * 0.61))));
  const o = new QrDecomposition(m).orthogonalMatrix;
  const u = complexMatrix(n);
  u.re.set(o.to1DArray());
  const evd = new EigenvalueDecomposition(o);
  const ref = evd.realEigenvalues.map((re, i) => wrap(Math.atan2(evd.imaginaryEigenvalues[i]!, re))).sort((a, b) => a - b);
  assert.ok(phaseListDistance(unitaryEigenphases(u), Float64Array.from(ref)) < 1e-11);
});

test('deterministic: same input gives the same bits', () => {
  const u = randomUnitary(20, 'u-det');
  const a = unitaryEigenphases(u), b = unitaryEigenphases(u);
  assert.deepEqual(Array.from(a), Array.from(b));
});

test('unitarityError measures ||U^H U - I||; non-unitary and non-finite input is rejected', () => {
  const u = randomUnitary(6, 'u-err');
  assert.ok(unitarityError(u) < 1e-14);
  const v = complexMatrix(6);
  v.re.set(u.re); v.im.set(u.im);
  v.re[7] = v.re[7]! + 1e-3;
  assert.ok(unitarityError(v) > 5e-4);
  assert.throws(() => unitaryEigenphases(v), /not unitary/);
  const two = diagUnitary([0, 0]);
  two.re[0] = 2;
  assert.throws(() => unitaryEigenphases(two), /not unitary/);
  v.re[7] = NaN;
  assert.throws(() => unitaryEigenphases(v), NonFiniteInputError);
  assert.throws(() => unitarityError(v), NonFiniteInputError);
  assert.throws(() => unitaryEigenphases(complexMatrix(2, 3)), RangeError);
});
