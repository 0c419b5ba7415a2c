// Bounds before work (issue 10, "Exhaustion and escapes"): hard caps in the config schema,
// run names that are plain names, and a plan refused at once when it cannot fit, with a
// message saying what it needs and what was found. CLI tests use the compiled CLI.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { ergo, tempDir } from './helpers/cli.js';
import { parseConfig, ConfigError, type ErgodicityConfig } from '../src/pipeline/config/index.js';
import { LIMITS, MAX_CHUNKS } from '../src/pipeline/config/limits.js';
import { compileValidator, validator, validatorHash, PRECOMPILED_VALIDATOR } from '../src/pipeline/config/validator.js';
import { planErgodicity } from '../src/pipeline/experiments/ergodicity.js';
import { BoundsError, estimateRun, resourceProblems, checkLayersFit, type Resources } from '../src/pipeline/runtime/bounds.js';

const GiB = 1024 ** 3;

function config(body: string): ErgodicityConfig {
  return parseConfig(`name: b\nseed: 1\n${body}`, 'b.yaml') as ErgodicityConfig;
}

describe('schema caps and plain names', () => {
  test('matrices: 1000000000000 is refused by the schema, naming the key, its line and the cap', async () => {
    assert.throws(
      () => config('ensembles: [CUE]\nsizes: [8]\nmatrices: 1000000000000\n'),
      (e: unknown) => e instanceof ConfigError && e.message === `b.yaml:5: matrices: must be <= ${LIMITS.matrices} (got 1000000000000)`,
    );
  });

  test('run names are plain names: paths, separators and dot names are refused', async () => {
    for (const name of ['../../escape', '/etc', 'a/b', 'a\\\\b', '..', '.', 'a b', '']) {
      assert.throws(() => parseConfig(`name: "${name}"\nensembles: [CUE]\nsizes: [8]\n`, 'n.yaml'), (e: unknown) => e instanceof ConfigError && /name: expected a plain name/.test(e.message), name);
    }
    for (const name of ['run-1', 'sweep_2017.v2', 'A.B-c_d']) assert.equal(parseConfig(`name: ${name}\nensembles: [CUE]\nsizes: [8]\n`, 'n.yaml').name, name);
  });

  test('a name taken from the file name must be plain too', async () => {
    assert.throws(() => parseConfig('ensembles: [CUE]\nsizes: [8]\n', '/x/my run.yaml'), (e: unknown) => e instanceof ConfigError && /"my run" comes from the file name/.test(e.message));
    assert.equal(parseConfig('ensembles: [CUE]\nsizes: [8]\n', '/x/quick-1.yaml').name, 'quick-1');
  });

  test('other counts and sizes have caps too', async () => {
    const cases: [string, RegExp][] = [
      [`sizes: [${LIMITS.size + 1}]`, /sizes\[0\]: must be <=/],
      [`sizes: [8]\nchunk: ${LIMITS.matrices + 1}`, /chunk: must be <=/],
      [`sizes: [8]\nbins: ${LIMITS.bins + 1}`, /bins: must be <=/],
      [`sizes: [8]\ncsd: { draws: ${LIMITS.draws + 1} }`, /csd\.draws: must be <=/],
    ];
    for (const [body, re] of cases) assert.throws(() => config(`ensembles: [CUE]\n${body}\n`), (e: unknown) => e instanceof ConfigError && re.test(e.message), body);
  });
});

