import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStream, chunkSeed, deriveSeed } from '../src/rng/index.js';

test('same seed gives the same stream; different seeds differ', () => {
  const a = createStream('s1'), b = createStream('s1'), c = createStream('s2');
  const xa = Array.from({ length: 50 }, () => a.normal());
  const xb = Array.from({ length: 50 }, () => b.normal());
  const xc = Array.from({ length: 50 }, () => c.normal());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test('uniforms lie in [0,1) and normals have mean 0, variance 1 within 5 standard errors', () => {
  const s = createStream(12345);
  const n = 200000;
  let sum = 0, sum2 = 0, sum4 = 0;
  for (let i = 0; i < n; i++) {
    const u = s.uniform();
    assert.ok(u >= 0 && u < 1);
    const z = s.normal();
    sum += z; sum2 += z * z; sum4 += z ** 4;
  }
  const mean = sum / n, v = sum2 / n;
  assert.ok(Math.abs(mean) < 5 / Math.sqrt(n), `mean ${mean}`);
  assert.ok(Math.abs(v - 1) < 5 * Math.sqrt(2 / n), `variance ${v}`);
  assert.ok(Math.abs(sum4 / n - 3) < 5 * Math.sqrt(96 / n), `fourth moment ${sum4 / n}`);
});

test('chunk seeds depend only on run seed and identity, or come from the explicit list', () => {
  assert.equal(chunkSeed(7, ['CUE', 'qr', 64], 3), chunkSeed(7, ['CUE', 'qr', 64], 3));
  assert.notEqual(chunkSeed(7, ['CUE', 'qr', 64], 3), chunkSeed(7, ['CUE', 'qr', 64], 4));
  assert.notEqual(chunkSeed(7, ['CUE', 'qr', 64], 3), chunkSeed(8, ['CUE', 'qr', 64], 3));
  assert.equal(chunkSeed(7, ['CUE'], 1, [11, 22]), '22');
  assert.throws(() => chunkSeed(7, ['CUE'], 2, [11, 22]), /seed list has 2 entries/);
  assert.match(deriveSeed(1, 'a'), /^[0-9a-f]{32}$/);
});
