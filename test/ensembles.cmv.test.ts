// Method `spectral` (Killip–Nenciu CMV model): the Verblunsky law, exact agreement of the
// root finder with dense eigenphases of the same CMV matrix, output conventions, stream use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStream } from '../src/rng/index.js';
import { unitaryEigenphases, unitarityError } from '../src/linalg/index.js';
import {
  circularBetaEigenphases,
  cmvEigenphases,
  cmvMatrix,
  sampleVerblunsky,
} from '../src/ensembles/index.js';

/** Largest circular distance between two ascending phase lists of equal length. */
function maxCircularDiff(a: Float64Array, b: Float64Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    worst = Math.max(worst, Math.min(d, 2 * Math.PI - d));
  }
  return worst;
}

test('Verblunsky coefficients follow Theta_nu: E|a_k|^2 = 2/(nu+1), E a_k = 0, |a_{n-1}| = 1', () => {
  // |a_k|^2 ~ Beta(1, b), b = (nu - 1)/2 = beta (n - k - 1)/2: mean 1/(1+b), variance
  // b / ((1+b)^2 (2+b)) (standard Beta moments); the mean of M draws is within 5 SE.
  const n = 5;
  const M = 20000;
  for (const beta of [1, 2, 4]) {
    const stream = createStream(`verblunsky-${beta}`);
    const s = new Float64Array(n);
    const sr = new Float64Array(n);
    for (let m = 0; m < M; m++) {
      const v = sampleVerblunsky(n, beta, stream);
      for (let k = 0; k < n; k++) {
        s[k] += v.re[k]! ** 2 + v.im[k]! ** 2;
        sr[k] += v.re[k]!;
        assert.ok(Math.abs(v.rho2[k]! - (1 - v.re[k]! ** 2 - v.im[k]! ** 2)) < 1e-15);
      }
      assert.ok(Math.abs(Math.hypot(v.re[n - 1]!, v.im[n - 1]!) - 1) < 1e-15);
    }
    for (let k = 0; k < n - 1; k++) {
      const b = (beta * (n - k - 1)) / 2;
      const mean = 1 / (1 + b);
      const se = Math.sqrt(b / ((1 + b) ** 2 * (2 + b)) / M);
      assert.ok(Math.abs(s[k]! / M - mean) < 5 * se, `beta ${beta} k ${k}: ${s[k]! / M} vs ${mean}`);
      // Re a_k: mean 0, variance E|a_k|^2 / 2 (uniform phase)
      const seRe = Math.sqrt(mean / 2 / M);
      assert.ok(Math.abs(sr[k]! / M) < 5 * seRe, `beta ${beta} k ${k}: E Re a = ${sr[k]! / M}`);
    }
  }
});

test('spectral eigenphases equal the dense eigenphases of the same CMV matrix (n = 2..40, several beta)', () => {
  let worst = 0;
  for (const beta of [1, 2, 4, 0.5, 7.3]) {
    for (const n of [2, 3, 5, 8, 13, 21, 40]) {
      for (let rep = 0; rep < 3; rep++) {
        const v = sampleVerblunsky(n, beta, createStream(`cmv-${beta}-${n}-${rep}`));
        const c = cmvMatrix(v);
        assert.ok(unitarityError(c) < 1e-14);
        const dense = unitaryEigenphases(c);
        const fast = cmvEigenphases(v);
        const d = maxCircularDiff(fast, dense);
        worst = Math.max(worst, d);
        assert.ok(d < 1e-12, `beta ${beta} n ${n}: max diff ${d}`);
      }
    }
  }
  assert.ok(worst < 1e-12);
});

test('spectral eigenphases agree with the dense CMV matrix at n = 300 as well', () => {
  for (const beta of [1, 2, 4]) {
    const v = sampleVerblunsky(300, beta, createStream(`cmv-big-${beta}`));
    const d = maxCircularDiff(cmvEigenphases(v), unitaryEigenphases(cmvMatrix(v)));
    assert.ok(d < 1e-12, `beta ${beta}: ${d}`);
  }
});

test('output: n distinct phases, strictly ascending, in (-pi, pi]', () => {
  for (const beta of [1, 2, 4]) {
    for (const n of [1, 2, 17, 256]) {
      const ph = circularBetaEigenphases(n, beta, createStream(`out-${beta}-${n}`));
      assert.equal(ph.length, n);
      for (let i = 0; i < n; i++) {
        assert.ok(ph[i]! > -Math.PI && ph[i]! <= Math.PI);
        if (i > 0) assert.ok(ph[i]! > ph[i - 1]!, `not ascending at ${i}`);
      }
    }
  }
});

test('determinism and stream use: identical bits for one seed; 2n - 1 uniforms per matrix', () => {
  const n = 64;
  const a = circularBetaEigenphases(n, 2, createStream('det'));
  const b = circularBetaEigenphases(n, 2, createStream('det'));
  assert.deepEqual(Array.from(a), Array.from(b));
  const s1 = createStream('use');
  circularBetaEigenphases(n, 4, s1);
  const s2 = createStream('use');
  for (let i = 0; i < 2 * n - 1; i++) s2.uniform();
  assert.equal(s1.uniform(), s2.uniform());
});

test('invalid arguments are refused', () => {
  const s = createStream(1);
  assert.throws(() => circularBetaEigenphases(0, 2, s), RangeError);
  assert.throws(() => circularBetaEigenphases(2.5, 2, s), RangeError);
  assert.throws(() => circularBetaEigenphases(4, 0, s), RangeError);
  assert.throws(() => circularBetaEigenphases(4, Number.NaN, s), RangeError);
  assert.throws(() => circularBetaEigenphases(4, Infinity, s), RangeError);
});
