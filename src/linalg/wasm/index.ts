// Loader for the WebAssembly SIMD kernels (dist/wasm/ergo-kernels.wasm, built
// from ./assembly/index.ts by scripts/build-wasm.mjs).
//
// One instance per thread: the instance lives in this module's state, and each
// worker_thread has its own module graph. Loading is synchronous (Node only:
// the file is read with fs). When WebAssembly, SIMD or the .wasm file is
// missing, or ERGO_NO_WASM=1 or ERGO_BACKEND=ts, wasmKernels() returns null and one warning line
// is printed per process; callers then use the TypeScript kernels.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assertFinite, assertSquare, type ComplexMatrix } from '../types.js';
import { processSharedInt32 } from '../cores.js';
import { transposeInto } from '../transpose.js';

/**
 * Signature of the CMV matching-phase kernel, shared by the WebAssembly one and its TypeScript
 * reference `cmvMatchPhaseTS` in src/ensembles/cmv.ts (which documents the arguments).
 */
export type CmvMatchPhaseKernel = (
  coef: Float64Array,
  m: number,
  kTiny: number,
  c0r: number,
  c0i: number,
  zr: Float64Array,
  zi: Float64Array,
  count: number,
  full: boolean,
  out: Float64Array,
) => void;

export interface WasmKernels {
  /** Householder tridiagonalisation of a real symmetric n x n matrix (row-major; input not modified). e has n - 1 entries. */
  symmetricTridiagonalize(a: Float64Array, n: number): { d: Float64Array; e: Float64Array };
  /** Hermitian -> real symmetric tridiagonal (same eigenvalues); e has n - 1 entries, all >= 0. */
  hermitianTridiagonalize(m: ComplexMatrix): { d: Float64Array; e: Float64Array };
  /** Householder QR of a square complex matrix, Q explicit; R's diagonal is real (LAPACK convention). */
  complexQR(a: ComplexMatrix): { q: ComplexMatrix; rDiagRe: Float64Array; rDiagIm: Float64Array };
  /** X = A A^T for row-major A (n x m); n x n, both triangles. */
  gram(a: Float64Array, n: number, m: number): Float64Array;
  /** gram of columns k0..k1-1 of A (n x m), copied straight into linear memory: bit-identical to gram of that submatrix. */
  gramColumns(a: Float64Array, n: number, m: number, k0: number, k1: number): Float64Array;
  /** X = A^T A for row-major A (n x m); m x m, both triangles (A is transposed into linear memory, then `gram`). */
  gramT(a: Float64Array, n: number, m: number): Float64Array;
  /**
   * Matching-phase recursion of the CMV spectral sampler at `count` points, the same
   * arithmetic as `cmvMatchPhaseTS` in src/ensembles/cmv.ts (which documents the arguments
   * and the 5 * count outputs).
   */
  cmvMatchPhase: CmvMatchPhaseKernel;
  /** Bytes of linear memory currently held by this thread's instance. */
  memoryBytes(): number;
}

// Minimal typings for the WebAssembly JS API (the project's lib is ES2022
// without DOM, and @types/node 20 does not declare it).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

interface Exports {
  memory: WasmMemory;
  heapBase(): number;
  symTridiag(a: number, n: number, d: number, e: number, work: number): void;
  hermTridiag(ar: number, ai: number, n: number, d: number, e: number, work: number): void;
  complexQR(ar: number, ai: number, n: number, rdr: number, rdi: number, work: number): void;
  gram(a: number, n: number, m: number, x: number): void;
  cmvPhase(coef: number, m: number, kTiny: number, c0r: number, c0i: number, zr: number, zi: number, count: number, full: number, out: number, work: number): void;
}

const WASM_NAME = 'ergo-kernels.wasm';
// cmvPhase (assembly/cmv.ts): f64 per packed coefficient, points per group (scratch size)
const CMV_STRIDE = 8;
const CMV_GROUP = 16;
const PAGE = 65536;
const MAX_BYTES = 4 * 1024 * 1024 * 1024 - PAGE; // wasm32 limit

