// Command-line guards (issue 10, "Exhaustion and escapes"): `--out -q` must not create a
// folder named "-q", and `--workers 1000` must not start a thousand threads.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ergo, tempDir } from './helpers/cli.js';
import { flagLikeValue, workersCheck, workers, WORKERS_PER_CORE } from '../src/cli/parsers.js';
import { UsageError } from '../src/cli/errors.js';

const opts = [
  { long: '--out', short: '-o', required: true },
  { long: '--seed', required: true },
  { long: '--quiet', short: '-q' },
];

describe('option values that look like flags', () => {
  test('a separate value starting with a dash and a letter is refused, naming the option and the way to mean it', async () => {
    assert.equal(flagLikeValue(['run', 'c.yaml', '--out', '-q'], opts), '--out: the value "-q" looks like an option (was the value forgotten?); if you mean it, write --out=-q');
    assert.match(flagLikeValue(['run', '-o', '--fresh'], opts)!, /^-o: the value "--fresh" looks like an option/);
  });

  test('numbers, attached values, flags without values and operands after -- pass', async () => {
    assert.equal(flagLikeValue(['--seed', '-5'], opts), undefined);
    assert.equal(flagLikeValue(['--seed', '-0.5'], opts), undefined);
    assert.equal(flagLikeValue(['--out=-q'], opts), undefined);
    assert.equal(flagLikeValue(['-q', '--out', 'dir'], opts), undefined);
    assert.equal(flagLikeValue(['--', '--out', '-q'], opts), undefined);
  });

  test('ergo run c.yaml --out -q: exit 2, one line, no folder named -q', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.yaml'), 'name: c\nmethod: spectral\nensembles: [CUE]\nsizes: [8]\nmatrices: 2\n');
    const r = await ergo(['run', 'c.yaml', '--out', '-q', '--workers', '0'], { cwd: dir });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, 'ergo: --out: the value "-q" looks like an option (was the value forgotten?); if you mean it, write --out=-q\n');
    assert.deepEqual(readdirSync(dir), ['c.yaml'], 'nothing created');
    assert.ok(!existsSync(join(dir, '-q')));
  });

  test('ergo cpse m.npy --cache --json: the same guard on every command', async () => {
    const dir = tempDir();
    const r = await ergo(['cpse', 'm.npy', '--cache', '--json'], { cwd: dir });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^ergo: --cache: the value "--json" looks like an option/);
    assert.deepEqual(readdirSync(dir), [], 'nothing created');
  });
});

describe('--workers', () => {
  test('above WORKERS_PER_CORE x cores: refused; above the cores: a warning; otherwise nothing', async () => {
    assert.match(workersCheck(1000, 2).error!, /^--workers: 1000 is more than 4 x the 2 cores of this machine; use at most 8/);
    assert.equal(workersCheck(8, 2).error, undefined);
    assert.match(workersCheck(8, 2).warning!, /more than the 2 cores/);
    assert.deepEqual(workersCheck(2, 2), {});
    assert.deepEqual(workersCheck(0, 2), {});
  });

  test('the --workers parser refuses 1000 on this machine with a UsageError (exit 2)', async () => {
    const cores = availableParallelism();
    assert.ok(1000 > WORKERS_PER_CORE * cores, 'this test assumes fewer than 250 cores');
    assert.throws(() => workers('1000'), (e: unknown) => e instanceof UsageError && /--workers: 1000 is more than/.test(e.message));
    assert.equal(workers(String(cores)), cores);
  });

  test('ergo run --workers 1000: exit 2 with the limit, before any work', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.yaml'), 'name: c\nmethod: spectral\nensembles: [CUE]\nsizes: [8]\nmatrices: 2\n');
    const r = await ergo(['run', 'c.yaml', '--workers', '1000'], { cwd: dir });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^ergo: --workers: 1000 is more than 4 x the \d+ cores? of this machine; use at most \d+/);
    assert.ok(!existsSync(join(dir, 'runs')));
  });

  test('ergo run --workers above the core count: a warning, and the run completes', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.yaml'), 'name: c\nmethod: spectral\nensembles: [CUE]\nsizes: [8]\nmatrices: 2\n');
    const r = await ergo(['run', 'c.yaml', '--workers', String(availableParallelism() + 1)], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^ergo: warning: --workers \d+ is more than the \d+ cores? of this machine/m);
  });
});
