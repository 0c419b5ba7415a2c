// linalg/hypot.ts: the kernels' hypot must return exactly what Math.hypot returns (it replaced
// the builtin in their loops on that promise), and stay safe at the ends of the double range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hypot } from '../src/linalg/index.js';
import { createStream } from '../src/rng/index.js';

const SPECIAL = [0, -0, 1, -1, 3, 4, 0.5, Number.MIN_VALUE, -Number.MIN_VALUE, 2 ** -1022, 2 ** -1074 * 3, 1e-300, 1e-160, 1e154, 1e300, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, NaN];

function same(x: number, y: number): void {
  const want = Math.hypot(x, y);
  const got = hypot(x, y);
  assert.ok(Object.is(got, want), `hypot(${x}, ${y}) = ${got}, Math.hypot gives ${want}`);
}

test('hypot: the bits of Math.hypot for every pair of special values (zeros, subnormals, extremes, infinities, NaN)', () => {
  for (const x of SPECIAL) for (const y of SPECIAL) same(x, y);
});

test('hypot: the bits of Math.hypot on 300,000 seeded pairs across the exponent range and near equal magnitudes', () => {
  const s = createStream('hypot-test');
  for (let i = 0; i < 100_000; i++) {
    // any binary exponent from -1074 to 1023, either sign
    const e1 = Math.floor(s.uniform() * 2098) - 1075;
    const e2 = Math.floor(s.uniform() * 2098) - 1075;
    same((s.uniform() - 0.5) * 2 ** e1, (s.uniform() - 0.5) * 2 ** e2);
    // ordinary scales, where the rounding of the sum decides the last bit
    same(s.normal(), s.normal());
    // nearly equal magnitudes: max(|x|, |y|) switches sides
    const a = s.normal();
    same(a, -a * (1 + (s.uniform() - 0.5) * 1e-15));
  }
});

test('hypot: exact where the result is representable, and no overflow or underflow at the extremes', () => {
  assert.equal(hypot(3, 4), 5);
  assert.equal(hypot(-5, 12), 13);
  assert.equal(hypot(3e300, 4e300), 5e300); // the naive sqrt(x^2 + y^2) is Infinity here
  assert.equal(hypot(3e-300, 4e-300), 5e-300); // and 0 here
  assert.equal(hypot(Number.MAX_VALUE, 0), Number.MAX_VALUE);
  assert.equal(hypot(0, Number.MIN_VALUE), Number.MIN_VALUE);
});