describe('plan size and resources', () => {
  test('a plan with more than MAX_CHUNKS chunks is refused before it is built', async () => {
    const cfg = config('ensembles: [CUE, COE]\nmethod: spectral\nsizes: [8, 16]\nmatrices: 10000000\nchunk: 100\n');
    assert.ok(2 * 2 * 100_000 > MAX_CHUNKS);
    assert.throws(() => planErgodicity(cfg), (e: unknown) => e instanceof BoundsError && /400000 chunks .* more than the limit of 100000; raise chunk:/.test(e.message));
  });

  test('the estimate counts every eigenphase of the plan exactly (sum over chunks of count x N; bristol CSE 2N)', async () => {
    const cfg = config('ensembles: [CUE, { ensemble: CSE, method: bristol }]\nmethod: spectral\nsizes: [8, 12]\nmatrices: 7\nchunk: 3\n');
    const e = estimateRun(planErgodicity(cfg), 2);
    assert.equal(e.chunks, 2 * 2 * 3);
    assert.equal(e.values, 7 * (8 + 12) + 7 * 2 * (8 + 12));
  });

  test('a run that does not fit is refused with what it needs and what was found; a small one fits', async () => {
    const big = estimateRun(planErgodicity(config('ensembles: [CUE]\nmethod: qr\nsizes: [65536]\nmatrices: 2\n')), 2);
    // Dense sampler at N = 65536: at least 128 bytes x N^2 (bounds.ts) = 512 GiB.
    assert.ok(big.memoryBytes >= 128 * 65536 ** 2);
    const machine: Resources = { freeMemory: 16 * GiB, totalMemory: 24 * GiB, freeDisk: 100 * GiB, diskPath: '/data' };
    const problems = resourceProblems(big, machine);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^it needs about \d+ GiB of memory \(1 worker x \d+ GiB for CUE \(qr\) at N = 65536\) and 16 GiB is available \(of 24 GiB\)$/);
    const disk = estimateRun(planErgodicity(config('ensembles: [CUE]\nmethod: spectral\nsizes: [1000000]\nmatrices: 10000000\nchunk: 1000\n')), 2);
    assert.equal(disk.values, 1e13);
    assert.ok(resourceProblems(disk, machine).some((p) => /needs about \d+ TiB of disk \(10000000000000 values in 10000 chunk files\) and 100 GiB is free on \/data/.test(p)));
    const small = estimateRun(planErgodicity(config('ensembles: [CUE, COE, CSE]\nmethod: spectral\nsizes: [16, 32, 64, 128]\nmatrices: 40\n')), 2);
    assert.deepEqual(resourceProblems(small, machine), []);
  });

  test('files already on disk need no new space (a resume needs less)', async () => {
    const chunks = planErgodicity(config('ensembles: [CUE]\nmethod: spectral\nsizes: [64]\nmatrices: 40\n'));
    const all = estimateRun(chunks, 1);
    const half = estimateRun(chunks, 1, (c) => c.kind === 'ensemble' && c.chunk < 2);
    // 2048 bytes of framing + 28 bytes per value (bounds.ts), 10 matrices x 64 per chunk.
    assert.equal(all.diskBytes - half.diskBytes, 2 * (2048 + 28 * 10 * 64));
  });
});

describe('network layers', () => {
  test('the layer estimate adds the largest layers in flight (pure, with given free memory)', async () => {
    const layers = [{ name: 'a', n: 1000, m: 1000 }, { name: 'b', n: 2000, m: 500 }];
    // 8 x (2nm + 5n^2) bytes each: a 56 MB, b 176 MB; plus 150 MiB + 40 MiB per worker.
    const need2 = 150 * 1024 ** 2 + 2 * 40 * 1024 ** 2 + 8 * (2e6 + 5e6) + 8 * (2e6 + 2e7);
    assert.doesNotThrow(() => checkLayersFit('n', layers, 2, need2, need2));
    assert.throws(() => checkLayersFit('n', layers, 2, need2 - 1, need2), BoundsError);
    assert.doesNotThrow(() => checkLayersFit('n', layers, 1, need2 - 1, need2), 'one at a time needs less');
  });

  test('a layer too large for the memory is refused naming it, its shape, the need and what is available', async () => {
    // 200000 x 200000: A alone is 320 GB as float64.
    const layers = [{ name: 'small', n: 8, m: 8 }, { name: 'huge.weight', n: 200_000, m: 200_000 }];
    assert.throws(
      () => checkLayersFit('net', layers, 1, 16 * GiB, 24 * GiB),
      (e: unknown) => e instanceof BoundsError && /^net: the layers do not fit this machine: computing 1 at once needs about [\d.]+ TiB of memory \(largest: huge\.weight, 200000 x 200000\) and 16 GiB is available \(of 24 GiB\)/.test(e.message),
    );
  });
});