/** Candidate locations: ERGO_WASM_PATH alone if set; else next to the compiled loader (dist/src/linalg/wasm -> dist/wasm), from the sources (src/linalg/wasm -> dist/wasm). */
function candidatePaths(): string[] {
  const env = process.env['ERGO_WASM_PATH'];
  if (env) return [env];
  const out: string[] = [];
  out.push(fileURLToPath(new URL(`../../../wasm/${WASM_NAME}`, import.meta.url)));
  out.push(fileURLToPath(new URL(`../../../dist/wasm/${WASM_NAME}`, import.meta.url)));
  return out;
}

// Smallest valid module using one v128 instruction: probes SIMD support.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

let state: 'unloaded' | 'loaded' | 'failed' = 'unloaded';
let kernels: WasmKernels | null = null;
let failure = '';
// "Warned" flag shared by all threads of the process: a SharedArrayBuffer
// handed to workers through their environment data (cloned by reference at
// worker creation), so the warning appears once per process, not per worker.
const warnedFlag: Int32Array = processSharedInt32('ergo.wasm.warned');

function warnOnce(reason: string): void {
  if (Atomics.compareExchange(warnedFlag, 0, 0, 1) !== 0) return;
  process.stderr.write(`ergo: WebAssembly kernels unavailable (${reason}); using the TypeScript kernels\n`);
}

/** The reason the kernels are unavailable in this thread, or '' if they loaded (or were not tried yet). */
export function wasmUnavailableReason(): string {
  return failure;
}

/**
 * This thread's WebAssembly kernels, instantiated (and warmed up) on first
 * call; null when unavailable (see module header). Never throws.
 */
export function wasmKernels(): WasmKernels | null {
  if (state === 'loaded') return kernels;
  if (state === 'failed') return null;
  try {
    kernels = instantiate();
    state = 'loaded';
    return kernels;
  } catch (err) {
    state = 'failed';
    failure = err instanceof Error ? err.message : String(err);
    warnOnce(failure);
    return null;
  }
}

/**
 * Drops this thread's instance so its linear memory (which WebAssembly can
 * only grow) can be garbage-collected once callers release their references;
 * the next wasmKernels() call instantiates and warms up a fresh one.
 */
export function releaseWasmKernels(): void {
  if (state === 'loaded') {
    state = 'unloaded';
    kernels = null;
  }
}

function instantiate(): WasmKernels {
  if (process.env['ERGO_NO_WASM'] === '1') throw new Error('disabled by ERGO_NO_WASM=1');
  if (process.env['ERGO_BACKEND'] === 'ts') throw new Error('disabled by ERGO_BACKEND=ts');
  const wa = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (typeof wa !== 'object') throw new Error('no WebAssembly in this runtime');
  if (!wa.validate(SIMD_PROBE)) throw new Error('WebAssembly SIMD not supported');
  let bytes: Uint8Array | null = null;
  const tried: string[] = [];
  for (const p of candidatePaths()) {
    try {
      bytes = readFileSync(p);
      break;
    } catch {
      tried.push(p);
    }
  }
  if (!bytes) throw new Error(`${WASM_NAME} not found (run npm run build:wasm); looked in ${tried.join(', ')}`);
  const mod = new wa.Module(bytes);
  const inst = new wa.Instance(mod, {});
  const exp = inst.exports as Record<string, unknown>;
  const missing = ['heapBase', 'symTridiag', 'hermTridiag', 'complexQR', 'gram', 'cmvPhase'].filter((f) => typeof exp[f] !== 'function');
  if (missing.length > 0) throw new Error(`${WASM_NAME} is stale (no ${missing.join(', ')}; run npm run build:wasm)`);
  const k = makeKernels(inst.exports as unknown as Exports);
  warmUp(k);
  return k;
}

