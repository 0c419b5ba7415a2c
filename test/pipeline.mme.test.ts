// Mixed matrix ensembles (src/pipeline/mme.ts) and `ergo mme` (registered on a private
// commander program, since wiring into main.ts is the lead's). Bounds are about 5
// standard errors from the theory stated next to each check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStream, deriveSeed } from '../src/rng/index.js';
import { mixedOrders } from '../src/ensembles/index.js';
import { mmeReport } from '../src/pipeline/experiments/mme.js';
import { mmeTable } from '../src/pipeline/report/mme.js';
import { mmeMember } from '../src/ensembles/index.js';
import { runCli } from '../src/cli/main.js';
import { cpseFromEigenvalues, layerEigenvalues } from '../src/spectral/pse.js';

test('orders ~ Binomial(N, p): mean and variance within 5 standard errors', () => {
  const N = 64, p = 0.5, M = 400;
  const o = mixedOrders(N, p, M, createStream('orders-1'));
  assert.equal(o.length, M);
  assert.ok(o.every((k) => Number.isInteger(k) && k >= 2 && k <= N));
  const mean = o.reduce((a, b) => a + b, 0) / M;
  const varb = N * p * (1 - p); // 16
  assert.ok(Math.abs(mean - N * p) <= 5 * Math.sqrt(varb / M), `mean ${mean}`);
  const s2 = o.reduce((a, b) => a + (b - mean) ** 2, 0) / (M - 1);
  // Var(s^2) ~ 2 sigma^4 / M for a near-normal variable (binomial kurtosis excess 1/(Npq) is tiny)
  assert.ok(Math.abs(s2 - varb) <= 5 * Math.sqrt((2 * varb * varb) / M), `variance ${s2}`);
});

test('orders below 2 are redrawn, not clamped: conditional law of Binomial(4, 0.3) given k >= 2', () => {
  const M = 2000;
  const o = mixedOrders(4, 0.3, M, createStream('orders-2'));
  // P(k=2 | k>=2) = 6(.3^2)(.7^2) / (1 - .7^4 - 4(.3)(.7^3)) = 0.2646 / 0.3483
  const q = 0.2646 / 0.3483;
  const frac = o.filter((k) => k === 2).length / M;
  assert.ok(o.every((k) => k >= 2));
  assert.ok(Math.abs(frac - q) <= 5 * Math.sqrt((q * (1 - q)) / M), `P(2) = ${frac}, expected ${q}`);
});

test('members |U|: non-negative, unit-norm rows (U unitary), trace X = rows, largest eigenvalue ~ pi N / 4', () => {
  for (const [ens, n, rows] of [['CUE', 128, 128], ['COE', 32, 32], ['CSE', 16, 32]] as const) {
    const a = mmeMember(ens, 'qr', n, createStream(`member-${ens}`));
    assert.equal(a.rows, rows, `${ens}: rows`);
    assert.equal(a.data.length, rows * rows);
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < rows; j++) {
        const v = a.data[i * rows + j]!;
        assert.ok(v >= 0);
        s += v * v;
      }
      assert.ok(Math.abs(s - 1) <= 1e-12, `${ens} row ${i}: |row|^2 = ${s}`);
    }
    const ev = layerEigenvalues({ rows, cols: rows, data: a.data });
    assert.ok(Math.abs(ev.reduce((x, y) => x + y, 0) - rows) <= 1e-10 * rows, `${ens}: trace`);
  }
  // CUE entries are nearly complex Gaussian with variance 1/N: E|u| = sqrt(pi/(4N)), so
  // A = mean * ones + fluctuation and lambda_max ~ N pi/4 + (1 - pi/4). A construction that
  // averaged to zero (e.g. Re U) would give lambda_max of order 4, not ~100.
  const N = 128;
  const a = mmeMember('CUE', 'qr', N, createStream('member-top'));
  const ev = layerEigenvalues({ rows: N, cols: N, data: a.data });
  const top = ev[N - 1]! / N;
  // the Rayleigh quotient of the mean part fluctuates by O(1/N) relative: bound 2/N
  assert.ok(Math.abs(top - (Math.PI / 4 + (1 - Math.PI / 4) / N)) <= 2 / N, `lambda_max / N = ${top}`);
});

