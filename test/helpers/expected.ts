// Expected numbers that the tests do not derive themselves, read from committed files:
// - test/fixtures/synth-cpse.json: written by test/fixtures/synth_cpse.py (numpy only), which
//   test/fixtures.synth.test.ts re-runs; the synthetic network of test/helpers/weightfiles.ts.
// - test/fixtures/regressions.json: PINNED REGRESSION values (ergo's own output at a reviewed
//   commit, no independent derivation), in one place, each with where it came from.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

export interface SynthExpected {
  source: string;
  layers: [string, number[]][];
  definition: { d: number[]; cpse: number };
  bristol: { d: number[]; cpse: number };
  /** trace of X = A A^T per layer (exact) */
  trace: number[];
  /** numpy's largest eigenvalue of X per layer */
  maxEigenvalue: number[];
}

export const SYNTH_JSON = join(repoRoot, 'test', 'fixtures', 'synth-cpse.json');
export const SYNTH_SCRIPT = join(repoRoot, 'test', 'fixtures', 'synth_cpse.py');
export const synthExpected = (): SynthExpected => JSON.parse(readFileSync(SYNTH_JSON, 'utf8')) as SynthExpected;

export interface Regression {
  /** how the value was produced (command, commit) */
  source: string;
  values: Record<string, number>;
}
export const REGRESSIONS_JSON = join(repoRoot, 'test', 'fixtures', 'regressions.json');
/** One labelled group of pinned regression values. */
export function regression(key: string): Regression {
  const all = JSON.parse(readFileSync(REGRESSIONS_JSON, 'utf8')) as Record<string, Regression>;
  const r = all[key];
  if (!r) throw new Error(`${REGRESSIONS_JSON}: no entry ${key}`);
  return r;
}