function makeKernels(x: Exports): WasmKernels {
  const mem = x.memory;
  // 16-byte aligned start of the scratch area (after static data).
  const base = (x.heapBase() + 15) & ~15;
  let f64 = new Float64Array(mem.buffer);

  /** Ensures the memory holds `bytes` bytes past base; refreshes the view after growth. */
  function reserve(bytes: number): void {
    const need = base + bytes;
    if (need > MAX_BYTES) throw new RangeError(`ergo wasm: problem needs ${need} bytes, beyond the 4 GiB WebAssembly limit`);
    if (need > mem.buffer.byteLength) {
      mem.grow(Math.ceil((need - mem.buffer.byteLength) / PAGE));
    }
    if (f64.buffer !== mem.buffer || f64.length * 8 !== mem.buffer.byteLength) f64 = new Float64Array(mem.buffer);
  }

  // The checks every complex square input gets before it is copied in; returns n.
  function assertComplexSquare(m: ComplexMatrix, name: string): number {
    const n = m.rows;
    assertSquare(n, m.re.length, name);
    if (m.cols !== n || m.im.length !== n * n) throw new RangeError(`${name}: expected a square matrix`);
    assertFinite(m.re, `${name} (re)`);
    assertFinite(m.im, `${name} (im)`);
    return n;
  }

  /** Lays out consecutive f64 regions (16-byte aligned); returns their byte offsets. */
  function layout(...lengths: number[]): number[] {
    const offs: number[] = [];
    let p = base;
    for (const len of lengths) {
      offs.push(p);
      p += Math.ceil(len / 2) * 16;
    }
    reserve(p - base);
    return offs;
  }

  /** Lays out re and im of the square matrix m, then `rest`, and copies m in; returns the byte offsets. */
  function layoutComplexIn(m: ComplexMatrix, ...rest: number[]): number[] {
    const n = m.rows;
    const offs = layout(n * n, n * n, ...rest);
    f64.set(m.re, offs[0]! / 8);
    f64.set(m.im, offs[1]! / 8);
    return offs;
  }

  return {
    symmetricTridiagonalize(a, n) {
      assertSquare(n, a.length, 'symmetricTridiagonalize');
      assertFinite(a, 'symmetricTridiagonalize');
      const [pa, pd, pe, pw] = layout(n * n, n, n, 4 * n) as [number, number, number, number];
      f64.set(a, pa / 8);
      x.symTridiag(pa, n, pd, pe, pw);
      return { d: f64.slice(pd / 8, pd / 8 + n), e: f64.slice(pe / 8, pe / 8 + n - 1) };
    },
    hermitianTridiagonalize(m) {
      const n = assertComplexSquare(m, 'hermitianTridiagonalize');
      const [pr, pi, pd, pe, pw] = layoutComplexIn(m, n, n, 8 * n) as [number, number, number, number, number];
      x.hermTridiag(pr, pi, n, pd, pe, pw);
      return { d: f64.slice(pd / 8, pd / 8 + n), e: f64.slice(pe / 8, pe / 8 + n - 1) };
    },
    complexQR(a) {
      const n = assertComplexSquare(a, 'complexQR');
      const [pr, pi, prr, pri, pw] = layoutComplexIn(a, n, n, 10 * n) as [number, number, number, number, number];
      x.complexQR(pr, pi, n, prr, pri, pw);
      return {
        q: { rows: n, cols: n, re: f64.slice(pr / 8, pr / 8 + n * n), im: f64.slice(pi / 8, pi / 8 + n * n) },
        rDiagRe: f64.slice(prr / 8, prr / 8 + n),
        rDiagIm: f64.slice(pri / 8, pri / 8 + n),
      };
    },
    gram(a, n, m) {
      if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || m < 1 || a.length !== n * m) {
        throw new RangeError(`gram: expected an n x m matrix with n = ${n}, m = ${m}, got ${a.length} entries`);
      }
      assertFinite(a, 'gram');
      const [pa, px] = layout(n * m, n * n) as [number, number];
      f64.set(a, pa / 8);
      x.gram(pa, n, m, px);
      return f64.slice(px / 8, px / 8 + n * n);
    },
    gramColumns(a, n, m, k0, k1) {
      if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || m < 1 || a.length !== n * m || !(Number.isInteger(k0) && Number.isInteger(k1) && k0 >= 0 && k0 < k1 && k1 <= m)) {
        throw new RangeError(`gramColumns: expected an n x m matrix with n = ${n}, m = ${m} and columns 0 <= ${k0} < ${k1} <= m, got ${a.length} entries`);
      }
      assertFinite(a, 'gram');
      const w = k1 - k0;
      const [pa, px] = layout(n * w, n * n) as [number, number];
      const o = pa / 8;
      for (let i = 0; i < n; i++) f64.set(a.subarray(i * m + k0, i * m + k1), o + i * w);
      x.gram(pa, n, w, px);
      return f64.slice(px / 8, px / 8 + n * n);
    },
    gramT(a, n, m) {
      if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || m < 1 || a.length !== n * m) {
        throw new RangeError(`gramT: expected an n x m matrix with n = ${n}, m = ${m}, got ${a.length} entries`);
      }
      assertFinite(a, 'gramT');
      const [pa, px] = layout(n * m, m * m) as [number, number];
      // The copy into linear memory that `gram` makes anyway writes A^T (m x n) instead:
      // blocked so that both the rows read and the rows written stay in cache.
      transposeInto(a, n, m, f64, pa / 8);
      x.gram(pa, m, n, px);
      return f64.slice(px / 8, px / 8 + m * m);
    },
    cmvMatchPhase(coef, m, kTiny, c0r, c0i, zr, zi, count, full, out) {
      if (!Number.isInteger(m) || m < 0 || coef.length < CMV_STRIDE * m) {
        throw new RangeError(`cmvMatchPhase: expected ${CMV_STRIDE} x ${m} coefficients, got ${coef.length}`);
      }
      if (!Number.isInteger(count) || count < 0 || zr.length < count || zi.length < count || out.length < 5 * count) {
        throw new RangeError(`cmvMatchPhase: arrays too short for ${count} points`);
      }
      if (count === 0) return;
      // the kernel takes pairs of points: an odd count gets a padding point z = 1
      const cg = count + (count & 1);
      const [pc, pr, pi, po, pw] = layout(CMV_STRIDE * m, cg, cg, 5 * cg, 7 * CMV_GROUP) as [number, number, number, number, number];
      f64.set(coef.subarray(0, CMV_STRIDE * m), pc / 8);
      f64.set(zr.subarray(0, count), pr / 8);
      f64.set(zi.subarray(0, count), pi / 8);
      f64.fill(1, pr / 8 + count, pr / 8 + cg);
      f64.fill(0, pi / 8 + count, pi / 8 + cg);
      x.cmvPhase(pc, m, kTiny, c0r, c0i, pr, pi, cg, full ? 1 : 0, po, pw);
      const o = po / 8;
      for (let v = 0; v < 5; v++) out.set(f64.subarray(o + v * cg, o + v * cg + count), v * count);
    },
    memoryBytes() {
      return mem.buffer.byteLength;
    },
  };
}

