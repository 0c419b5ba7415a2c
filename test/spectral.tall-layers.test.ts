// Tall layers (N > M): the Gram of the columns A^T A (M x M) plus N - M exact zeros gives the
// spectrum of A A^T (SPEC 5). Checked against the N x N route on random tall, wide and square
// matrices, and the column-Gram kernels (TS and WebAssembly) against a plain triple loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import seedrandom from 'seedrandom';
import { gram, gramT, symmetricEigenvalues } from '../src/linalg/index.js';
import { gramTransposeTS, transpose } from '../src/linalg/gram.js';
import { wasmKernels } from '../src/linalg/wasm/index.js';
import { layerEigenvalues } from '../src/spectral/index.js';

function randomMatrix(rng: () => number, n: number, m: number): Float64Array {
  const a = new Float64Array(n * m);
  for (let i = 0; i < a.length; i++) a[i] = 2 * rng() - 1;
  return a;
}

/** The N x N route: eigenvalues of A A^T, negatives clamped to 0 (the definition). */
function fullRoute(a: Float64Array, n: number, m: number): Float64Array {
  return symmetricEigenvalues(gram(a, n, m), n).map((v) => Math.max(0, v));
}

test('transpose: exact, across 64 x 64 tile edges', () => {
  const rng = seedrandom('transpose');
  for (const [n, m] of [[1, 1], [1, 9], [9, 1], [65, 130], [200, 3]] as const) {
    const a = randomMatrix(rng, n, m);
    const t = transpose(a, n, m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) assert.equal(t[j * n + i], a[i * m + j]);
  }
});

test('gramT = A^T A: TS and WASM kernels against a plain triple loop; exactly symmetric', () => {
  const rng = seedrandom('gramT');
  const k = wasmKernels();
  for (const [n, m] of [[1, 1], [3, 1], [1, 5], [7, 3], [70, 65], [300, 129], [5, 260]] as const) {
    const a = randomMatrix(rng, n, m);
    const routes: [string, Float64Array][] = [['TS', gramTransposeTS(a, n, m)], ['dispatch', gramT(a, n, m)]];
    if (k) routes.push(['WASM', k.gramT(a, n, m)]);
    for (const [name, x] of routes) {
      assert.equal(x.length, m * m);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          let s = 0, s1 = 0;
          for (let r = 0; r < n; r++) { s += a[r * m + i]! * a[r * m + j]!; s1 += Math.abs(a[r * m + i]! * a[r * m + j]!); }
          // summation order differs between kernels: bound by n ulps of the sum of |terms|
          assert.ok(Math.abs(x[i * m + j]! - s) <= (n + 2) * 2.3e-16 * s1, `${name} ${n}x${m} (${i},${j})`);
          assert.equal(x[i * m + j], x[j * m + i], `${name} symmetry ${n}x${m}`);
        }
      }
    }
  }
  assert.throws(() => gramT(new Float64Array(5), 2, 3), RangeError);
  assert.throws(() => gramT(Float64Array.from([1, NaN, 0, 1]), 2, 2), /non-finite|NaN/i);
});

test('layer eigenvalues: the M x M route with N - M zeros agrees with the N x N route (tall, wide, square)', () => {
  const rng = seedrandom('tall-wide-square');
  for (const [n, m] of [[40, 7], [130, 64], [97, 96], [64, 64], [33, 33], [7, 40], [64, 130], [2, 1], [300, 17]] as const) {
    const a = randomMatrix(rng, n, m);
    const ev = layerEigenvalues({ rows: n, cols: m, data: a }, 'definition');
    const ref = fullRoute(a, n, m);
    assert.equal(ev.length, n, `${n}x${m}: one eigenvalue per row`);
    const top = ref[n - 1]!;
    // both are backward-stable symmetric solves of the same spectrum: agree to a few ulps of the largest
    for (let i = 0; i < n; i++) {
      assert.ok(Math.abs(ev[i]! - ref[i]!) <= 64 * n * 2.3e-16 * top, `${n}x${m} eigenvalue ${i}: ${ev[i]} vs ${ref[i]}`);
    }
    for (let i = 1; i < n; i++) assert.ok(ev[i]! >= ev[i - 1]!, 'ascending');
    if (n > m) {
      // definition semantics: the N - M structural zeros are exact
      for (let i = 0; i < n - m; i++) assert.equal(ev[i], 0, `${n}x${m}: zero ${i} exact`);
      assert.ok(ev[n - m]! > 0, `${n}x${m}: a random tall matrix has full column rank`);
    }
  }
});

test('layer eigenvalues, bristol semantics: unchanged N x N arithmetic for tall layers', () => {
  const rng = seedrandom('bristol-tall');
  const n = 50, m = 9;
  const a = randomMatrix(rng, n, m);
  const x = gram(a, n, m);
  const expected = symmetricEigenvalues(gram(x, n, n), n).map((v) => Math.abs(v));
  assert.deepEqual(Array.from(layerEigenvalues({ rows: n, cols: m, data: a }, 'bristol')), Array.from(expected));
});
