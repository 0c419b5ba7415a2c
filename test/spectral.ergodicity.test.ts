// Thirumalai–Mountain Omega, symmetric KL and D_se ('definition' semantics),
// on exact small inputs and against an independent brute-force Omega.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStream } from '../src/rng/index.js';
import {
  thirumalaiMountain, splitMembers, klSymmetric, approachSE, approachSEFromSpectra, angleEdges, pairwiseSum,
} from '../src/spectral/index.js';

test('Omega by hand: two members, two angles each, delta = pi/2', () => {
  // bins [-pi,-pi/2) [-pi/2,0) [0,pi/2) [pi/2,pi]; member 0 -> bins 0,2; member 1 -> bins 0,1.
  // rhobar = [1, .5, .5, 0]; Omega_k = sum_j (c_jk - rhobar_k)^2 / (M N) with M = N = 2.
  const members = [Float64Array.from([-3, 0.5]), Float64Array.from([-3, -1])];
  const om = thirumalaiMountain(members, { kind: 'angle', delta: Math.PI / 2 });
  assert.deepEqual(Array.from(om), [0, 0.125, 0.125, 0]);
  // the flat layout (member j = entries j*N .. j*N+N-1) gives the same
  const flat = Float64Array.from([-3, 0.5, -3, -1]);
  assert.deepEqual(Array.from(thirumalaiMountain(flat, { kind: 'angle', delta: Math.PI / 2 }, 2, 2)), [0, 0.125, 0.125, 0]);
});

test('Omega by hand for real values: definition shares the ensemble range with every member', () => {
  // members [0,1] and [2,3], shared range [0,3], 3 bins [0,1) [1,2) [2,3]:
  // counts [1,1,0] and [0,0,2], rhobar [.5,.5,1] -> Omega = [0.5, 0.5, 2] / 4.
  const om = thirumalaiMountain([Float64Array.from([0, 1]), Float64Array.from([2, 3])], { kind: 'real', bins: 3 });
  assert.deepEqual(Array.from(om), [0.125, 0.125, 0.5]);
  // bristol gives each member its own 10 bins: both members then have counts [1,0,...,0,1];
  // the ensemble {0,1,2,3} over [0,3] (edges 0, 0.3, ..., 3) has counts 1 in bins 0, 3, 6, 9,
  // rhobar = 0.5 there; Omega_k = 2 (1 - 0.5)^2 / 4 (k = 0, 9) or 2 (0 - 0.5)^2 / 4 (k = 3, 6).
  const b = thirumalaiMountain([Float64Array.from([0, 1]), Float64Array.from([2, 3])], { kind: 'real', semantics: 'bristol' });
  assert.deepEqual(Array.from(b), [0.125, 0, 0, 0.125, 0, 0, 0.125, 0, 0, 0.125]);
});

test('Omega of identical members is exactly 0 (angles and real)', () => {
  const s = createStream('omega-identical');
  const one = Float64Array.from({ length: 64 }, () => (2 * s.uniform() - 1) * Math.PI);
  const members = Array.from({ length: 7 }, () => one);
  assert.ok(thirumalaiMountain(members, { kind: 'angle' }).every((x) => x === 0));
  const r = Float64Array.from({ length: 50 }, () => s.normal());
  assert.ok(thirumalaiMountain(Array.from({ length: 5 }, () => r), { kind: 'real', bins: 13 }).every((x) => x === 0));
});

test('Omega equals a brute-force evaluation of the formula on random ensembles', () => {
  const s = createStream('omega-brute');
  for (const [M, N, delta] of [[3, 17, 0.2], [10, 40, 0.35], [1, 5, 0.2], [6, 8, 1.3]] as const) {
    const flat = Float64Array.from({ length: M * N }, () => (2 * s.uniform() - 1) * Math.PI);
    const om = thirumalaiMountain(flat, { kind: 'angle', delta }, M, N);
    const e = angleEdges({ delta });
    const K = e.length - 1;
    const inBin = (x: number, k: number) => x >= e[k]! && (k === K - 1 ? x <= e[k + 1]! : x < e[k + 1]!);
    for (let k = 0; k < K; k++) {
      let total = 0;
      const c: number[] = [];
      for (let j = 0; j < M; j++) {
        let cj = 0;
        for (let i = 0; i < N; i++) if (inBin(flat[j * N + i]!, k)) cj++;
        c.push(cj); total += cj;
      }
      const mean = total / M;
      const expect = c.reduce((a, cj) => a + (cj - mean) ** 2, 0) / (M * N);
      assert.ok(Math.abs(om[k]! - expect) <= 1e-14 * Math.max(1, expect), `M=${M} N=${N} bin ${k}: ${om[k]} vs ${expect}`);
    }
  }
});

test('Omega input checks: flat length, unequal members, empty ensemble', () => {
  assert.throws(() => thirumalaiMountain(new Float64Array(5), { kind: 'angle' }, 2, 3), /needs 6 values/);
  assert.throws(() => thirumalaiMountain([new Float64Array(2), new Float64Array(3)], { kind: 'angle' }), /unequal sizes/);
  assert.throws(() => thirumalaiMountain([], { kind: 'angle' }), /empty ensemble/);
  assert.throws(() => splitMembers(new Float64Array(4), 0, 4), /ensemble size/);
});

