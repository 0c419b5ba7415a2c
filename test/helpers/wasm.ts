// Test helper: the WebAssembly kernels, built first if this checkout has no .wasm yet
// (the loader reads it lazily, so a fresh `tsc` build alone would make every WASM test skip).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { wasmKernels, type WasmKernels } from '../../src/linalg/wasm/index.js';

const fromSource = import.meta.url.endsWith('.ts');
const root = fileURLToPath(new URL(fromSource ? '../..' : '../../..', import.meta.url));

/** Builds dist/wasm/ergo-kernels.wasm if missing; throws with the build's stderr if that fails. */
export function ensureWasmBuilt(): void {
  if (existsSync(`${root}dist/wasm/ergo-kernels.wasm`)) return;
  const r = spawnSync(process.execPath, [`${root}scripts/build-wasm.mjs`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build-wasm failed: ${r.stderr}`);
}

/** The loaded kernels; fails the test (never skips) when they do not load. */
export function kernels(): WasmKernels {
  ensureWasmBuilt();
  const k = wasmKernels();
  assert.ok(k, 'WebAssembly kernels should load in this test environment');
  return k;
}
