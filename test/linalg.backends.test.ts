// The linalg backends (src/linalg/backend.ts): every backend that loads here (native
// OpenBLAS/LAPACK, WebAssembly, TypeScript) computes the Gram matrix and the symmetric
// eigenvalues of the same matrices to 1e-12 relative, on random, rank-deficient, tiny- and
// huge-scale inputs; the choice and its errors; the record in `ergo --version`, in cpse
// results and in the layer cache.
//
// References: gramSimple (plain triple loop) for Gram; for eigenvalues, exact values by
// construction where there are some (rank-deficient: n - r zeros; power-of-two scaling
// multiplies eigenvalues exactly by the square of the scale) and ml-matrix otherwise.
//
// ERGO_REQUIRE_NATIVE=1 (CI, where the addon is built) turns a missing native backend into a
// failure instead of a skipped case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from './helpers/arrow.js';
import {
  activeBackend, availableBackends, backendUnavailableReason, withBackend, BackendError, BACKENDS, gram, symmetricEigenvalues, type Backend,
} from '../src/linalg/index.js';
import { gramSimple } from '../src/linalg/gram.js';
import { blasThreadsFor } from '../src/linalg/native.js';
import { randomReal, refSymmetricEigenvalues, rng } from './linalg.helpers.js';
import { ergo, runCli, tempDir } from './helpers/cli.js';
import { npyBytes } from './helpers/weightfiles.js';

const REL = 1e-12;
const available = availableBackends();

test('backend availability: TypeScript always; native required when ERGO_REQUIRE_NATIVE=1', () => {
  assert.ok(available.includes('ts'));
  if (process.env['ERGO_REQUIRE_NATIVE'] === '1') {
    assert.ok(available.includes('native'), `native backend required but unavailable: ${backendUnavailableReason('native')}`);
  }
  for (const b of BACKENDS) {
    if (!available.includes(b)) assert.throws(() => withBackend(b, () => 0), BackendError, `${b} unavailable must throw`);
  }
  assert.ok(BACKENDS.includes(activeBackend()));
});

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  return m;
}

function assertClose(got: Float64Array, want: Float64Array, scale: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let err = 0;
  for (let i = 0; i < got.length; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!));
  assert.ok(err <= REL * scale, `${what}: max |error| ${err} > ${REL} x ${scale}`);
}

interface Case { name: string; n: number; m: number; a: Float64Array; scaleOf?: { base: Float64Array; factor: number } }

function cases(): Case[] {
  const s = rng('backends-1');
  const out: Case[] = [];
  for (const [n, m] of [[1, 1], [1, 5], [2, 3], [7, 4], [33, 50], [130, 97], [260, 300]] as const) {
    out.push({ name: `random ${n} x ${m}`, n, m, a: randomReal(n, m, s) });
  }
  // Rank r < n: A = B C, so X = A A^T has n - r exact zero eigenvalues.
  {
    const n = 150, m = 170, r = 40;
    const b = randomReal(n, r, s), c = randomReal(r, m, s);
    const a = new Float64Array(n * m);
    for (let i = 0; i < n; i++) for (let k = 0; k < r; k++) for (let j = 0; j < m; j++) a[i * m + j] += b[i * r + k]! * c[k * m + j]!;
    out.push({ name: `rank ${r} of ${n} x ${m}`, n, m, a });
  }
  // Tiny and huge scale: powers of two, so the exact eigenvalues are the unscaled ones times 2^(2p).
  const base = randomReal(90, 120, s);
  for (const p of [-460, 460]) {
    const f = 2 ** p;
    out.push({ name: `scale 2^${p}`, n: 90, m: 120, a: base.map((v) => v * f), scaleOf: { base, factor: 2 ** (2 * p) } });
  }
  return out;
}

const CASES = cases();
const reference = new Map<string, { x: Float64Array; ev: Float64Array }>();
for (const c of CASES) {
  const x = gramSimple(c.a, c.n, c.m);
  if (c.scaleOf) {
    // exact: the unscaled matrix's eigenvalues times 2^(2p) (ml-matrix underflows at 2^-920)
    reference.set(c.name, { x, ev: refSymmetricEigenvalues(gramSimple(c.scaleOf.base, c.n, c.m), c.n).map((v) => v * c.scaleOf!.factor) });
    continue;
  }
  reference.set(c.name, { x, ev: c.n === 1 ? x.slice() : refSymmetricEigenvalues(x, c.n) }); // (ml-matrix needs n >= 2)
}

