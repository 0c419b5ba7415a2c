// runCli is safe to call in-process (what the fast suite and other tools do): it installs no
// signal handlers and never exits the process unless bin/ergo.js asks for it (interrupt:
// 'process'), stops on the caller's AbortSignal, and resolves paths, those inside a YAML
// config included, against its io.cwd rather than the process's working directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ergo, tempDir } from './helpers/cli.js';
import { npyBytes } from './helpers/weightfiles.js';

const SWEEP = 'name: inproc\nseed: 2\nmethod: spectral\nensembles: [CUE]\nsizes: [8]\nmatrices: 8\nchunk: 2\n';

test('an in-process run adds no SIGINT/SIGTERM listeners, during or after, and leaves process.exitCode alone', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'c.yaml'), SWEEP);
  const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
  const during: number[][] = [];
  const exitCode = process.exitCode;
  const r = await ergo(['run', 'c.yaml', '--workers', '0'], { cwd: dir, hooks: { beforeChunk: () => void during.push([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]) } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(during.length, 4, 'four chunks ran');
  for (const d of during) assert.deepEqual(d, before, 'no handlers while running');
  assert.deepEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], before);
  assert.equal(process.exitCode, exitCode);
});

test("the caller's AbortSignal stops the run like Ctrl-C: exit 130, a resume line, the same command then completes", async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'c.yaml'), SWEEP);
  const ac = new AbortController();
  let chunks = 0;
  const r = await ergo(['run', 'c.yaml', '--workers', '0'], { cwd: dir, signal: ac.signal, hooks: { beforeChunk: () => void (++chunks === 2 && ac.abort()) } });
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /ergo: interrupted with [12]\/4 chunks done \(consistent\); resume with: ergo run c\.yaml/);
  const again = await ergo(['run', 'c.yaml', '--workers', '0'], { cwd: dir });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /chunks: [23] computed, [12] already done/);
});

test("a YAML config's relative model path and the default run directory resolve against io.cwd, not the process's", async () => {
  const dir = tempDir();
  const a = new Float64Array(6 * 9).map((_, i) => Math.sin(i + 1));
  writeFileSync(join(dir, 'm.npy'), npyBytes(a, [6, 9]));
  writeFileSync(join(dir, 'c.yaml'), 'name: rel\nexperiment: cpse\nnetworks:\n  - { path: m.npy }\n');
  assert.notEqual(process.cwd(), dir);
  const r = await ergo(['run', 'c.yaml', '--workers', '0'], { cwd: dir, env: { ERGO_CACHE: join(dir, 'cache') } });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'runs', 'rel', 'results')), 'run directory under io.cwd');
  assert.ok(!existsSync(join(process.cwd(), 'runs', 'rel')), 'nothing under the process cwd');
});
