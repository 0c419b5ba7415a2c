// Result files: JSON for results and --json output, written atomically into a run directory.
import { join } from 'node:path';
import { writeFileAtomic } from '../files.js';

/**
 * JSON for result files and --json output. JSON has no NaN or infinities; they are written
 * as the strings "NaN", "Infinity" and "-Infinity" (the fixtures' convention), so that a
 * cPSE of NaN (fewer than 3 layers) and of -Infinity (a d_layer of 0) stay distinguishable.
 */
export function resultJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1) + '\n';
}

/** A network of a batch that could not be read (`skipped` in cpse.json and csd.json): name, path, reason. */
export interface SkippedNetwork {
  name: string;
  path: string;
  error: string;
}

/** What an experiment's result writer writes besides its results (JSON, CSV). */
export interface WriteOptions {
  /** plots/*.svg (default true; `--no-plots`). */
  plots?: boolean;
}

/** Collects result files written atomically under `dir` (paths relative to it), for the final "wrote ..." line. */
export function resultWriter(dir: string): { put: (rel: string, text: string | Uint8Array) => void; files: string[] } {
  const files: string[] = [];
  return {
    files,
    put(rel: string, text: string | Uint8Array): void {
      writeFileAtomic(join(dir, rel), text);
      files.push(join(dir, rel));
    },
  };
}
