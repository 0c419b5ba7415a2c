// ergo analyze on eigenvalues made elsewhere: the reference fixtures' own inputs, through the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bristolFixtures, ergo, tempDir, NO_FIGURES } from './helpers/cli.js';
import { encodeNpy } from '../src/pipeline/report/npy.js';

const fixture = (name: string) => JSON.parse(readFileSync(join(bristolFixtures, `${name}.json`), 'utf8'));
const close = (got: number, exp: number, tol: { rtol: number; atol: number }) => Math.abs(got - exp) <= tol.atol + tol.rtol * Math.abs(exp);

test('analyze --semantics bristol reproduces the reference D_se from its .npy inputs (flat arrays, --ensemble-size)', async () => {
  const c = fixture('e_approach_se_N16-32-64_M8_d0.2');
  const files = ['N16', 'N32', 'N64'].map((k) => join(bristolFixtures, c.args.find((a: { name: string }) => a.name === 'eigen_data').value[k].c_eigen.file));
  // Give them out of order: analyze orders sizes by N.
  const r = await ergo(['analyze', files[2]!, files[0]!, files[1]!, '--ensemble-size', '8', '--semantics', 'bristol', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.experiment, 'analyze');
  assert.deepEqual(out.series[0].sizes.map((s: { n: number }) => s.n), [16, 32, 64]);
  const exp: number[] = c.expected.Dse;
  assert.equal(out.series[0].dse.length, exp.length);
  out.series[0].dse.forEach((d: { dse: number }, i: number) => assert.ok(close(d.dse, exp[i]!, c.tolerance), `D_se[${i}] ${d.dse} vs ${exp[i]}`));
});

test('analyze reproduces the reference Omega for one size (complex128 input)', async () => {
  const c = fixture('c_tm_complex_M10_N10_d0.2');
  const file = join(bristolFixtures, c.args[0].value.file);
  const r = await ergo(['analyze', file, '--ensemble-size', '10', '--semantics', 'bristol', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const omega: number[] = JSON.parse(r.stdout).series[0].sizes[0].omega;
  const exp: number[] = c.expected.omega.data;
  assert.equal(omega.length, exp.length);
  omega.forEach((w, k) => assert.ok(close(w, exp[k]!, c.tolerance), `omega[${k}] ${w} vs ${exp[k]}`));
});

test('analyze reads ergo Arrow chunk files and (M, N) arrays; definition semantics by default', async () => {
  const dir = tempDir();
  const cfg = join(dir, 'c.yaml');
  writeFileSync(cfg, 'name: a\nensembles: [CUE]\nmethod: spectral\nsizes: [8, 16]\nmatrices: 6\nchunk: 3\nseed: 5\n');
  assert.equal((await ergo(['run', cfg, '--out', join(dir, 'run'), ...NO_FIGURES, '--workers', '0'], { cwd: dir })).status, 0);
  const chunks = readdirSync(join(dir, 'run', 'chunks')).map((f) => join(dir, 'run', 'chunks', f));
  // the run's bootstrap seed is its seed (5): the same resampling gives the same intervals
  const r = await ergo(['analyze', ...chunks, '--json', '--resample-seed', '5']);
  assert.equal(r.status, 0, r.stderr);
  const fromArrow = JSON.parse(r.stdout);
  const fromRun = JSON.parse(readFileSync(join(dir, 'run', 'results', 'results.json'), 'utf8'));
  assert.equal(fromArrow.semantics, 'definition');
  assert.deepEqual(fromArrow.series[0].sizes.map((s: { omega: number[] }) => s.omega), fromRun.series[0].sizes.map((s: { omega: number[] }) => s.omega));
  assert.deepEqual(fromArrow.series[0].dse, fromRun.series[0].dse);
  // The same eigenphases exported as (M, N) complex128 .npy files give the same numbers.
  const r2 = await ergo(['export', join(dir, 'run'), '--format', 'npy', '--out', join(dir, 'npy')]);
  assert.equal(r2.status, 0, r2.stderr);
  const npys = readdirSync(join(dir, 'npy')).sort().map((f) => join(dir, 'npy', f));
  assert.equal(npys.length, 2);
  const r3 = await ergo(['analyze', ...npys, '--json']);
  assert.equal(r3.status, 0, r3.stderr);
  assert.deepEqual(JSON.parse(r3.stdout).series[0].dse.map((d: { dse: number }) => d.dse), fromRun.series[0].dse.map((d: { dse: number }) => d.dse));
});

test('analyze: clear one-line errors for flat arrays without --ensemble-size, bad splits and mixed kinds', async () => {
  const dir = tempDir();
  const flat = join(dir, 'flat.npy');
  writeFileSync(flat, encodeNpy({ dtype: '<c16', shape: [12], data: new Float64Array(12).fill(1), imag: new Float64Array(12) }));
  const real = join(dir, 'real.npy');
  writeFileSync(real, encodeNpy({ dtype: '<f8', shape: [2, 6], data: Float64Array.from({ length: 12 }, (_, i) => i) }));
  const a = await ergo(['analyze', flat]);
  assert.equal(a.status, 2);
  assert.match(a.stderr.trim(), /flat\.npy: a flat array of 12 eigenvalues needs --ensemble-size M/);
  const b = await ergo(['analyze', flat, '--ensemble-size', '5']);
  assert.equal(b.status, 2);
  assert.match(b.stderr.trim(), /12 eigenvalues do not split into --ensemble-size 5 matrices/);
  const c = await ergo(['analyze', flat, real, '--ensemble-size', '2']);
  assert.equal(c.status, 2);
  assert.match(c.stderr.trim(), /mix complex eigenvalues \(angles\) and real eigenvalues/);
  for (const r of [a, b, c]) assert.equal(r.stderr.trim().split('\n').length, 1);
});
