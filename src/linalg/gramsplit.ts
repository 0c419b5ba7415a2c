// A big Gram product on two cores without the native backend: X = A A^T split by columns
// of A into two halves, X = A1 A1^T + A2 A2^T, the second half on a helper worker thread.
//
// Contract: gramSplit(a, n, m, kernel) = kernelCols(a, 0, h) + kernelCols(a, h, m) entry by
// entry, with h = splitColumn(m) a fixed function of m (a multiple of 256, the WebAssembly
// kernel's k-block). The result therefore depends only on A and the kernel ('wasm' or 'ts'),
// never on whether the helper ran: when another computation already holds the second core
// (a pool worker on another layer), or no helper can start, both halves run here, in the
// same order. Reference for the split: Golub & Van Loan 4th ed. §1.6 (block matrix products).
//
// Memory: the second half is copied once into a SharedArrayBuffer (8 n (m - h) bytes) that
// the helper reads; its partial X comes back in a second one (8 n^2 bytes).
//
// The helper is synchronous from the caller's point of view (Atomics.wait on a flag in
// shared memory, as the callers are synchronous kernels running in pool workers); it is one
// long-lived, unref'd worker per calling thread.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { inFlight } from './cores.js';
import { gramTS } from './gram.js';
import { wasmKernels } from './wasm/index.js';

export type SplitKernel = 'wasm' | 'ts';

/** Below this many multiply-adds (n^2 m / 2) one thread is as fast (copy and start-up costs). */
export const SPLIT_MIN_WORK = 2 ** 30;
const KBLOCK = 256;

/** Whether gram() splits an n x m product (a function of the shape only). */
export function shouldSplit(n: number, m: number): boolean {
  return n >= 64 && m >= 2 * KBLOCK && (n * n * m) / 2 >= SPLIT_MIN_WORK;
}

/** The column where the two halves meet: m / 2 rounded down to a multiple of 256. */
export function splitColumn(m: number): number {
  return Math.max(KBLOCK, Math.floor(m / 2 / KBLOCK) * KBLOCK);
}

/** Columns k0..k1-1 of row-major A (n x m) as a contiguous n x (k1 - k0) matrix, into `out`. */
function copyColumns(a: Float64Array, n: number, m: number, k0: number, k1: number, out: Float64Array): Float64Array {
  const w = k1 - k0;
  for (let i = 0; i < n; i++) out.set(a.subarray(i * m + k0, i * m + k1), i * w);
  return out;
}

/** A1 A1^T for the columns k0..k1-1 of A with one kernel. */
export function gramColumns(a: Float64Array, n: number, m: number, k0: number, k1: number, kernel: SplitKernel): Float64Array {
  const w = k1 - k0;
  const k = kernel === 'wasm' ? wasmKernels() : null;
  if (kernel === 'wasm' && !k) throw new Error('gramSplit: WebAssembly kernels unavailable in this thread');
  if (k) return k.gramColumns(a, n, m, k0, k1);
  return gramTS(copyColumns(a, n, m, k0, k1, new Float64Array(n * w)), n, w);
}

interface Helper {
  worker: Worker;
  ready: Int32Array;
  broken: boolean;
}
let helper: Helper | null = null;

function helperUrl(): URL | null {
  // Runs from the sources (tsx) have no loader hooks in new workers: no helper there.
  return import.meta.url.endsWith('.js') ? new URL('./gramsplit-worker.js', import.meta.url) : null;
}

function getHelper(): Helper | null {
  if (helper && !helper.broken) return helper;
  if (helper?.broken) return null;
  const url = helperUrl();
  if (!url || process.env['ERGO_GRAM_HELPER'] === '0') return null;
  try {
    const ready = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(url, { execArgv: [], workerData: ready });
    worker.unref();
    const h: Helper = { worker, ready, broken: false };
    worker.on('error', () => { h.broken = true; });
    worker.on('exit', () => { h.broken = true; });
    helper = h;
    // It sets `ready` once loaded; one that does not load within 5 s is not used (the
    // caller cannot see its 'error' event while it waits synchronously).
    if (Atomics.wait(ready, 0, 0, 5000) === 'timed-out' && Atomics.load(ready, 0) === 0) {
      h.broken = true;
      void worker.terminate();
      return null;
    }
    return h;
  } catch {
    return null;
  }
}

// Flag values in the shared status word.
const PENDING = 0, DONE = 1; // (2 = failed)

/** X = A A^T as two column halves (see header); `kernel` computes each half. */
export function gramSplit(a: Float64Array, n: number, m: number, kernel: SplitKernel): Float64Array {
  const h = splitColumn(m);
  const cores = availableParallelism();
  const h2 = cores >= 2 && inFlight() < cores ? getHelper() : null;
  if (!h2) {
    const x = gramColumns(a, n, m, 0, h, kernel);
    addInto(x, gramColumns(a, n, m, h, m, kernel));
    return x;
  }
  const w = m - h;
  const input = new Float64Array(new SharedArrayBuffer(8 * n * w));
  copyColumns(a, n, m, h, m, input);
  const output = new Float64Array(new SharedArrayBuffer(8 * n * n));
  const status = new Int32Array(new SharedArrayBuffer(8));
  h2.worker.postMessage({ input, output, status, n, w, kernel });
  const x = gramColumns(a, n, m, 0, h, kernel);
  // Wait for the helper (it always sets status[0], also on failure, and notifies).
  while (Atomics.load(status, 0) === PENDING) Atomics.wait(status, 0, PENDING);
  const st = Atomics.load(status, 0);
  if (st !== DONE) {
    // the helper failed or is gone: compute the same half here (same result)
    h2.broken = true;
    addInto(x, gramColumns(a, n, m, h, m, kernel));
    return x;
  }
  addInto(x, output);
  helperJobs++;
  return x;
}

let helperJobs = 0;
/** How many halves the helper thread computed in this thread's lifetime (tests, benchmarks). */
export function gramSplitHelperJobs(): number {
  return helperJobs;
}

function addInto(x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! + y[i]!;
}