/**
 * V8 first runs wasm in its baseline compiler and replaces a function with the
 * optimised version only between calls: a few small calls on every kernel let
 * the hot loops tier up before the first real problem.
 */
function warmUp(k: WasmKernels): void {
  const n = 48;
  const a = new Float64Array(n * n);
  const b = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = Math.sin(1 + i * 7 + j * 3);
      a[i * n + j] = v;
      a[j * n + i] = v;
      b[i * n + j] = Math.cos(i + 2 * j);
      b[j * n + i] = i === j ? 0 : -Math.cos(i + 2 * j);
    }
  }
  const c: ComplexMatrix = { rows: n, cols: n, re: a, im: b };
  for (let r = 0; r < 6; r++) {
    k.symmetricTridiagonalize(a, n);
    k.hermitianTridiagonalize(c);
    k.complexQR(c);
    k.gram(a, n, n);
  }
  // cmvMatchPhase: 48 points through 47 coefficients |alpha| = 0.5, both variants
  const m = 47;
  const coef = new Float64Array(CMV_STRIDE * m);
  for (let i = 0; i < m; i++) {
    coef.set([Math.cos(i), Math.sin(i), 0.5 * Math.cos(i), 0.5 * Math.sin(i), 0.25, 0.5, 0.75, 0], CMV_STRIDE * i);
  }
  const zr = new Float64Array(n);
  const zi = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    zr[j] = Math.cos(0.1 * j);
    zi[j] = -Math.sin(0.1 * j);
  }
  const out = new Float64Array(5 * n);
  for (let r = 0; r < 20; r++) k.cmvMatchPhase(coef, m, m, 1, 0, zr, zi, n, r % 2 === 0, out);
}
