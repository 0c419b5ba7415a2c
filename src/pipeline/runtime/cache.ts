// The content-addressed spectrum cache: layer spectra keyed by the sha256 of the layer
// matrix (float64 bytes and shape) with semantics and mode, reference draws keyed by shape
// and seed. It is reuse across runs: a chunk whose identity is in the cache is copied into
// the run directory instead of computed, and every computed layer or reference chunk is
// added to it. Its files are ordinary chunk files (arrow.ts), checked like reused ones.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Chunk } from './chunk.js';

/** $ERGO_CACHE, else $XDG_CACHE_HOME/ergo, else ~/.cache/ergo. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ERGO_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ergo');
}

export function layerHash(a: Float64Array, n: number, m: number): string {
  return createHash('sha256').update(`${n}x${m}:`).update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
}

/** Where a chunk's spectrum lives in the cache, or undefined for chunks that are not cached (ensemble sweeps). */
export function cacheFile(cacheDir: string, c: Chunk): string | undefined {
  if (c.kind === 'layer') return join(cacheDir, 'layers', `${c.hash.slice(0, 40)}-${c.semantics}-${c.vanilla ? 'vanilla' : 'model'}.arrow`);
  if (c.kind === 'reference') return join(cacheDir, c.family, `${c.n}x${c.m}-${c.seed}.arrow`);
  return undefined;
}
