// Real trained networks for tests: fetched once per run, before the tests, by
// scripts/fetch-models.mjs (`npm test` and .ci/run call it) into .cache/models (or
// $ERGO_MODELS_CACHE), from a store shared across runs. Tests never download.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

export const MODELS_DIR = process.env.ERGO_MODELS_CACHE ?? join(repoRoot, '.cache', 'models');

/** Path of a model file (relative to the cache) */
export const modelPath = (rel: string): string => join(MODELS_DIR, rel);

/**
 * Why the given model files (paths relative to the cache) are not there, or undefined.
 * Use with `testNeeding` (helpers/resources.ts): a skip normally, a failure with ERGO_STRICT=1.
 */
export function modelsMissing(files: readonly string[]): string | undefined {
  const absent = files.filter((f) => !existsSync(modelPath(f)));
  if (absent.length === 0) return undefined;
  return `${absent.length} model file(s) missing from ${MODELS_DIR} (first: ${absent[0]}); run node scripts/fetch-models.mjs`;
}
