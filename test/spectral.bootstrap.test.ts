// Bootstrap and percentile intervals (src/spectral/bootstrap.ts): exact quantiles, weighted
// Omega against the unweighted kernel, determinism under a seed, and coverage on a known
// distribution (fixed seeds, bounds of 5 standard errors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStream } from '../src/rng/index.js';
import {
  percentileInterval, quantileSorted, resampleWeights, weightedOmega, bootstrapDse, bootstrapInterval, memberCounts, omegaFromCounts, thirumalaiMountain,
} from '../src/spectral/index.js';
import { sampleEigenphases } from '../src/ensembles/index.js';

test('percentile interval: Hyndman–Fan 7 quantiles (numpy.quantile default) of 0..100', () => {
  // values 0..100: quantile q is exactly 100 q (h = 100 q lands on the value itself).
  const v = Float64Array.from({ length: 101 }, (_, i) => 100 - i); // unsorted input
  const iv = percentileInterval(v, 0.95); // (1 - 0.95)/2 is 0.025 up to rounding
  assert.ok(Math.abs(iv.low - 2.5) < 1e-12 && Math.abs(iv.high - 97.5) < 1e-12, JSON.stringify(iv));
  assert.deepEqual(percentileInterval(v, 0.5), { low: 25, high: 75 });
  // interpolation: quantile 0.5 of [1, 2] is 1.5; of a single value is that value
  assert.equal(quantileSorted([1, 2], 0.5), 1.5);
  assert.equal(quantileSorted([7], 0.9), 7);
  assert.throws(() => percentileInterval([1, 2], 1), /level must be in \(0, 1\)/);
  assert.throws(() => percentileInterval([], 0.9), /empty/);
  assert.throws(() => percentileInterval([1, NaN], 0.9), /NaN/);
});

test('resample weights: m draws with replacement (sum m, whole numbers), same seed same weights', () => {
  const a = resampleWeights(50, createStream('w'));
  const b = resampleWeights(50, createStream('w'));
  assert.deepEqual(a, b);
  assert.equal(a.reduce((x, y) => x + y, 0), 50);
  assert.ok(a.every((x) => Number.isInteger(x) && x >= 0));
  // some item is drawn twice in 50 draws (probability 1 - 50!/50^50, i.e. certain)
  assert.ok(a.some((x) => x >= 2));
});

test('weighted Omega with unit weights equals Omega; weight 2 equals a duplicated member', () => {
  const s = createStream('omega-w');
  const members = sampleEigenphases('CUE', 'spectral', 24, 9, s);
  const counts = memberCounts(members, { kind: 'angle', semantics: 'definition' })!;
  const ens = new Float64Array(counts[0]!.length);
  for (const c of counts) for (let k = 0; k < c.length; k++) ens[k]! += c[k]!;
  const ref = omegaFromCounts(counts, ens, 24);
  const w = weightedOmega(counts, new Float64Array(9).fill(1), 24);
  for (let k = 0; k < ref.length; k++) assert.ok(Math.abs(w[k]! - ref[k]!) <= 1e-15 * Math.max(1, ref[k]!), `bin ${k}`);
  // weights (2, 0, 1, ..., 1) = the ensemble with member 0 twice and member 1 dropped
  const weights = new Float64Array(9).fill(1);
  weights[0] = 2;
  weights[1] = 0;
  const dup = thirumalaiMountain([members[0]!, members[0]!, ...members.slice(2)], { kind: 'angle' });
  const wd = weightedOmega(counts, weights, 24);
  for (let k = 0; k < dup.length; k++) assert.ok(Math.abs(wd[k]! - dup[k]!) <= 1e-12, `bin ${k}: ${wd[k]} vs ${dup[k]}`);
  // bristol + real: members have no shared bins, so no counts to re-weight
  assert.equal(memberCounts([Float64Array.from([1, 2])], { kind: 'real', semantics: 'bristol' }), null);
});

test('bootstrapDse is deterministic under its seed and changes with it', () => {
  const s = createStream('dse-det');
  const sizes = [8, 16, 32].map((n) => ({ n, counts: memberCounts(sampleEigenphases('CUE', 'spectral', n, 20, s), { kind: 'angle', semantics: 'definition' })! }));
  const a = bootstrapDse(sizes, { resamples: 50, level: 0.9, stream: createStream('b1') });
  const b = bootstrapDse(sizes, { resamples: 50, level: 0.9, stream: createStream('b1') });
  const c = bootstrapDse(sizes, { resamples: 50, level: 0.9, stream: createStream('b2') });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(a.length, 2);
  for (const iv of a) assert.ok(iv.low > 0 && iv.low <= iv.high);
});

test('coverage: the percentile bootstrap interval of a normal mean covers it at about the level', () => {
  // 400 samples of n = 40 standard normals; 95% percentile interval of the weighted mean from
  // 300 replicates. The percentile interval of a mean undercovers slightly at n = 40 (by about
  // (1 - level) z^2/(2n)-ish terms, < 1%), so the expected coverage is taken as 0.945; the bound is
  // 5 standard errors of a binomial proportion over 400 trials (5 sqrt(0.95 0.05 / 400) = 0.054).
  const trials = 400, n = 40;
  const data = createStream('coverage-data');
  const boot = createStream('coverage-boot');
  let covered = 0;
  for (let t = 0; t < trials; t++) {
    const x = data.fillNormal(new Float64Array(n));
    const iv = bootstrapInterval(n, (w) => { let s = 0; for (let i = 0; i < n; i++) s += w[i]! * x[i]!; return s / n; }, { resamples: 300, level: 0.95, stream: boot });
    if (iv.low <= 0 && 0 <= iv.high) covered++;
  }
  const cov = covered / trials;
  assert.ok(Math.abs(cov - 0.945) <= 5 * Math.sqrt((0.95 * 0.05) / trials), `coverage ${cov}`);
});

test('percentile interval of draws of a known distribution: uniform 95% interval near [0.025, 0.975]', () => {
  // The sample quantile's standard error is sqrt(p (1 - p) / n) / f with density f = 1:
  // 0.0035 for p = 0.025, n = 2000; bound 5 SE.
  const u = createStream('uniform-quantiles').fillUniform(new Float64Array(2000));
  const iv = percentileInterval(u, 0.95);
  const se = Math.sqrt((0.025 * 0.975) / 2000);
  assert.ok(Math.abs(iv.low - 0.025) <= 5 * se, `low ${iv.low}`);
  assert.ok(Math.abs(iv.high - 0.975) <= 5 * se, `high ${iv.high}`);
});
