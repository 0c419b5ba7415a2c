import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  circularSpectralDifference,
  csdEdges,
  csdOverCircularDraws,
  gaussianLayerMatrix,
  pooledDensity,
  populationVariance,
  summariseDraws,
} from '../src/spectral/csd.js';
import { createStream } from '../src/rng/index.js';
import { NonFiniteInputError } from '../src/linalg/types.js';

const f = (...v: number[]): Float64Array => Float64Array.from(v);
const close = (a: number, b: number, tol = 1e-14, msg = ''): void =>
  assert.ok(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b} (tol ${tol})`);
const closeArr = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-14): void => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) close(a[i]!, b[i]!, tol, `[${i}]`);
};

// ---------- (a) exact small cases ----------

test('pooledDensity: hand-counted histogram on [0, 2] with 4 bins, last bin closed', () => {
  // width 0.5; edges 0, .5, 1, 1.5, 2. Values on an edge go right, except 2 (last bin
  // closed); 7 is above eMax: counted in total (6) but in no bin.
  const d = pooledDensity([f(0, 0.5, 1.0), f(1.5, 2.0, 7)], { eMax: 2, bins: 4 });
  assert.deepEqual(Array.from(d.edges), [0, 0.5, 1, 1.5, 2]);
  assert.equal(d.total, 6);
  assert.equal(d.outside, 1);
  assert.equal(d.above, 1);
  assert.equal(d.below, 0);
  // counts [1, 1, 1, 2] / (total 6 * width 0.5)
  closeArr(d.density, [1 / 3, 1 / 3, 1 / 3, 2 / 3]);
});

test('pooledDensity: a single Float64Array is one member; negatives are counted as outside', () => {
  const d = pooledDensity(f(-1e-3, 0.1, 0.2), { eMax: 1, bins: 2 });
  assert.equal(d.total, 3);
  assert.equal(d.below, 1);
  assert.equal(d.outside, 1);
  closeArr(d.density, [2 / (3 * 0.5), 0]);
});

test('pooledDensity: a value equal to edges[k] lands in bin k for awkward eMax and K', () => {
  for (const [eMax, bins] of [
    [0.3, 3],
    [6, 1000],
    [0.7, 7],
    [1e-3, 13],
  ] as const) {
    const edges = csdEdges(eMax, bins);
    assert.equal(edges[bins], eMax);
    for (let k = 0; k <= bins; k++) {
      const d = pooledDensity(f(edges[k]!), { eMax, bins });
      const hit = d.density.findIndex((x) => x > 0);
      assert.equal(hit, Math.min(k, bins - 1), `eMax ${eMax} K ${bins} edge ${k}`);
    }
  }
});

test('pooledDensity: defaults are [0, 6] and 1000 bins; density integrates to the in-window fraction', () => {
  const s = createStream('pooled-defaults');
  const e = new Float64Array(5000);
  for (let i = 0; i < e.length; i++) e[i] = 8 * s.uniform(); // 3/4 of them in [0, 6)
  const d = pooledDensity(e);
  assert.equal(d.edges.length, 1001);
  assert.equal(d.edges[1000], 6);
  let integral = 0;
  for (const v of d.density) integral += v * 0.006;
  let inside = 0;
  for (const v of e) if (v <= 6) inside++;
  assert.equal(d.total - d.outside, inside);
  close(integral, inside / e.length, 1e-12);
});

test('pooledDensity: rejects NaN/Inf, empty input and bad windows', () => {
  assert.throws(() => pooledDensity([f(1), f(Number.NaN)]), NonFiniteInputError);
  assert.throws(() => pooledDensity(f(Number.POSITIVE_INFINITY)), NonFiniteInputError);
  assert.throws(() => pooledDensity([]), /no eigenvalues/);
  assert.throws(() => pooledDensity(f(1), { eMax: 0 }), RangeError);
  assert.throws(() => pooledDensity(f(1), { bins: 2.5 }), RangeError);
});

test('CSD: hand-computed difference, cumulative, population variance and verdict', () => {
  // eMax 1, 2 bins (width 0.5). a = {0.25, 0.75}: rho_a = [1, 1].
  // b = {0.25, 0.25, 5}: rho_b = [2/(3*0.5), 0] = [4/3, 0].
  // csd = [-1/3, 1]; cumulative = [-1/6, -1/6 + 1/2] = [-1/6, 1/3];
  // population variance: mean 1/3, deviations -2/3, +2/3 -> 4/9.
  const r = circularSpectralDifference(f(0.25, 0.75), [f(0.25, 0.25, 5)], { eMax: 1, bins: 2 });
  closeArr(r.csd, [-1 / 3, 1]);
  closeArr(r.cumulative, [-1 / 6, 1 / 3]);
  close(r.varCsd, 4 / 9);
  close(r.cumulativeAtEMax, 1 / 3);
  assert.equal(r.tolerance, 0.05);
  assert.equal(r.conjugate, false);
  assert.deepEqual(r.totals, { a: 2, b: 3, outsideA: 0, outsideB: 1 });
  assert.equal(circularSpectralDifference(f(0.25, 0.75), [f(0.25, 0.25, 5)], { eMax: 1, bins: 2, tolerance: 0.34 }).conjugate, true);
});

test('CSD: conjugacy is strict (|cum| < tol), and a set against itself gives zero', () => {
  // a = {0.1}, b = {0.1, 9}: cumulative at eMax = 1 - 1/2 = 0.5 exactly.
  const r = circularSpectralDifference(f(0.1), f(0.1, 9), { eMax: 1, bins: 2, tolerance: 0.5 });
  assert.equal(r.cumulativeAtEMax, 0.5);
  assert.equal(r.conjugate, false);
  const e = [f(0.3, 1.2, 2.5), f(0.01, 4, 10)];
  const self = circularSpectralDifference(e, e);
  assert.equal(self.varCsd, 0);
  assert.equal(self.cumulativeAtEMax, 0);
  assert.equal(self.conjugate, true);
});

test('CSD: cumulative at eMax equals the difference of in-window fractions (random sets)', () => {
  // Exact identity from the normalisation: sum_k rho_k * w = (T - outside) / T.
  const s = createStream('csd-identity');
  for (let trial = 0; trial < 5; trial++) {
    const a = [new Float64Array(300 + trial), new Float64Array(77)];
    const b = [new Float64Array(1000 - 3 * trial)];
    for (const m of [...a, ...b]) for (let i = 0; i < m.length; i++) m[i] = 7 * s.uniform() ** 2;
    const r = circularSpectralDifference(a, b);
    const pa = pooledDensity(a);
    const pb = pooledDensity(b);
    const expected = (pa.total - pa.outside) / pa.total - (pb.total - pb.outside) / pb.total;
    close(r.cumulativeAtEMax, expected, 1e-13);
    // and pre-pooled densities give the same result as raw eigenvalues
    const r2 = circularSpectralDifference(pa, pb);
    assert.deepEqual(r2.csd, r.csd);
    assert.equal(r2.varCsd, r.varCsd);
  }
});

test('CSD: densities built on a different window are refused', () => {
  const pa = pooledDensity(f(0.5), { eMax: 2, bins: 4 });
  assert.throws(() => circularSpectralDifference(pa, f(0.5), { eMax: 6, bins: 1000 }), /bins/);
  assert.throws(() => circularSpectralDifference(f(0.5), f(0.5), { tolerance: -1 }), RangeError);
});

test('populationVariance and summariseDraws: population (n) vs sample (n - 1)', () => {
  // {1, 2, 3, 4}: mean 2.5, sum of squared deviations 5 -> population 5/4, sample 5/3.
  close(populationVariance([1, 2, 3, 4]), 5 / 4);
  const s = summariseDraws([1, 2, 3, 4]);
  assert.equal(s.n, 4);
  close(s.mean, 2.5);
  close(s.std, Math.sqrt(5 / 3));
  // Large offset: the corrected two-pass formula keeps the variance of {1e9 + 1, 1e9 + 3} at 1.
  close(populationVariance([1e9 + 1, 1e9 + 3]), 1, 1e-6);
  const one = summariseDraws([0.7]);
  assert.equal(one.mean, 0.7);
  assert.ok(Number.isNaN(one.std));
  assert.throws(() => summariseDraws([]), RangeError);
  assert.throws(() => summariseDraws([1, Number.NaN]), NonFiniteInputError);
});

test('csdOverCircularDraws: hand-computed two draws', () => {
  // network a = {0.25, 0.75} (rho [1, 1]); eMax 1, 2 bins.
  // draw 1 = {0.25, 0.25, 5}: csd [-1/3, 1], cum at eMax 1/3, var 4/9 (case above).
  // draw 2 = {0.75}: rho [0, 2], csd [1, -1], cumulative [1/2, 0], var 1.
  const r = csdOverCircularDraws(f(0.25, 0.75), [[f(0.25, 0.25, 5)], f(0.75)], { eMax: 1, bins: 2 });
  closeArr(r.varCsds, [4 / 9, 1]);
  closeArr(r.cumulativesAtEMax, [1 / 3, 0]);
  close(r.varCsd.mean, 13 / 18);
  close(r.varCsd.std, 5 / 9 / Math.SQRT2); // two values: sample std = |x1 - x2| / sqrt 2
  close(r.cumulativeAtEMax.mean, 1 / 6);
  close(r.cumulativeAtEMax.std, 1 / 3 / Math.SQRT2);
  closeArr(r.meanCsd, [1 / 3, 0]);
  closeArr(r.meanCumulative, [1 / 6, 1 / 6]);
  assert.equal(r.conjugate, false); // |1/6| >= 0.05
  assert.equal(r.conjugateDraws, 1); // draw 2 alone has cumulative 0
  assert.throws(() => csdOverCircularDraws(f(1), []), RangeError);
});

test('gaussianLayerMatrix: shape, determinism and entry variance 1/fan_in', () => {
  const n = 200;
  const m = 50;
  const a = gaussianLayerMatrix(n, m, createStream('gauss-layer'));
  assert.equal(a.length, n * m);
  assert.deepEqual(gaussianLayerMatrix(n, m, createStream('gauss-layer')), a);
  // E[a^2] = 1/m; Var(a^2) = 2/m^2, so the mean of n*m squares has SE sqrt(2/(n m))/m.
  let ss = 0;
  let sum = 0;
  for (const v of a) {
    ss += v * v;
    sum += v;
  }
  const se = Math.sqrt(2 / (n * m)) / m;
  assert.ok(Math.abs(ss / (n * m) - 1 / m) < 5 * se, `mean square ${ss / (n * m)}`);
  // mean 0 with SE sqrt(1/m / (n m))
  assert.ok(Math.abs(sum / (n * m)) < 5 * Math.sqrt(1 / m / (n * m)));
  assert.throws(() => gaussianLayerMatrix(0, 3, createStream(1)), RangeError);
});
