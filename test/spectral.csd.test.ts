import { test } from 'node:test';
import assert from 'node:assert/strict';
import { haarUnitary } from './helpers/haar.js';
import {
  circularSpectralDifference,
  csdEdges,
  csdOverCircularDraws,
  pooledDensity,
  populationVariance,
  summariseDraws,
} from '../src/spectral/csd.js';
import { gaussianLayerMatrix } from '../src/ensembles/gaussian.js';
import { createStream, type RandomStream } from '../src/rng/index.js';
import {
  NonFiniteInputError,
  gram,
  symmetricEigenvalues,
} from '../src/linalg/index.js';

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
  // An inexact mean: {1e16, 1e16 + 2, 1e16 + 2} (float64 spacing 2 there) has mean 1e16 + 4/3,
  // stored as 1e16 + 2. Deviations from the stored mean are -2, 0, 0 (ss = 4, sum c = -2); the
  // correction gives (4 - 4/3)/3 = 8/9, the exact variance ((4/3)^2 + 2 (2/3)^2)/3. Without the
  // correction the result is 4/3; one-pass E[x^2] - mean^2 loses everything at 1e32.
  close(populationVariance([1e16, 1e16 + 2, 1e16 + 2]), 8 / 9, 1e-15);
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


/** Eigenvalues of X = A A^T for a square layer A (n x n), clamped at 0 (X is PSD, SPEC 5). */
function layerEigs(a: Float64Array, n: number): Float64Array {
  const e = symmetricEigenvalues(gram(a, n, n), n);
  for (let i = 0; i < e.length; i++) if (e[i]! < 0) e[i] = 0;
  return e;
}

/** Circular unitary mixed ensemble: one matrix |U_l| A^T per order. */
function circularMixed(orders: readonly number[], stream: RandomStream): Float64Array[] {
  return orders.map((n) => {
    const u = haarUnitary(n, stream);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n * n; i++) a[i] = Math.hypot(u.re[i]!, u.im[i]!);
    return layerEigs(a, n);
  });
}

/**
 * Upper bound for Var(CSD) of two independent ensembles with equal totals T.
 * Var(CSD) <= (1/K) sum_k csd_k^2 = S / ((T w)^2 K), S = sum_k (ca_k - cb_k)^2.
 * If bin counts were independent Poisson(lambda_k) (the "independent sampling" model),
 * ca - cb is Skellam: E (ca-cb)^2 = 2 lambda, Var (ca-cb)^2 = 2 lambda + 8 lambda^2.
 * Eigenvalue repulsion makes counts sub-Poissonian, which only lowers S (numpy, 30 pairs:
 * mean Var(CSD) 0.057 against the Poisson mean 0.13 at T = 416). Bound: Poisson mean
 * + 5 Poisson standard deviations, lambda_k estimated by the mean of the two counts.
 */
function poissonBound(a: Float64Array[], b: Float64Array[], eMax: number, K: number): { mean: number; bound: number } {
  const T = a.reduce((s, e) => s + e.length, 0);
  const w = eMax / K;
  const la = pooledDensity(a, { eMax, bins: K }).density;
  const lb = pooledDensity(b, { eMax, bins: K }).density;
  let mean = 0;
  let v = 0;
  for (let k = 0; k < K; k++) {
    const lam = ((la[k]! + lb[k]!) * T * w) / 2; // back to counts
    mean += 2 * lam;
    v += 2 * lam + 8 * lam * lam;
  }
  const scale = (T * w) ** 2 * K;
  return { mean: mean / scale, bound: (mean + 5 * Math.sqrt(v)) / scale };
}

