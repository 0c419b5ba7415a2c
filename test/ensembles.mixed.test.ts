// Circular unitary mixed ensemble layers and MME orders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStream } from '../src/rng/index.js';
import { circularMixedLayer, mixedOrders, sampleCUE } from '../src/ensembles/index.js';

test('circularMixedLayer is |U| of the qr CUE matrix from the same stream; rows have unit 2-norm', () => {
  const n = 12;
  const a = circularMixedLayer(n, createStream('mix'));
  const u = sampleCUE(n, createStream('mix'), 'qr');
  assert.equal(a.length, n * n);
  for (let k = 0; k < n * n; k++) assert.equal(a[k], Math.hypot(u.re[k]!, u.im[k]!));
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) {
      assert.ok(a[i * n + j]! >= 0);
      s += a[i * n + j]! ** 2;
    }
    assert.ok(Math.abs(s - 1) < 1e-13);
  }
});

test('mixedOrders ~ Binomial(nMax, p) conditioned on >= 2 (exact pmf moments, 5 SE)', () => {
  const nMax = 10;
  const p = 0.2;
  const count = 6000;
  // exact pmf of Binomial(10, 0.2) restricted to k >= 2
  const pmf: number[] = [];
  let binom = 1;
  for (let k = 0; k <= nMax; k++) {
    if (k > 0) binom = (binom * (nMax - k + 1)) / k;
    pmf.push(binom * p ** k * (1 - p) ** (nMax - k));
  }
  const tail = 1 - pmf[0]! - pmf[1]!;
  let mean = 0;
  let second = 0;
  for (let k = 2; k <= nMax; k++) {
    mean += (k * pmf[k]!) / tail;
    second += (k * k * pmf[k]!) / tail;
  }
  const sd = Math.sqrt(second - mean * mean);
  const orders = mixedOrders(nMax, p, count, createStream('mme'));
  assert.equal(orders.length, count);
  let s = 0;
  let twos = 0;
  for (const k of orders) {
    assert.ok(Number.isInteger(k) && k >= 2 && k <= nMax);
    s += k;
    if (k === 2) twos++;
  }
  assert.ok(Math.abs(s / count - mean) < (5 * sd) / Math.sqrt(count), `mean ${s / count} vs ${mean}`);
  const p2 = pmf[2]! / tail;
  assert.ok(Math.abs(twos / count - p2) < 5 * Math.sqrt((p2 * (1 - p2)) / count), `P(2) ${twos / count} vs ${p2}`);
});

test('mixedOrders: deterministic, p = 1 gives nMax, invalid input refused', () => {
  assert.deepEqual(mixedOrders(50, 0.5, 5, createStream(3)), mixedOrders(50, 0.5, 5, createStream(3)));
  assert.deepEqual(mixedOrders(7, 1, 3, createStream(4)), [7, 7, 7]);
  const s = createStream(5);
  assert.throws(() => mixedOrders(1, 0.5, 1, s), RangeError);
  assert.throws(() => mixedOrders(10, 0, 1, s), RangeError);
  assert.throws(() => mixedOrders(10, 1.5, 1, s), RangeError);
  assert.throws(() => mixedOrders(10, 0.5, 0, s), RangeError);
  assert.throws(() => mixedOrders(10, Number.NaN, 1, s), RangeError);
});
