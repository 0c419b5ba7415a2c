// Which kernels compute the dense part of layer spectra (Gram X = A A^T and symmetric
// eigenvalues): 'native' (the optional OpenBLAS/LAPACK addon, ./native.ts), 'wasm' (the
// WebAssembly SIMD kernels, ./wasm/index.ts) or 'ts' (the TypeScript kernels).
//
// Chosen once per thread, at first use: ERGO_BACKEND=native|wasm|ts forces one (a forced
// backend that cannot load is a BackendError, never a silent fallback); otherwise native if
// the addon loads, else WebAssembly, else TypeScript. ERGO_BACKEND=ts also turns the
// WebAssembly kernels off everywhere, samplers included (as ERGO_NO_WASM=1). All three agree to about 1e-14
// relative (test/linalg.backends.test.ts) but not bit for bit, so:
// - the ensemble samplers never use this choice (they call the WebAssembly/TypeScript
//   kernels directly and stay bit-identical across machines), and random reference spectra
//   run under deterministicBackend();
// - layer spectra record the backend that computed them (pipeline cache and result files).

import { UserError } from '../errors.js';
import { nativeKernels, nativeUnavailableReason } from './native.js';
import { wasmKernels, wasmUnavailableReason } from './wasm/index.js';

export type Backend = 'native' | 'wasm' | 'ts';
export const BACKENDS: readonly Backend[] = ['native', 'wasm', 'ts'];

/** A backend was asked for (ERGO_BACKEND, or a test) that cannot load here. */
export class BackendError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

let chosen: Backend | null = null;
let scoped: Backend | null = null;

/** '' if `b` can run in this thread, else why not. */
export function backendUnavailableReason(b: Backend): string {
  if (b === 'native') return nativeKernels() ? '' : nativeUnavailableReason();
  if (b === 'wasm') return wasmKernels() ? '' : wasmUnavailableReason();
  return '';
}

/** The backends that load in this thread, fastest first. */
export function availableBackends(): Backend[] {
  return BACKENDS.filter((b) => backendUnavailableReason(b) === '');
}

function parseForced(): Backend | null {
  const v = process.env['ERGO_BACKEND'];
  if (v === undefined || v === '') return null;
  if (!(BACKENDS as readonly string[]).includes(v)) throw new BackendError(`ERGO_BACKEND=${v}: expected one of ${BACKENDS.join(', ')}`);
  return v as Backend;
}

function demand(b: Backend, why: string): Backend {
  const reason = backendUnavailableReason(b);
  if (reason) {
    const hint = b === 'native' ? '; see README (native backend)' : '';
    throw new BackendError(`${why}: the ${b} backend is unavailable (${reason})${hint}`);
  }
  return b;
}

/** The backend layer spectra use in this thread (see header). Throws BackendError for a forced backend that cannot load. */
export function activeBackend(): Backend {
  if (scoped) return scoped;
  if (chosen) return chosen;
  const forced = parseForced();
  chosen = forced ? demand(forced, `ERGO_BACKEND=${forced}`) : nativeKernels() ? 'native' : wasmKernels() ? 'wasm' : 'ts';
  return chosen;
}

/** Runs fn with `b` as this thread's backend (tests, benchmarks, deterministic paths). */
export function withBackend<T>(b: Backend, fn: () => T): T {
  demand(b, `backend ${b}`);
  const prev = scoped;
  scoped = b;
  try {
    return fn();
  } finally {
    scoped = prev;
  }
}

/** The bit-reproducible choice for random matrices: WebAssembly if it loads, else TypeScript; never native. */
export function deterministicBackend(): Backend {
  return process.env['ERGO_BACKEND'] !== 'ts' && wasmKernels() ? 'wasm' : 'ts';
}
