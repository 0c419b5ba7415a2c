// Dense samplers: unitarity, COE symmetry, CSE self-duality and Kramers pairs, the Mezzadri
// phase fix, stream order and determinism, Kramers pairing across the +-pi cut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStream } from '../src/rng/index.js';
import {
  complexMatrix,
  complexMatmul,
  complexQR,
  unitaryEigenphases,
  unitarityError,
  type ComplexMatrix,
} from '../src/linalg/index.js';
import {
  kramersPhases,
  quaternionDual,
  sampleCOE,
  sampleCSE,
  sampleCUE,
  sampleEigenphases,
} from '../src/ensembles/index.js';
import { Matrix } from 'ml-matrix';
import { ginibre, gramSchmidt } from './helpers/haar.js';

function maxDiff(a: ComplexMatrix, b: ComplexMatrix): number {
  let w = 0;
  for (let k = 0; k < a.re.length; k++) w = Math.max(w, Math.hypot(a.re[k]! - b.re[k]!, a.im[k]! - b.im[k]!));
  return w;
}

function transpose(a: ComplexMatrix): ComplexMatrix {
  const n = a.rows;
  const t = complexMatrix(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      t.re[j * n + i] = a.re[i * n + j]!;
      t.im[j * n + i] = a.im[i * n + j]!;
    }
  }
  return t;
}

test('CUE (qr, eigvec), COE and CSE matrices are unitary to 1e-12', () => {
  for (const method of ['qr', 'eigvec'] as const) {
    for (const n of [1, 2, 7, 32]) {
      const s = createStream(`unit-${method}-${n}`);
      const u = sampleCUE(n, s, method);
      assert.equal(u.rows, n);
      assert.ok(unitarityError(u) < 1e-12, `CUE ${method} n ${n}: ${unitarityError(u)}`);
      assert.ok(unitarityError(sampleCOE(n, s, method)) < 1e-12);
      const v = sampleCSE(n, s, method);
      assert.equal(v.rows, 2 * n);
      assert.ok(unitarityError(v) < 1e-12);
    }
  }
});

test('COE is symmetric (U = U^T to 1e-12)', () => {
  for (const method of ['qr', 'eigvec'] as const) {
    const u = sampleCOE(24, createStream(`sym-${method}`), method);
    assert.ok(maxDiff(u, transpose(u)) < 1e-12);
  }
});

test('quaternionDual equals J U^T J^T with J = I (x) [[0,1],[-1,0]]', () => {
  const m = 6;
  const j = complexMatrix(m);
  const jt = complexMatrix(m);
  for (let b = 0; b < m / 2; b++) {
    j.re[2 * b * m + 2 * b + 1] = 1;
    j.re[(2 * b + 1) * m + 2 * b] = -1;
    jt.re[(2 * b + 1) * m + 2 * b] = 1;
    jt.re[2 * b * m + 2 * b + 1] = -1;
  }
  const u = sampleCUE(m, createStream('dual'));
  const ref = complexMatmul(complexMatmul(j, transpose(u)), jt);
  assert.equal(maxDiff(quaternionDual(u), ref), 0);
});

test('CSE is self-dual (U^R = U) and its eigenvalues come in Kramers pairs', () => {
  for (const method of ['qr', 'eigvec'] as const) {
    for (const n of [2, 5, 16]) {
      const v = sampleCSE(n, createStream(`cse-${method}-${n}`), method);
      assert.ok(maxDiff(quaternionDual(v), v) < 1e-12);
      const ph = unitaryEigenphases(v);
      // the 2n sorted phases pair up into n coincident pairs (up to rounding)
      const m2 = ph.length;
      let bestGap = Infinity;
      for (const off of [0, 1]) {
        let worst = 0;
        for (let k = 0; k < n; k++) {
          const d = Math.abs(ph[(2 * k + 1 + off) % m2]! - ph[(2 * k + off) % m2]!);
          worst = Math.max(worst, Math.min(d, 2 * Math.PI - d));
        }
        bestGap = Math.min(bestGap, worst);
      }
      assert.ok(bestGap < 1e-12, `${method} n ${n}: Kramers splitting ${bestGap}`);
      const distinct = kramersPhases(ph);
      assert.equal(distinct.length, n);
    }
  }
});

test('kramersPhases pairs neighbours, also across the +-pi cut, and reports midpoints', () => {
  const e = 1e-13;
  const ph = Float64Array.of(-Math.PI + e, -1, -1 + 2e-14, 0.5, 0.5, Math.PI - e);
  const out = kramersPhases(ph);
  assert.equal(out.length, 3);
  assert.ok(Math.abs(out[0]! - (-1 + 1e-14)) < 1e-15);
  assert.equal(out[1], 0.5);
  assert.ok(Math.abs(out[2]! - Math.PI) < 1e-15);
  assert.ok(out[2]! <= Math.PI);
  // the plain pairing (0,1)(2,3)(4,5) when no pair straddles the cut
  const plain = kramersPhases(Float64Array.of(-2, -2, 0, 0, 3, 3));
  assert.deepEqual(Array.from(plain), [-2, 0, 3]);
  assert.throws(() => kramersPhases(Float64Array.of(1, 2, 3)), RangeError);
});

