#!/usr/bin/env node
// Small standalone timing of the WebAssembly Gram and symmetric
// tridiagonalisation kernels against numpy (single-threaded), run in the same
// invocation. Not part of `npm test` or `npm run bench`; for kernel tuning.
//
//   node scripts/bench-kernels.mjs [--wasm file.wasm] [--only gram|sym] [--sizes quick|full] [--reps 3] [--no-numpy]
//
// The wasm module is instantiated directly (no loader) and its raw exports are
// called with a layout like the loader's: A, then outputs, then work.
// The symmetric rows time tridiagonalisation + the TypeScript QL
// (tridiagonalEigenvalues from dist/, if built), like numpy.linalg.eigvalsh.
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const wasmPath = opt('--wasm', join(root, 'dist/wasm/ergo-kernels.wasm'));
const only = opt('--only', 'gram|sym');
const full = opt('--sizes', 'full') === 'full';
const reps = Number(opt('--reps', '3'));
const numpy = !args.includes('--no-numpy');

let ql = null;
const qlPath = join(root, 'dist/src/linalg/tridiagonal.js');
if (existsSync(qlPath)) ql = (await import(qlPath)).tridiagonalEigenvalues;

const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmPath)), {});
const x = inst.exports;
const mem = x.memory;
const base = (x.heapBase() + 15) & ~15;

function layout(...lengths) {
  const offs = [];
  let p = base;
  for (const len of lengths) {
    offs.push(p);
    p += Math.ceil(len / 2) * 16;
  }
  if (p > mem.buffer.byteLength) mem.grow(Math.ceil((p - mem.buffer.byteLength) / 65536));
  return offs;
}

// Deterministic pseudo-random fill (xorshift), values in [-1, 1).
function fill(arr, seed) {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < arr.length; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    arr[i] = s / 2147483648 - 1;
  }
}

function gramOnce(a, n, m) {
  const [pa, px] = layout(n * m, n * n);
  const f = new Float64Array(mem.buffer);
  f.set(a, pa / 8);
  x.gram(pa, n, m, px);
  return new Float64Array(mem.buffer).slice(px / 8, px / 8 + n * n);
}

function symOnce(a, n) {
  const [pa, pd, pe, pw] = layout(n * n, n, n, 4 * n);
  const f = new Float64Array(mem.buffer);
  f.set(a, pa / 8);
  x.symTridiag(pa, n, pd, pe, pw);
  const g = new Float64Array(mem.buffer);
  const d = g.slice(pd / 8, pd / 8 + n), e = g.slice(pe / 8, pe / 8 + n - 1);
  return ql ? ql(d, e) : d;
}

function symmetric(n, seed) {
  const a = new Float64Array(n * n);
  fill(a, seed);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i];
  return a;
}

function time(fn, r) {
  const t = [];
  for (let i = 0; i < r; i++) {
    const t0 = performance.now();
    fn();
    t.push((performance.now() - t0) / 1000);
  }
  return t;
}
const median = (t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)];

function numpyTimes(code, r) {
  if (!numpy) return null;
  const py = `
import time, numpy as np
rng = np.random.default_rng(1)
${code}
out = []
for _ in range(${r}):
    t0 = time.perf_counter(); job(); out.append(time.perf_counter() - t0)
print(' '.join(str(v) for v in out))`;
  const res = spawnSync('python3', ['-c', py], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
    encoding: 'utf8',
  });
  if (res.status !== 0) return null;
  return res.stdout.trim().split(/\s+/).map(Number);
}

const rows = [];
function report(what, ours, np) {
  const mo = median(ours), mn = np ? median(np) : NaN;
  const line = `${what.padEnd(22)} wasm ${mo.toFixed(3)} s   numpy(1 thr) ${np ? mn.toFixed(3) : '  -  '} s   ratio ${np ? (mo / mn).toFixed(2) : '-'}   [${ours.map((v) => v.toFixed(3)).join(', ')}]`;
  rows.push(line);
  console.log(line);
}

console.log(`wasm: ${wasmPath}; load average before: ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);

if (/gram/.test(only)) {
  const w = new Float64Array(256 * 1024);
  fill(w, 7);
  for (let i = 0; i < 3; i++) gramOnce(w, 256, 1024);
  const shapes = full ? [[1024, 4096], [4096, 4096]] : [[512, 2048], [1024, 4096]];
  for (const [n, m] of shapes) {
    const a = new Float64Array(n * m);
    fill(a, n + m);
    const r = n >= 4096 ? Math.min(reps, 3) : reps + 2;
    const ours = time(() => gramOnce(a, n, m), r);
    const np = numpyTimes(`a = rng.standard_normal((${n}, ${m}))\nw = rng.standard_normal((256, 1024)); w @ w.T\ndef job(): a @ a.T`, r);
    report(`gram ${n}x${m}`, ours, np);
  }
}

if (/sym/.test(only)) {
  const w = symmetric(512, 3);
  for (let i = 0; i < 3; i++) symOnce(w, 512);
  const sizes = full ? [1024, 2048, 4096] : [512, 1024];
  for (const n of sizes) {
    const a = symmetric(n, n);
    const r = n >= 4096 ? Math.min(reps, 2) : reps + (n <= 1024 ? 2 : 0);
    const ours = time(() => symOnce(a, n), r);
    const np = numpyTimes(`a = rng.standard_normal((${n}, ${n})); a = (a + a.T) / 2\nw = rng.standard_normal((512, 512)); np.linalg.eigvalsh(w + w.T)\ndef job(): np.linalg.eigvalsh(a)`, r);
    report(`symeig N=${n}`, ours, np);
  }
}
console.log(`load average after: ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
