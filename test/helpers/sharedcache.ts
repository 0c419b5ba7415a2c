// One layer-spectrum cache (the content-addressed cache of src/pipeline/runtime/cache.ts,
// passed with `--cache` or Ctx.cacheDir) shared by every test file of a suite run, so that
// the real networks' layer spectra and reference draws are computed once per suite run instead
// of once per test. For tests that check numbers, not the cache: tests of fresh computation,
// worker-count determinism or the cache itself keep a fresh tempDir().
//
// Entries are keyed by what the cache keys on (sha256 of the layer matrix, semantics, mode;
// reference family, shape and seed); concurrent test files are safe because the pipeline
// writes cache files atomically and checks every entry it reads. The directory name adds a
// hash of the compiled code (dist/src, dist/wasm, the native addon) and of the backend
// variables, so a spectrum computed by other code or another backend is never reused: a
// changed kernel gets a new, empty directory and must compute (and pass) again.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repoRoot } from './cli.js';
import { readSpectra, type CachedSpectrum } from './cpsecli.js';

const BACKEND_VARS = ['ERGO_BACKEND', 'ERGO_NO_NATIVE', 'ERGO_NO_WASM', 'ERGO_NATIVE_PATH', 'ERGO_WASM_PATH', 'ERGO_GRAM_HELPER', 'ERGO_BLAS_THREADS'];

function codeHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(js|wasm|node)$/.test(e)) h.update(`${relative(repoRoot, p)}\0`).update(readFileSync(p));
    }
  };
  walk(join(repoRoot, 'dist', 'src'));
  walk(join(repoRoot, 'dist', 'wasm'));
  walk(join(repoRoot, 'native', 'build', 'Release'));
  for (const k of BACKEND_VARS) h.update(`${k}=${process.env[k] ?? ''}\0`);
  return h.digest('hex').slice(0, 16);
}

/**
 * The suite-wide spectrum cache directory (created by the first run that writes to it). One per
 * suite run: every test file of a `node --test` run is a child of the same runner process, so
 * its pid (process.ppid) names the run; a later run computes everything again rather than
 * trusting spectra an earlier run left behind. Directories of runs older than a day are removed.
 */
export const SHARED_CACHE = join(tmpdir(), `ergo-test-spectra-${codeHash()}-${process.ppid}`);

for (const e of readdirSync(tmpdir())) {
  if (!e.startsWith('ergo-test-spectra-')) continue;
  try {
    const p = join(tmpdir(), e);
    if (Date.now() - statSync(p).mtimeMs > 86_400_000) rmSync(p, { recursive: true, force: true });
  } catch {
    // another run removed it first
  }
}

/**
 * The layer spectra of one run (its chunks/ folder, byte copies of the cache entries it used
 * or wrote), read like readCache (helpers/cpsecli.ts): a run's own spectra
 * when its cache is the shared one and holds other networks' too.
 */
export function runSpectra(outDir: string): CachedSpectrum[] {
  const dir = join(outDir, 'chunks');
  if (!existsSync(dir)) throw new Error(`${dir}: no chunks folder (did the run finish?)`);
  return readSpectra(dir);
}