describe('through the CLI', () => {
  test('matrices: 1000000000000: refused at once, exit 2, one message naming the key', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'huge.yaml'), 'name: huge\nmethod: spectral\nensembles: [CUE]\nsizes: [8]\nmatrices: 1000000000000\n');
    const r = await ergo(['run', join(dir, 'huge.yaml'), '--workers', '0'], { cwd: dir });
    assert.equal(r.status, 2, `exit ${r.status} ${r.signal ?? ''}: ${r.stderr}`);
    assert.match(r.stderr, /huge\.yaml:5: matrices: must be <= 10000000 \(got 1000000000000\)/);
    assert.ok(!existsSync(join(dir, 'runs')), 'nothing written');
  });

  test('name: ../../escape is refused and nothing is written outside runs/', async () => {
    const dir = tempDir();
    const cwd = join(dir, 'a', 'b');
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, 'esc.yaml'), 'name: ../../escape\nmethod: spectral\nensembles: [CUE]\nsizes: [8]\nmatrices: 2\n');
    const r = await ergo(['run', 'esc.yaml', '--workers', '0'], { cwd });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /esc\.yaml:1: name: expected a plain name .* \(got "\.\.\/\.\.\/escape"\)/);
    assert.ok(!existsSync(join(dir, 'a', 'escape')) && !existsSync(join(cwd, 'runs')), 'no run directory anywhere');
  });

  test('a dense N = 65536 sweep is refused before any work, saying the memory it needs and what is available', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'dense.yaml'), 'name: dense\nmethod: qr\nensembles: [CUE]\nsizes: [65536]\nmatrices: 2\n');
    const r = await ergo(['run', join(dir, 'dense.yaml'), '--workers', '0'], { cwd: dir });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^ergo: the run does not fit this machine: it needs about \d+ GiB of memory \(.*\) and [\d.]+ [GM]iB is available \(of [\d.]+ GiB\); use fewer matrices/m);
    assert.ok(!existsSync(join(dir, 'runs')), 'nothing written');
  });
});

test('the build writes the config validator as code (scripts/build-schema.mjs): current, in use, and it agrees with ajv compiling the schema now', () => {
  const schemaUrl = new URL('../src/pipeline/config/validator.js', import.meta.url);
  const built = createRequire(schemaUrl)(PRECOMPILED_VALIDATOR) as ValidateFunction & { schemaHash?: string };
  assert.equal(built.schemaHash, validatorHash(), 'made from this schema and these options (npm run build remakes it)');
  assert.equal(validator(), built, 'the schema module uses the built validator');
  const now = compileValidator().validate;
  const cases: unknown[] = [
    { name: 'a', ensembles: ['CUE'], sizes: [8] },
    { name: 'a', ensembles: ['CUE'], sizes: [8], matrices: 1e12 },
    { name: 'a', ensembles: [{ ensemble: 'COE', method: 'bristol' }], sizes: [8, 'x'], delta: -1 },
    { name: 'a', experiment: 'csd', networks: [{ path: 'm.npz', allowPaths: [3] }], csd: { draws: 0 } },
    { nme: 'typo', sizes: 'all', uncertainty: { level: 1.5 } },
    [], 'text', null,
  ];
  const shape = (v: ValidateFunction) => (v.errors ?? []).map((e) => `${e.instancePath} ${e.keyword} ${e.message}`);
  for (const c of cases) {
    assert.equal(built(c), now(c), JSON.stringify(c));
    assert.deepEqual(shape(built), shape(now), JSON.stringify(c));
  }
});