test('KL: D(a, a) = 0, symmetric, by-hand values, length mismatch refused', () => {
  const s = createStream('kl');
  const a = Float64Array.from({ length: 31 }, () => s.uniform());
  const b = Float64Array.from({ length: 31 }, () => s.uniform());
  assert.equal(klSymmetric(a, a), 0);
  assert.equal(klSymmetric(a, b), klSymmetric(b, a));
  // [1,0] vs [0,1]: 1*log2((1+s)/s) twice, s = 1e-9
  assert.ok(Math.abs(klSymmetric([1, 0], [0, 1]) - 2 * Math.log2((1 + 1e-9) / 1e-9)) < 1e-12);
  // [.5,.5] vs [.25,.75]: sum (a-b) log2(a/b) up to the 1e-9 shift
  const exact = 0.25 * Math.log2(2) + -0.25 * Math.log2(0.5 / 0.75);
  assert.ok(Math.abs(klSymmetric([0.5, 0.5], [0.25, 0.75]) - exact) < 1e-8);
  assert.throws(() => klSymmetric([1, 2], [1]), /lengths differ/);
});

test('pairwise summation matches plain summation on exactly representable data', () => {
  // integers below 2^53 sum exactly in any order, so pairwise == sequential
  const v = Float64Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1013);
  assert.equal(pairwiseSum(v), v.reduce((x, y) => x + y, 0));
});

test('D_se: consecutive KL of Omegas, every value >= 0 ((a-b) log((a+s)/(b+s)) >= 0 termwise)', () => {
  const s = createStream('dse');
  const omegas = Array.from({ length: 6 }, () => Float64Array.from({ length: 32 }, () => s.uniform() * 0.05));
  const d = approachSE(omegas);
  assert.equal(d.length, 5);
  d.forEach((x, i) => { assert.ok(x >= 0); assert.equal(x, klSymmetric(omegas[i + 1]!, omegas[i]!)); });
  // from spectra: sizes with uniform random angles
  const sweep = [8, 16, 32].map((n) => ({ n, values: Float64Array.from({ length: 5 * n }, () => (2 * s.uniform() - 1) * Math.PI), ensembleSize: 5 }));
  const r = approachSEFromSpectra(sweep, { kind: 'angle' });
  assert.deepEqual(r.sizes, [8, 16, 32]);
  assert.equal(r.dse.length, 2);
  assert.ok(r.dse.every((x) => x >= 0));
});

test('D_se in definition semantics with real values uses one range for all sizes', () => {
  const a = { n: 2, values: [Float64Array.from([0, 1]), Float64Array.from([1, 2])] };
  const b = { n: 2, values: [Float64Array.from([0, 5]), Float64Array.from([3, 10])] };
  const r = approachSEFromSpectra([a, b], { kind: 'real', bins: 5 });
  // shared range [0, 10], 5 bins of width 2: a's members -> counts [2,0,..] and [1,1,0,..]
  assert.deepEqual(Array.from(r.omegas[0]!), [0.125, 0.125, 0, 0, 0]);
  // b: members [0,5] -> bins 0,2 and [3,10] -> bins 1,4; rhobar = .5 on bins 0,1,2,4
  assert.deepEqual(Array.from(r.omegas[1]!), [0.125, 0.125, 0.125, 0, 0.125]);
  assert.equal(r.dse[0], klSymmetric(r.omegas[1]!, r.omegas[0]!));
});

test('Omega for M = 40, N = 1024 is fast (linear in the number of eigenvalues)', () => {
  const s = createStream('omega-speed');
  const flat = Float64Array.from({ length: 40 * 1024 }, () => (2 * s.uniform() - 1) * Math.PI);
  thirumalaiMountain(flat, { kind: 'angle' }, 40, 1024); // warm-up
  const t0 = performance.now();
  const reps = 20;
  for (let r = 0; r < reps; r++) thirumalaiMountain(flat, { kind: 'angle' }, 40, 1024);
  const ms = (performance.now() - t0) / reps;
  console.log(`# Omega M=40 N=1024: ${ms.toFixed(2)} ms per call (noisy shared machine)`);
  assert.ok(ms < 200, `took ${ms} ms`); // generous: a linear pass over 40960 values takes about 1 ms
});

test('Omega normalisation: i.i.d. uniform angles give E[Omega_k] = (M-1)/M p(1-p), within 5 standard errors', () => {
  // Member counts in bin k are Binomial(N, p), p = delta/(2pi). Omega_k = (M-1) S^2 / (M N) with S^2
  // the sample variance of the M counts, E[S^2] = N p (1-p), and
  // Var(S^2) = (mu4 - (M-3)/(M-1) sigma^4) / M with sigma^2 = N p q, mu4 = N p q (1 + 3 (N-2) p q).
  const M = 10, N = 50, delta = 0.2, R = 400;
  const p = delta / (2 * Math.PI), q = 1 - p;
  const s2 = N * p * q, mu4 = N * p * q * (1 + 3 * (N - 2) * p * q);
  const varS2 = (mu4 - ((M - 3) / (M - 1)) * s2 * s2) / M;
  const scale = (M - 1) / (M * N);
  const mean = scale * s2, se = (scale * Math.sqrt(varS2)) / Math.sqrt(R);
  const s = createStream('omega-normalisation');
  let acc = 0;
  for (let r = 0; r < R; r++) {
    const flat = Float64Array.from({ length: M * N }, () => (2 * s.uniform() - 1) * Math.PI);
    acc += thirumalaiMountain(flat, { kind: 'angle', delta }, M, N)[0]!;
  }
  const got = acc / R;
  assert.ok(Math.abs(got - mean) < 5 * se, `mean Omega_0 ${got}, expected ${mean} +- ${se}`);
});