test('two independent circular mixed ensembles are conjugate, with Var(CSD) below the shot-noise bound, falling with order', () => {
  const eMax = 6;
  const K = 1000;
  const results: { T: number; varCsd: number; bound: number; mean: number }[] = [];
  for (const orders of [
    [64, 96, 128, 128],
    [128, 192, 256, 256],
  ]) {
    const L = orders.length;
    const T = orders.reduce((s, n) => s + n, 0);
    const a = circularMixed(orders, createStream(`csd-circ-a-${orders.join('-')}`));
    const b = circularMixed(orders, createStream(`csd-circ-b-${orders.join('-')}`));
    // Scales (docs/csd.md): one outlier per layer near n*pi/4 (>= 50, far above 6);
    // the bulk is Marchenko-Pastur with ratio 1 and scale 1 - pi/4, edge 4(1 - pi/4) = 0.86,
    // edge fluctuations ~ 0.034 n^(-2/3)-scaled Tracy-Widom units: 1.2 is > 10 units away.
    for (const set of [a, b]) {
      set.forEach((e, l) => {
        const n = orders[l]!;
        close(e[n - 1]!, (n * Math.PI) / 4, 0.1 * n, `outlier of layer ${l}`);
        assert.ok(e[n - 2]! < 1.2, `bulk max ${e[n - 2]} of layer ${l}`);
      });
    }
    const r = circularSpectralDifference(a, b, { eMax, bins: K });
    assert.deepEqual(r.totals, { a: T, b: T, outsideA: L, outsideB: L });
    // Same count outside on both sides -> the in-window fractions agree exactly.
    assert.ok(Math.abs(r.cumulativeAtEMax) < 1e-12, `cumulative at eMax ${r.cumulativeAtEMax}`);
    assert.equal(r.conjugate, true);
    const { mean, bound } = poissonBound(a, b, eMax, K);
    // Var(CSD) is the population variance (divide by K) of rho_a - rho_b recomputed here from
    // the two pooled densities: exact up to rounding, so a K - 1 divisor (0.1% off) fails.
    const pa = pooledDensity(a, { eMax, bins: K }).density, pb = pooledDensity(b, { eMax, bins: K }).density;
    const diff = pa.map((x, k) => x - pb[k]!);
    const dm = diff.reduce((s, x) => s + x, 0) / K;
    const pop = diff.reduce((s, x) => s + (x - dm) ** 2, 0) / K;
    close(r.varCsd, pop, 1e-12 * pop, 'Var(CSD) = population variance of the density difference');
    assert.ok(r.varCsd > 0, 'independent draws must differ');
    assert.ok(r.varCsd <= bound, `Var(CSD) ${r.varCsd} above the Poisson bound ${bound}`);
    results.push({ T, varCsd: r.varCsd, bound, mean });
  }
  // Doubling every order: numpy gives mean Var(CSD) 0.057 (sd 0.008) -> 0.019 (sd 0.003),
  // so the decrease is > 4 sd; the Poisson mean itself halves with T.
  assert.ok(results[1]!.varCsd < results[0]!.varCsd, JSON.stringify(results));
  assert.ok(results[1]!.mean < 0.6 * results[0]!.mean, JSON.stringify(results));
});

test('Gaussian-initialised network vs its circular conjugate: cumulative at eMax is exactly L/T, Var(CSD) much larger', () => {
  const orders = [64, 96, 128, 128];
  const L = orders.length;
  const T = orders.reduce((s, n) => s + n, 0);
  const gs = createStream('csd-gauss-net');
  // Square layers N(0, 1/n): Marchenko-Pastur ratio 1 on [0, 4]; 6 is > 10 edge units away.
  const net = orders.map((n) => layerEigs(gaussianLayerMatrix(n, n, gs), n));
  const circ = circularMixed(orders, createStream('csd-gauss-circ'));
  const circ2 = circularMixed(orders, createStream('csd-gauss-circ2'));
  const r = circularSpectralDifference(net, circ);
  assert.equal(r.totals.outsideA, 0);
  // in-window fractions: 1 (network) - (T - L)/T (circular) = L/T.
  close(r.cumulativeAtEMax, L / T, 1e-12);
  assert.equal(r.conjugate, true, 'L/T = 0.0096 < 0.05: the criterion only sees mass beyond eMax');
  // numpy (10 draws): Var(CSD) Gaussian vs circular 0.254 (sd 0.019); circular vs circular
  // 0.057 (sd 0.008). 0.254 - 2 * 0.057 is > 5 sd of the difference.
  const rr = circularSpectralDifference(circ2, circ);
  assert.ok(r.varCsd > 2 * rr.varCsd, `${r.varCsd} vs ${rr.varCsd}`);
  // With several circular draws: summaries over D = 3 draws.
  const over = csdOverCircularDraws(net, [circ, circ2, circularMixed(orders, createStream('csd-gauss-circ3'))]);
  assert.equal(over.varCsd.n, 3);
  assert.equal(over.varCsd.std > 0, true);
  close(over.cumulativeAtEMax.mean, L / T, 1e-12);
  close(over.cumulativeAtEMax.std, 0, 1e-12);
});