for (const b of BACKENDS) {
  test(`backend ${b}: Gram and symmetric eigenvalues agree with the references to 1e-12 relative`, { skip: available.includes(b) ? false : `${b} unavailable: ${backendUnavailableReason(b)}` }, () => {
    withBackend(b, () => {
      assert.equal(activeBackend(), b);
      for (const c of CASES) {
        const ref = reference.get(c.name)!;
        const x = gram(c.a, c.n, c.m);
        const scale = maxAbs(ref.x);
        assertClose(x, ref.x, scale, `${b} gram, ${c.name}`);
        // both triangles, exactly symmetric
        for (let i = 0; i < c.n; i++) for (let j = 0; j < i; j++) assert.equal(x[i * c.n + j], x[j * c.n + i], `${b} ${c.name}: X symmetric`);
        const ev = symmetricEigenvalues(x, c.n);
        for (let i = 1; i < ev.length; i++) assert.ok(ev[i]! >= ev[i - 1]!, `${b} ${c.name}: ascending`);
        assertClose(ev, ref.ev, maxAbs(ref.ev), `${b} eigenvalues, ${c.name}`);
      }
      // rank-deficient: the n - r smallest are zeros (relative to the largest)
      const rd = CASES.find((c) => c.name.startsWith('rank'))!;
      const ev = symmetricEigenvalues(gram(rd.a, rd.n, rd.m), rd.n);
      const top = maxAbs(ev);
      for (let i = 0; i < rd.n - 40; i++) assert.ok(Math.abs(ev[i]!) <= REL * top, `${b}: zero eigenvalue ${i} is ${ev[i]}`);
      // scaled copies: eigenvalues scale by exactly 2^(2p) in exact arithmetic
      const [lo, hi] = CASES.filter((c) => c.name.startsWith('scale'));
      const eLo = symmetricEigenvalues(gram(lo!.a, 90, 120), 90).map((v) => v * 2 ** 920);
      const eHi = symmetricEigenvalues(gram(hi!.a, 90, 120), 90).map((v) => v * 2 ** -920);
      assertClose(eLo, eHi, maxAbs(eHi), `${b}: tiny vs huge scale`);
      // input not modified, non-finite input refused
      const a = CASES[4]!.a.slice();
      gram(a, CASES[4]!.n, CASES[4]!.m);
      assert.deepEqual(a, CASES[4]!.a);
      const bad = a.slice();
      bad[3] = NaN;
      assert.throws(() => gram(bad, CASES[4]!.n, CASES[4]!.m), /non-finite/);
      assert.throws(() => gram(a, CASES[4]!.n + 1, CASES[4]!.m), RangeError);
    });
  });
}

test('every pair of available backends agrees to 1e-12 relative on the same matrices', () => {
  const results = new Map<Backend, Float64Array[]>();
  for (const b of available) results.set(b, withBackend(b, () => CASES.map((c) => symmetricEigenvalues(gram(c.a, c.n, c.m), c.n))));
  for (const [b1, r1] of results) {
    for (const [b2, r2] of results) {
      if (b1 >= b2) continue;
      CASES.forEach((c, i) => assertClose(r1[i]!, r2[i]!, maxAbs(r1[i]!), `${b1} vs ${b2}, ${c.name}`));
    }
  }
});

test('BLAS threads: all cores for one call in flight, shared when several run, never below 1', () => {
  const saved = process.env['ERGO_BLAS_THREADS'];
  delete process.env['ERGO_BLAS_THREADS'];
  try {
    assert.equal(blasThreadsFor(1, 2), 2);
    assert.equal(blasThreadsFor(2, 2), 1);
    assert.equal(blasThreadsFor(3, 2), 1);
    assert.equal(blasThreadsFor(2, 8), 4);
    process.env['ERGO_BLAS_THREADS'] = '3';
    assert.equal(blasThreadsFor(2, 2), 3);
  } finally {
    if (saved === undefined) delete process.env['ERGO_BLAS_THREADS'];
    else process.env['ERGO_BLAS_THREADS'] = saved;
  }
});