test('qr applies the Mezzadri phase fix: E[U_11] = 0 (the unfixed Householder Q fails this)', () => {
  // Haar: U_11 has mean 0 and E|U_11|^2 = 1/n, so Re of the mean of M draws has SE
  // sqrt(1/(2 n M)). Without the fix, Q_11 = Z_11 / R_11 with this Householder convention
  // has E Re Q_11 of order -1/sqrt(n), far outside 5 SE.
  const n = 4;
  const M = 4000;
  const s = createStream('mezzadri');
  const s2 = createStream('mezzadri');
  let fixed = 0;
  let raw = 0;
  for (let m = 0; m < M; m++) {
    fixed += sampleCUE(n, s, 'qr').re[0]!;
    const z = complexMatrix(n);
    s2.fillNormal(z.re, Math.SQRT1_2);
    s2.fillNormal(z.im, Math.SQRT1_2);
    raw += complexQR(z).q.re[0]!;
  }
  const se = Math.sqrt(1 / (2 * n * M));
  assert.ok(Math.abs(fixed / M) < 5 * se, `E Re U_11 = ${fixed / M}`);
  assert.ok(Math.abs(raw / M) > 5 * se, 'control: the unfixed Q should be detectably biased');
});

test('stream order: qr uses X then Y (2 n^2 normals); eigvec adds n uniforms; COE/CSE reuse CUE', () => {
  const n = 5;
  // qr: same matrix as QR of a hand-built Ginibre from the same stream
  const s1 = createStream('order');
  const u = sampleCUE(n, s1, 'qr');
  const s2 = createStream('order');
  const z = complexMatrix(n);
  s2.fillNormal(z.re, Math.SQRT1_2);
  s2.fillNormal(z.im, Math.SQRT1_2);
  const { q, rDiagRe, rDiagIm } = complexQR(z);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const r = Math.hypot(rDiagRe[j]!, rDiagIm[j]!);
      const cr = rDiagRe[j]! / r, ci = rDiagIm[j]! / r;
      const k = i * n + j;
      assert.ok(Math.abs(u.re[k]! - (q.re[k]! * cr - q.im[k]! * ci)) < 1e-15);
      assert.ok(Math.abs(u.im[k]! - (q.re[k]! * ci + q.im[k]! * cr)) < 1e-15);
    }
  }
  assert.equal(s1.uniform(), s2.uniform());
  // eigvec: 2 n^2 normals then n uniforms
  const e1 = createStream('order-e');
  sampleCUE(n, e1, 'eigvec');
  const e2 = createStream('order-e');
  e2.fillNormal(new Float64Array(2 * n * n));
  for (let j = 0; j < n; j++) e2.uniform();
  assert.equal(e1.uniform(), e2.uniform());
  // COE(n) and CSE(n) consume exactly CUE(n) and CUE(2n)
  const c1 = createStream('order-c');
  sampleCOE(n, c1);
  sampleCSE(n, c1);
  const c2 = createStream('order-c');
  sampleCUE(n, c2);
  sampleCUE(2 * n, c2);
  assert.equal(c1.uniform(), c2.uniform());
});

test('determinism: the same seed gives identical bits for every ensemble and method', () => {
  for (const ens of ['CUE', 'COE', 'CSE'] as const) {
    for (const method of ['qr', 'eigvec', 'spectral'] as const) {
      const a = sampleEigenphases(ens, method, 6, 3, createStream(`bits-${ens}-${method}`));
      const b = sampleEigenphases(ens, method, 6, 3, createStream(`bits-${ens}-${method}`));
      assert.equal(a.length, 3);
      for (let i = 0; i < 3; i++) {
        assert.equal(a[i]!.length, 6);
        assert.deepEqual(Array.from(a[i]!), Array.from(b[i]!));
        for (let k = 0; k < 6; k++) {
          assert.ok(a[i]![k]! > -Math.PI && a[i]![k]! <= Math.PI);
          if (k > 0) assert.ok(a[i]![k]! >= a[i]![k - 1]!);
        }
      }
    }
  }
});

