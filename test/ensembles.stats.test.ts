// Exact moment identities of the circular ensembles (SPEC section 3), for methods `qr`,
// `spectral` (CUE/COE/CSE) and `eigvec` (CUE). Every bound is 5 standard errors of the
// sample mean, the standard error estimated from the same sample (sample variance / M).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStream } from '../src/rng/index.js';
import { sampleEigenphases, BETA, type EnsembleName, type Method } from '../src/ensembles/index.js';

interface Moments {
  mean: number;
  se: number;
}

function moments(values: number[]): Moments {
  const M = values.length;
  let s = 0;
  for (const v of values) s += v;
  const mean = s / M;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  return { mean, se: Math.sqrt(ss / (M - 1) / M) };
}

/** Tr U^k = sum_j e^{i k theta_j} for each matrix, as [re, im]. */
function traces(phases: Float64Array[], k: number): [number[], number[]] {
  const re: number[] = [];
  const im: number[] = [];
  for (const ph of phases) {
    let a = 0;
    let b = 0;
    for (const t of ph) {
      a += Math.cos(k * t);
      b += Math.sin(k * t);
    }
    re.push(a);
    im.push(b);
  }
  return [re, im];
}

function absSq(re: number[], im: number[]): number[] {
  return re.map((x, i) => x * x + im[i]! ** 2);
}

function assertWithin5SE(m: Moments, expected: number, label: string): void {
  assert.ok(m.se > 0, `${label}: zero spread`);
  assert.ok(
    Math.abs(m.mean - expected) < 5 * m.se,
    `${label}: mean ${m.mean.toFixed(4)} vs ${expected.toFixed(4)} (5 SE = ${(5 * m.se).toFixed(4)})`,
  );
}

const N = 8;
// counts chosen so each (ensemble, method) run is well under a second at N = 8
const COUNT: Record<Method, number> = { qr: 1500, eigvec: 1500, spectral: 6000, bristol: 0 };
const cases: [EnsembleName, Method][] = [
  ['CUE', 'qr'],
  ['CUE', 'eigvec'],
  ['CUE', 'spectral'],
  ['COE', 'qr'],
  ['COE', 'spectral'],
  ['CSE', 'qr'],
  ['CSE', 'spectral'],
];
const samples = new Map<string, Float64Array[]>();
function get(ens: EnsembleName, method: Method): Float64Array[] {
  const key = `${ens}/${method}`;
  let s = samples.get(key);
  if (!s) {
    s = sampleEigenphases(ens, method, N, COUNT[method], createStream(`stats-${key}`));
    samples.set(key, s);
  }
  return s;
}

for (const [ens, method] of cases) {
  test(`${ens} ${method}: E|sum_j e^{i theta_j}|^2 = 2N/(beta(N-1)+2) and uniform phases`, () => {
    const ph = get(ens, method);
    for (const p of ph) assert.equal(p.length, N);
    const beta = BETA[ens];
    const [re, im] = traces(ph, 1);
    assertWithin5SE(moments(absSq(re, im)), (2 * N) / (beta * (N - 1) + 2), `${ens} ${method} |Tr U|^2`);
    // E[sum_j e^{i k theta_j}] = 0 for k >= 1 (rotation invariance)
    for (const k of [1, 2, 3, N + 1]) {
      const [a, b] = traces(ph, k);
      assertWithin5SE(moments(a), 0, `${ens} ${method} E Re Tr U^${k}`);
      assertWithin5SE(moments(b), 0, `${ens} ${method} E Im Tr U^${k}`);
    }
  });
}

for (const method of ['qr', 'eigvec', 'spectral'] as const) {
  test(`CUE ${method}: E|Tr U^k|^2 = min(k, N) for k = 1, 2, 3, N + 3`, () => {
    const ph = get('CUE', method);
    for (const k of [1, 2, 3, N + 3]) {
      const [re, im] = traces(ph, k);
      assertWithin5SE(moments(absSq(re, im)), Math.min(k, N), `CUE ${method} |Tr U^${k}|^2`);
    }
  });
}

test('COE and CSE: qr and spectral agree on E|Tr U^2|^2 and E|Tr U^3|^2 (two-sample, 5 SE)', () => {
  for (const ens of ['COE', 'CSE'] as const) {
    for (const k of [2, 3]) {
      const a = moments(absSq(...traces(get(ens, 'qr'), k)));
      const b = moments(absSq(...traces(get(ens, 'spectral'), k)));
      const se = Math.hypot(a.se, b.se);
      assert.ok(Math.abs(a.mean - b.mean) < 5 * se, `${ens} k=${k}: qr ${a.mean} vs spectral ${b.mean}`);
    }
  }
});

test('spectral at a larger N (N = 32): E|Tr U|^2 for beta = 1, 2, 4', () => {
  const n = 32;
  for (const ens of ['CUE', 'COE', 'CSE'] as const) {
    const ph = sampleEigenphases(ens, 'spectral', n, 3000, createStream(`stats32-${ens}`));
    const beta = BETA[ens];
    assertWithin5SE(moments(absSq(...traces(ph, 1))), (2 * n) / (beta * (n - 1) + 2), `${ens} N=32`);
  }
});