test('mmeReport: deterministic per seed, cPSE from the members\' spectra, depth labels', () => {
  const opts = { ensemble: 'CUE' as const, order: 24, p: 0.5, count: 6, seed: 7 };
  const r = mmeReport(opts);
  assert.deepEqual(mmeReport(opts), r);
  assert.notDeepEqual(mmeReport({ ...opts, seed: 8 }).orders, r.orders);
  assert.equal(r.orders.length, 6);
  assert.deepEqual(r.rows, r.orders);
  assert.equal(r.nMax, Math.max(...r.orders));
  assert.equal(r.dLayers.length, 4);
  assert.deepEqual(r.dLayers.map((d) => [d.depth, d.n]), r.orders.slice(1, 5).map((n, i) => [i + 2, n]));
  assert.ok(Math.abs(r.cpse - r.dLayers.reduce((s, d) => s + Math.log10(d.d), 0) / 4) <= 1e-12 * Math.abs(r.cpse));
  // the numbers are cPSE of the members' spectra in draw order
  const spectra = r.orders.map((n, i) => layerEigenvalues({ rows: n, cols: n, data: mmeMember('CUE', 'qr', n, createStream(deriveMemberSeed(7, 'CUE', 'qr', n, i))).data }));
  assert.deepEqual(cpseFromEigenvalues(spectra).dLayers, r.dLayers.map((d) => d.d));
  // p = 1: every order is N (a pure ensemble)
  const pure = mmeReport({ ...opts, p: 1, count: 3 });
  assert.deepEqual(pure.orders, [24, 24, 24]);
  // fewer than 3 matrices: no d_layers, NaN
  const two = mmeReport({ ...opts, count: 2 });
  assert.deepEqual(two.dLayers, []);
  assert.ok(Number.isNaN(two.cpse));
  assert.match(mmeTable(two), /cPSE = NaN/);
  assert.throws(() => mmeReport({ ...opts, p: 0 }), /p: expected/);
  assert.throws(() => mmeReport({ ...opts, order: 1 }), /order: expected/);
  assert.throws(() => mmeReport({ ...opts, method: 'spectral' as never }), /method: expected qr or eigvec/);
});

function deriveMemberSeed(seed: number, ens: string, method: string, n: number, i: number): string {
  return deriveSeed(seed, 'mme', ens, method, n, i);
}

/** `ergo mme ...` in-process through runCli, with its output captured. */
async function runMme(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await runCli(['mme', ...args], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

test('ergo mme: JSON, table, files, and one-line usage errors', async () => {
  const j = await runMme(['--ensemble', 'cue', '--order', '32', '--p', '0.5', '--count', '5', '--seed', '3', '--json']);
  assert.equal(j.code, 0, j.err);
  const r = JSON.parse(j.out);
  assert.equal(r.experiment, 'mme');
  assert.equal(r.ensemble, 'CUE');
  assert.deepEqual(r.orders, mmeReport({ ensemble: 'CUE', order: 32, p: 0.5, count: 5, seed: 3 }).orders);
  const out = mkdtempSync(join(tmpdir(), 'ergo-mme-'));
  const t = await runMme(['--ensemble', 'COE', '--order', '40', '--p', '0.7', '--count', '5', '--semantics', 'bristol', '--out', out]);
  assert.equal(t.code, 0, t.err);
  assert.match(t.out, /MME of 5 matrices \|U\|, U from COE \(qr\), orders ~ Binomial\(40, 0\.7\)/);
  // the number printed is the cPSE of the same draw computed here (default seed 0)
  const want = mmeReport({ ensemble: 'COE', order: 40, p: 0.7, count: 5, seed: 0, semantics: 'bristol' }).cpse;
  assert.ok(Number.isFinite(want), `cPSE ${want}`);
  assert.ok(t.out.includes(`cPSE = ${want.toFixed(6)}`), t.out);
  const saved = JSON.parse(readFileSync(join(out, 'results', 'mme.json'), 'utf8'));
  assert.equal(saved.semantics, 'bristol');
  assert.equal(saved.cpse, want);
  assert.ok(existsSync(join(out, 'plots', 'mme-depth.svg')));
  for (const [args, re] of [
    [['--ensemble', 'GUE', '--order', '8', '--p', '0.5', '--count', '3'], /--ensemble: expected one of CUE, COE, CSE/],
    [['--ensemble', 'CUE', '--order', '8', '--p', '1.5', '--count', '3'], /--p: expected a number in \(0, 1\]/],
    [['--ensemble', 'CUE', '--order', 'x', '--p', '0.5', '--count', '3'], /--order: expected a whole number/],
    [['--ensemble', 'CUE', '--order', '8', '--p', '0.5', '--count', '3', '--method', 'spectral'], /--method/],
  ] as const) {
    const e = await runMme([...args]);
    assert.equal(e.code, 2);
    assert.equal(e.err.trim().split('\n').length, 1, e.err);
    assert.match(e.err, re);
    assert.equal(e.out, '');
  }
});