test('sampleEigenphases validates its arguments with RangeErrors', () => {
  const s = createStream(2);
  assert.throws(() => sampleEigenphases('CUE', 'qr', 1, 1, s), /n must be an integer >= 2/);
  assert.throws(() => sampleEigenphases('CUE', 'qr', 3.5, 1, s), RangeError);
  assert.throws(() => sampleEigenphases('CUE', 'qr', 4, 0, s), /count must be an integer >= 1/);
  assert.throws(() => sampleEigenphases('CUE', 'qr', 4, 1.5, s), RangeError);
  assert.throws(() => sampleEigenphases('GUE' as 'CUE', 'qr', 4, 1, s), /ensemble must be one of/);
  assert.throws(() => sampleEigenphases('CUE', 'householder' as 'qr', 4, 1, s), /method must be one of/);
  assert.throws(() => sampleCUE(0, s), RangeError);
  assert.throws(() => sampleCUE(3, s, 'spectral' as 'qr'), RangeError);
});

test('COE = U^T U and CSE = U^R U = J U^T J^T U, U the CUE draw of the same seed (products written out here)', () => {
  for (const method of ['qr', 'eigvec'] as const) {
    const n = 6;
    const u = sampleCUE(n, createStream(`pin-coe-${method}`), method);
    const coe = sampleCOE(n, createStream(`pin-coe-${method}`), method);
    // (U^T U)_ij = sum_k U_ki U_kj
    const want = complexMatrix(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        for (let k = 0; k < n; k++) {
          const ar = u.re[k * n + i]!, ai = u.im[k * n + i]!, br = u.re[k * n + j]!, bi = u.im[k * n + j]!;
          want.re[i * n + j] = want.re[i * n + j]! + ar * br - ai * bi;
          want.im[i * n + j] = want.im[i * n + j]! + ar * bi + ai * br;
        }
      }
    }
    assert.ok(maxDiff(coe, want) < 1e-14, `${method}: COE != U^T U (${maxDiff(coe, want)})`);
    // U U^T has the same law but is another matrix: the pin tells them apart
    assert.ok(maxDiff(coe, transpose(complexMatmul(transpose(u), transpose(u)))) > 1e-3, `${method}: U U^T would pass`);

    const m = 2 * n;
    const u2 = sampleCUE(m, createStream(`pin-cse-${method}`), method);
    const cse = sampleCSE(n, createStream(`pin-cse-${method}`), method);
    // J = I_n (x) [[0, 1], [-1, 0]] as an explicit matrix; U^R = J U^T J^T
    const j = complexMatrix(m);
    for (let b = 0; b < n; b++) {
      j.re[(2 * b) * m + 2 * b + 1] = 1;
      j.re[(2 * b + 1) * m + 2 * b] = -1;
    }
    const dual = complexMatmul(complexMatmul(j, transpose(u2)), transpose(j));
    const wantCse = complexMatmul(dual, u2);
    assert.ok(maxDiff(cse, wantCse) < 1e-14, `${method}: CSE != U^R U (${maxDiff(cse, wantCse)})`);
    assert.ok(maxDiff(cse, complexMatmul(u2, dual)) > 1e-3, `${method}: U U^R would pass`);
  }
});

test('test helper haar.ts (Gram-Schmidt) checked with ml-matrix: U unitary and U^H Z upper triangular with a positive diagonal', () => {
  // Z = U R with R = U^H Z; the Haar condition is R's diagonal real and > 0 (Mezzadri 2007).
  // Complex n x n as the real 2n x 2n embedding [[A, -B], [B, A]] so ml-matrix does the products.
  const n = 7;
  const z = ginibre(n, createStream('haar-helper'));
  const u = gramSchmidt(z);
  const embed = (c: ComplexMatrix): Matrix => {
    const e = new Matrix(2 * n, 2 * n);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        const a = c.re[i * n + k]!, b = c.im[i * n + k]!;
        e.set(i, k, a); e.set(i, k + n, -b); e.set(i + n, k, b); e.set(i + n, k + n, a);
      }
    }
    return e;
  };
  const eu = embed(u), ez = embed(z);
  const gram = eu.transpose().mmul(eu); // embedding of U^H U
  assert.ok(gram.sub(Matrix.eye(2 * n)).abs().max() < 1e-13, 'U^H U = I');
  const r = eu.transpose().mmul(ez); // embedding of R = U^H Z: re block top-left, im block bottom-left
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const re = r.get(i, k), im = r.get(i + n, k);
      if (k < i) assert.ok(Math.abs(re) < 1e-12 && Math.abs(im) < 1e-12, `R[${i}][${k}] = ${re} + ${im}i below the diagonal`);
      if (k === i) assert.ok(re > 0 && Math.abs(im) < 1e-12, `R[${i}][${i}] = ${re} + ${im}i: not real positive`);
    }
  }
  // and it reproduces Z: U R = Z
  const back = eu.mmul(r).sub(ez);
  assert.ok(back.abs().max() < 1e-12, 'U R = Z');
});
