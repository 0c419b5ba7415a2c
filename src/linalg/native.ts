// Loader for the optional native backend: the Node-API addon in native/ (package
// `ergo-native`, built by node-gyp at install when a C compiler and the system's
// OpenBLAS/LAPACK development files are present). It offers the two dense kernels of layer
// spectra: Gram X = A A^T (BLAS dsyrk) and symmetric eigenvalues (LAPACK dsyevd, eigenvalues
// only: what numpy.linalg.eigvalsh calls). Contract of each: native/ergo_native.c.
//
// Loading is synchronous (require of a .node file) and per thread (the addon is
// context-aware). ERGO_NO_NATIVE=1 disables it; ERGO_NATIVE_PATH points to another build.
// nativeKernels() never throws: it returns null and remembers why (nativeUnavailableReason).
//
// BLAS threads. OpenBLAS has one process-wide thread count, and ergo runs layer problems on
// a pool of worker threads. So that the two never oversubscribe the cores, every native call
// runs with floor(cores / layer computations in flight) BLAS threads (./cores.ts counts them
// over all threads of the process): one huge layer alone gets every core, two
// workers busy on small layers get one thread each. ERGO_BLAS_THREADS=k fixes the count.

import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { inFlight } from './cores.js';
import { assertFinite, assertSquare } from './types.js';

interface Addon {
  gram(a: Float64Array, n: number, m: number): Float64Array;
  gramT(a: Float64Array, n: number, m: number): Float64Array;
  symmetricEigenvalues(a: Float64Array, n: number): Float64Array;
  setThreads(k: number): void;
  getThreads(): number;
  library: string;
}

export interface NativeKernels {
  /** X = A A^T for row-major A (n x m); n x n, both triangles. */
  gram(a: Float64Array, n: number, m: number): Float64Array;
  /** X = A^T A for row-major A (n x m); m x m, both triangles (no copy of A). */
  gramT(a: Float64Array, n: number, m: number): Float64Array;
  /** Eigenvalues of a real symmetric n x n matrix, ascending; input not modified. */
  symmetricEigenvalues(a: Float64Array, n: number): Float64Array;
  /** The BLAS library's name, e.g. "OpenBLAS". */
  readonly library: string;
}

let state: 'unloaded' | 'loaded' | 'failed' = 'unloaded';
let kernels: NativeKernels | null = null;
let failure = '';

/** The BLAS thread count for a call made while `inFlight` calls (this one included) run. */
export function blasThreadsFor(inFlight: number, cores = availableParallelism()): number {
  const fixed = Number(process.env['ERGO_BLAS_THREADS']);
  if (Number.isInteger(fixed) && fixed >= 1) return fixed;
  return Math.max(1, Math.floor(cores / Math.max(1, inFlight)));
}

function load(): Addon {
  if (process.env['ERGO_NO_NATIVE'] === '1') throw new Error('disabled by ERGO_NO_NATIVE=1');
  const req = createRequire(import.meta.url);
  const env = process.env['ERGO_NATIVE_PATH'];
  const tried: string[] = [];
  for (const spec of env ? [env] : ['ergo-native', fileURLToPath(new URL('../../../native/index.cjs', import.meta.url)), fileURLToPath(new URL('../../native/index.cjs', import.meta.url))]) {
    try {
      const mod = req(spec) as Partial<Addon>;
      if (typeof mod.gram !== 'function' || typeof mod.gramT !== 'function' || typeof mod.symmetricEigenvalues !== 'function' || typeof mod.setThreads !== 'function') {
        throw new Error(`${spec} is not the ergo-native addon (rebuild it: cd native && node install.mjs)`);
      }
      return mod as Addon;
    } catch (err) {
      tried.push(`${spec}: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
    }
  }
  throw new Error(`ergo-native addon not built or not loadable (${tried.join('; ')})`);
}

function wrap(addon: Addon): NativeKernels {
  function call<T>(fn: () => T): T {
    addon.setThreads(blasThreadsFor(inFlight()));
    return fn();
  }
  return {
    library: addon.library,
    gram(a, n, m) {
      if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || m < 1 || a.length !== n * m) {
        throw new RangeError(`gram: expected an n x m = ${n} x ${m} matrix, got ${a.length} entries`);
      }
      assertFinite(a, 'gram');
      return call(() => addon.gram(a, n, m));
    },
    gramT(a, n, m) {
      if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || m < 1 || a.length !== n * m) {
        throw new RangeError(`gramT: expected an n x m = ${n} x ${m} matrix, got ${a.length} entries`);
      }
      assertFinite(a, 'gramT');
      return call(() => addon.gramT(a, n, m));
    },
    symmetricEigenvalues(a, n) {
      assertSquare(n, a.length, 'symmetricEigenvalues');
      assertFinite(a, 'symmetricEigenvalues');
      return call(() => addon.symmetricEigenvalues(a, n));
    },
  };
}

/** This thread's native kernels, loaded on first call; null when unavailable. Never throws. */
export function nativeKernels(): NativeKernels | null {
  if (state === 'loaded') return kernels;
  if (state === 'failed') return null;
  try {
    kernels = wrap(load());
    state = 'loaded';
    return kernels;
  } catch (err) {
    state = 'failed';
    failure = err instanceof Error ? err.message : String(err);
    return null;
  }
}

/** Why the native kernels are unavailable in this thread, or '' if they loaded (or were not tried yet). */
export function nativeUnavailableReason(): string {
  return failure;
}
