// Sharded runs with no server (`ergo run <config> --shard I/N`, one Slurm array task each):
// 4 shards at once in one directory, then a plain run that adopts their chunk files and
// aggregates; chunk files and results byte-identical to a local run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ergo, spawnCli, tempDir, NO_FIGURES } from './helpers/cli.js';
import { runFiles } from './helpers/rundir.js';
import { tinySweep2017 } from './helpers/sweep.js';

const CFG = tinySweep2017('shard-2017');
const TOTAL = 3 * 2 * 4; // ensembles x sizes x chunks per size

function config(): string {
  const file = join(tempDir('ergo-shard-cfg-'), 'run.yaml');
  writeFileSync(file, CFG);
  return file;
}

const files = runFiles;

function same(got: string, want: string, sub: string): void {
  const a = files(got, sub);
  const b = files(want, sub);
  assert.deepEqual([...a.keys()], [...b.keys()], `${sub}: file names`);
  for (const [f, bytes] of b) assert.ok(a.get(f)!.equals(bytes), `${sub}/${f} differs from the local run's`);
}

function run(args: string[]): Promise<{ code: number | null; out: string }> {
  const p = spawnCli(args);
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((r) => p.once('exit', (code) => r({ code, out })));
}

test('4 concurrent --shard I/4 runs into one directory, then a plain run: byte-identical chunks and results, nothing recomputed', { timeout: 600_000 }, async () => {
  const cfg = config();
  const dir = tempDir('ergo-shard-run-');
  // The 4 shards are processes (4 Slurm tasks at once, each with its own lock); the local
  // reference and the later runs use the CLI in this process (they are not what is under test).
  // Everything computes on the main thread (--workers 0): threads are not what is under test either.
  const shardRuns = Promise.all([0, 1, 2, 3].map((i) => run(['run', cfg, '--out', dir, ...NO_FIGURES, '--shard', `${i}/4`, '--workers', '0'])));
  const localDir = tempDir('ergo-shard-local-');
  const l = await ergo(['run', cfg, '--out', localDir, ...NO_FIGURES, '--workers', '0']);
  assert.equal(l.status, 0, l.stderr);
  const shards = await shardRuns;
  shards.forEach((s, i) => {
    assert.equal(s.code, 0, `shard ${i}/4\n${s.out}`);
    assert.match(s.out, new RegExp(`shard ${i}/4 done \\(nothing aggregated\\)`));
    assert.match(s.out, /chunks: 6 computed, 0 already done/, `shard ${i}/4 computes its quarter`);
  });
  assert.equal(files(dir, 'chunks').size, TOTAL, 'every chunk written by some shard');
  assert.ok(!existsSync(join(dir, 'results')), 'shards aggregate nothing');
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.lock')), [], 'shard locks released');

  // A shard run again finds its chunks done.
  const again = await ergo(['run', cfg, '--out', dir, ...NO_FIGURES, '--shard', '2/4', '--workers', '0']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /chunks: 0 computed, 6 already done/);

  const final = await ergo(['run', cfg, '--out', dir, ...NO_FIGURES, '--workers', '1']);
  assert.equal(final.code, 0, final.stderr);
  assert.match(final.stderr, new RegExp(`chunks: 0 computed, ${TOTAL} already done`));
  same(dir, localDir, 'chunks');
  same(dir, localDir, 'results');
});

test('a plain run refuses a directory a live shard holds, and a shard refuses one a plain run holds', async () => {
  const cfg = config();
  const dir = tempDir('ergo-shard-lock-');
  const host = (await import('node:os')).hostname();
  const live = JSON.stringify({ pid: process.pid, host, started: new Date().toISOString() }); // this test process: alive
  writeFileSync(join(dir, 'shard-1-of-3.lock'), live);
  const plain = await ergo(['run', cfg, '--out', dir, ...NO_FIGURES, '--workers', '0']);
  assert.equal(plain.status, 2, plain.stderr);
  assert.match(plain.stderr, /is in use by shard 1\/3 \(pid \d+/);
  assert.ok(!existsSync(join(dir, 'run.lock')), 'its own lock released');

  const dir2 = tempDir('ergo-shard-lock-');
  writeFileSync(join(dir2, 'run.lock'), live);
  const sh = await ergo(['run', cfg, '--out', dir2, ...NO_FIGURES, '--shard', '0/3', '--workers', '0']);
  assert.equal(sh.status, 2, sh.stderr);
  assert.match(sh.stderr, /is in use by a run without --shard/);
  assert.ok(!existsSync(join(dir2, 'chunks')), 'nothing computed');
});

test('--shard: I/N checked (0 <= I < N), and --fresh refused with it', async () => {
  for (const [args, re] of [
    [['--shard', '4/4'], /--shard: expected I\/N with 0 <= I < N/],
    [['--shard', 'a/b'], /--shard: expected I\/N/],
    [['--shard', '0/0'], /--shard: expected I\/N/],
    [['--shard', '0/2', '--fresh'], /--shard and --fresh/],
  ] as const) {
    const r = await ergo(['run', config(), '--out', tempDir(), ...args]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, re);
  }
});