test('ergo --version names the backend; a forced backend that cannot load is one line, exit 2', async () => {
  const v = await ergo(['--version']); // this process's backend: in-process (the forced ones below need a process each)
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /^\d+\.\d+\.\d+ \(backend: (native|wasm|ts)\)\n$/);
  const ts = runCli(['--version'], { env: { ...process.env, ERGO_BACKEND: 'ts' } });
  assert.match(ts.stdout, /\(backend: ts\)/);
  const off = runCli(['--version'], { env: { ...process.env, ERGO_BACKEND: 'native', ERGO_NO_NATIVE: '1' } });
  assert.equal(off.status, 2);
  assert.match(off.stderr, /^ergo: ERGO_BACKEND=native: the native backend is unavailable \(disabled by ERGO_NO_NATIVE=1\)/);
  assert.equal(off.stderr.trim().split('\n').length, 1, off.stderr);
  const bogus = runCli(['--version'], { env: { ...process.env, ERGO_BACKEND: 'gpu' } });
  assert.equal(bogus.status, 2);
  assert.match(bogus.stderr, /ERGO_BACKEND=gpu: expected one of native, wasm, ts/);
  // no addon where it is looked for (a machine without a compiler or OpenBLAS): WebAssembly,
  // silently; asked for by name, one line naming the file that was tried
  const unforced: NodeJS.ProcessEnv = { ERGO_NATIVE_PATH: join(tempDir('ergo-no-addon-'), 'ergo_native.node'), ERGO_BACKEND: '' }; // '' = not forced
  const none = runCli(['--version'], { env: unforced });
  assert.equal(none.status, 0, none.stderr);
  assert.match(none.stdout, /\(backend: wasm\)\n$/);
  assert.equal(none.stderr, '');
  const asked = runCli(['--version'], { env: { ...unforced, ERGO_BACKEND: 'native' } });
  assert.equal(asked.status, 2);
  assert.match(asked.stderr, /^ergo: ERGO_BACKEND=native: the native backend is unavailable \(ergo-native addon not built or not loadable \(.*ergo_native\.node/);
});

// `ergo cpse` on one backend: in-process when it is this process's own (ERGO_BACKEND is read once
// per process), else a child process with ERGO_BACKEND set.
async function cpseOn(backend: Backend, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  if (process.env['ERGO_BACKEND'] === backend) return ergo(['cpse', ...args]);
  return runCli(['cpse', ...args], { env: { ...process.env, ERGO_BACKEND: backend } });
}

test('ergo cpse records the backend in its results and in the layer cache', async () => {
  const dir = tempDir('ergo-backend-');
  const s = rng('backends-cpse');
  for (const [i, [n, m]] of ([[12, 20], [16, 24], [10, 30]] as const).entries()) {
    writeFileSync(join(dir, `l${i}.npy`), npyBytes(randomReal(n, m, s), [n, m], '<f8'));
  }
  const files = [dir]; // a folder of .npy files is one network
  const caches = new Map<Backend, string>();
  for (const backend of ['ts', available.includes('native') ? 'native' : 'wasm'] as const) {
    if (!available.includes(backend)) continue;
    const c = tempDir('ergo-backend-c-');
    caches.set(backend, c);
    const r = await cpseOn(backend, [...files, '--json', '--cache', c, '--workers', '1']); // --json alone: no run directory, no plots
    assert.equal(r.status, 0, r.stderr);
    const layers = JSON.parse(r.stdout).networks.flatMap((net: { layers: { backend: string }[] }) => net.layers);
    assert.ok(layers.length >= 3);
    for (const l of layers) assert.equal(l.backend, backend);
    const cached = readdirSync(join(c, 'layers')).map((f) => tableFromIPC(readFileSync(join(c, 'layers', f))).schema.metadata.get('ergo.backend'));
    assert.deepEqual(cached, cached.map(() => backend));
  }
  // a cache entry written by one backend is reused by another, which reports the recorded one:
  // the cache the ts run above wrote (its entries checked to say ts) read on another backend
  const cache = caches.get('ts')!;
  const other = available.find((b) => b !== 'ts');
  if (other) {
    const r = await cpseOn(other, [...files, '--json', '--cache', cache, '--workers', '0']);
    assert.equal(r.status, 0, r.stderr);
    const layers = JSON.parse(r.stdout).networks.flatMap((net: { layers: { backend: string; cached: boolean }[] }) => net.layers);
    assert.ok(layers.length >= 3);
    for (const l of layers) {
      assert.equal(l.cached, true);
      assert.equal(l.backend, 'ts');
    }
  }
});

test('two-thread Gram (no native backend): the helper thread gives bit-identical results to both halves on one thread', async () => {
  const { gramSplit, gramColumns, splitColumn, shouldSplit, gramSplitHelperJobs } = await import('../src/linalg/gramsplit.js');
  const s = rng('gram-split');
  const cases: [number, number][] = [[100, 700], [67, 1100]];
  for (const kernel of ['wasm', 'ts'] as const) {
    if (!available.includes(kernel)) continue;
    for (const [n, m] of cases) {
      const a = randomReal(n, m, s);
      const before = gramSplitHelperJobs();
      const x = gramSplit(a, n, m, kernel);
      if (import.meta.url.endsWith('.js')) assert.equal(gramSplitHelperJobs(), before + 1, 'the helper thread computed the second half');
      const h = splitColumn(m);
      const seq = gramColumns(a, n, m, 0, h, kernel);
      const y = gramColumns(a, n, m, h, m, kernel);
      for (let i = 0; i < seq.length; i++) seq[i] = seq[i]! + y[i]!;
      assert.deepEqual(x, seq, `${kernel} ${n} x ${m}: helper = one thread, bit for bit`);
      const ref = gramSimple(a, n, m);
      assertClose(x, ref, maxAbs(ref), `${kernel} ${n} x ${m}: split Gram vs triple loop`);
    }
  }
  // the dispatcher splits by shape only; a split-sized product through gram() equals gramSplit
  assert.equal(shouldSplit(1024, 2048), true);
  assert.equal(shouldSplit(512, 4096), false);
  if (available.includes('wasm')) {
    const n = 1024, m = 2048;
    const a = randomReal(n, m, s);
    const x = withBackend('wasm', () => gram(a, n, m));
    assert.deepEqual(x, gramSplit(a, n, m, 'wasm'));
  }
});
