// Tests that need something from outside the repository: python3 with numpy, the fetched
// models (scripts/fetch-models.mjs), util-linux `script`. Each such test is declared with
// `testNeeding(missing, ...)`, where `missing` says what is absent (undefined when present).
//
// Normal runs skip such a test with that reason. Strict mode (ERGO_STRICT=1, which .ci/run
// sets) turns the skip into a failure naming the resource, so a CI run cannot pass while
// holding back the only coverage of numpy-written files or of real networks.
import { test, type TestContext } from 'node:test';
import { spawnSync } from 'node:child_process';
export { modelsMissing } from './models.js';

export const STRICT = process.env.ERGO_STRICT === '1';

type Options = { timeout?: number; concurrency?: number | boolean };
type Body = (t: TestContext) => void | Promise<void>;

/** A test that runs when `missing` is undefined; otherwise skipped, or failed in strict mode. */
export function testNeeding(missing: string | undefined, name: string, options: Options, fn: Body): void {
  if (missing === undefined) test(name, options, fn);
  else if (STRICT) test(name, options, () => { throw new Error(`ERGO_STRICT=1 and a required resource is missing: ${missing}`); });
  else test(name, { ...options, skip: `${missing} (ERGO_STRICT=1 makes this a failure)` }, fn);
}

const memo = new Map<string, string | undefined>();
function once(key: string, probe: () => string | undefined): string | undefined {
  if (!memo.has(key)) memo.set(key, probe());
  return memo.get(key);
}

/**
 * The environment for the python3/numpy cross-checks: numpy's BLAS on one thread. The checks
 * are small; a second BLAS thread only spins while the suite's other files need the cores
 * (measured: five numpy-checking files took 5.0 instead of 6.0 CPU-s).
 */
export const pythonEnv: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };

/** Why python3 with numpy cannot be used, or undefined. */
export function numpyMissing(): string | undefined {
  return once('numpy', () => {
    const r = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8', env: pythonEnv });
    if (r.error) return `python3 is not on PATH (${r.error.message})`;
    if (r.status !== 0) return `python3 has no working numpy (${r.stderr.trim().split('\n').at(-1)})`;
    return undefined;
  });
}

/** Why util-linux `script` (a pseudo-terminal for progress-bar tests) cannot be used, or undefined. */
export function scriptMissing(): string | undefined {
  return once('script', () => (spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0 ? undefined : 'util-linux `script` is not installed'));
}


/** Why strace (system-call tracing of the ergo process, security tests) cannot be used, or undefined. */
export function straceMissing(): string | undefined {
  return once('strace', () => (spawnSync('strace', ['-V'], { encoding: 'utf8' }).status === 0 ? undefined : 'strace is not installed (apt-get install strace)'));
}

/** Chromium for the report's browser test: $ERGO_CHROMIUM, else Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env.ERGO_CHROMIUM ?? '/usr/bin/chromium';

/** Why the headless browser test cannot run (no chromium binary that starts), or undefined. */
export function chromiumMissing(): string | undefined {
  return once('chromium', () => {
    const r = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 60_000 });
    if (r.error) return `chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set ERGO_CHROMIUM)`;
    if (r.status !== 0) return `${CHROMIUM} --version failed (${(r.stderr || r.stdout).trim().split('\n').at(-1)})`;
    return undefined;
  });
}

/** Why Debian's redis-server (the distributed-run tests start their own) cannot be used, or undefined. */
export function redisMissing(): string | undefined {
  return once('redis', () => (spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0 ? undefined : 'redis-server is not installed (apt-get install redis-server)'));
}
