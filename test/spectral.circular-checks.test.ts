// The checks of `ergo validate` on inputs with exact answers, and their tail probabilities
// against tabulated values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  erfc, twoSidedNormalP, twoSidedNormalQuantile, kolmogorovQ, ksDistance,
  traceMoment, meanGapRatio, cyclicGaps, expectedTraceSquare, wignerSurmise, wignerSurmiseCdf, unfoldedSpacings, moduliCheck, circularChecks,
} from '../src/spectral/index.js';
import { createStream } from '../src/rng/index.js';
import { sampleEigenphases } from '../src/ensembles/index.js';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('tail probabilities: erfc, the normal quantile and the Kolmogorov tail against tabulated values', () => {
  close(erfc(1), 0.157299207050285, 2e-7, 'erfc(1)'); // erfc(1) to 15 digits (Abramowitz & Stegun table 7.1)
  close(erfc(-0.5), 1.520499877813047, 2e-7, 'erfc(-0.5)');
  close(twoSidedNormalQuantile(0.05), 1.959963984540054, 1e-6, 'z at 5%');
  close(twoSidedNormalQuantile(0.01), 2.5758293035489, 1e-6, 'z at 1%');
  close(twoSidedNormalP(twoSidedNormalQuantile(0.003)), 0.003, 1e-9, 'round trip');
  // Kolmogorov critical values 1.358 (5%) and 1.628 (1%)
  close(kolmogorovQ(1.3581), 0.05, 2e-4, 'Q(1.358)');
  close(kolmogorovQ(1.6276), 0.01, 1e-4, 'Q(1.628)');
  // KS distance of {0.5} against uniform [0, 1]: max(1 - 0.5, 0.5 - 0) = 0.5
  assert.equal(ksDistance([0.5], (x) => x), 0.5);
});

test('picket fence (equally spaced phases): gaps 2pi/N, gap ratio 1, trace moments 0 or N^2', () => {
  const n = 12;
  const theta = Float64Array.from({ length: n }, (_, j) => -Math.PI + (2 * Math.PI * (j + 0.5)) / n);
  for (const g of cyclicGaps(theta)) close(g, (2 * Math.PI) / n, 1e-12, 'gap');
  close(meanGapRatio(theta), 1, 1e-9, 'gap ratio');
  // sum_j e^{i k theta_j} vanishes unless N divides k, where it has modulus N
  close(traceMoment(theta, 1), 0, 1e-20, 'k = 1');
  close(traceMoment(theta, 5), 0, 1e-20, 'k = 5');
  close(traceMoment(theta, n), n * n, 1e-9, 'k = N');
  for (const s of unfoldedSpacings([theta])) close(s, 1, 1e-12, 'unfolded spacing');
});

test('expected values: E|Tr U|^2 = 1 (CUE), 2N/(N+1) (COE); the surmise integrates to 1 with mean 1', () => {
  assert.equal(expectedTraceSquare(32, 2), 1);
  assert.equal(expectedTraceSquare(32, 1), 64 / 33);
  for (const beta of [1, 2, 4] as const) {
    close(wignerSurmiseCdf(8, beta), 1, 1e-9, `CDF(8), beta ${beta}`);
    let mean = 0;
    for (let s = 0.0005; s < 8; s += 0.001) mean += s * wignerSurmise(s, beta) * 0.001;
    close(mean, 1, 1e-6, `mean, beta ${beta}`);
  }
  // beta = 1 has the closed form 1 - exp(-pi s^2 / 4)
  for (const s of [0.3, 1, 2.2]) close(wignerSurmiseCdf(s, 1), 1 - Math.exp((-Math.PI * s * s) / 4), 1e-9, `CDF(${s})`);
});

test('moduli: exact to 1e-8 passes, 1e-6 off fails; checks refuse too few matrices', () => {
  assert.equal(moduliCheck([[1, 1 - 1e-12]]).p, 1);
  assert.equal(moduliCheck([[1, 1 + 1e-6]]).p, 0);
  assert.throws(() => circularChecks({ ensemble: 'CUE', members: [Float64Array.from([0, 1, 2])] }), /at least 2 matrices/);
});

test('Poisson phases (independent uniforms) fail the CUE gap ratio and spacing checks', () => {
  // Independent uniform phases have gap ratio 2 ln 2 - 1 = 0.386 (Atas et al. 2013) and
  // exponential spacings: with 40 x 32 values both are dozens of standard errors away.
  const s = createStream('poisson');
  const members = Array.from({ length: 40 }, () => Float64Array.from({ length: 32 }, () => (2 * s.uniform() - 1) * Math.PI));
  const rows = circularChecks({ ensemble: 'CUE', members });
  const gap = rows.find((r) => r.check === 'mean gap ratio')!;
  close(gap.statistic, 2 * Math.LN2 - 1, 0.03, 'Poisson gap ratio');
  assert.ok(gap.z < -10, `z ${gap.z}`);
  assert.ok(rows.find((r) => r.check.startsWith('spacing'))!.p < 1e-6);
  // while a CUE sample of the same size is within 3 standard errors on every z-check
  const cue = circularChecks({ ensemble: 'CUE', members: sampleEigenphases('CUE', 'spectral', 32, 40, createStream('cue-ok')) });
  for (const r of cue) assert.ok(Math.abs(r.z) < 4, `${r.check}: z ${r.z}`);
});
