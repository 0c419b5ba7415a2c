// ergo csd as a process, killed (SIGKILL) mid-run and resumed: csd.json byte-identical to an
// uninterrupted run, only the missing spectra computed, the spectra cached before the kill
// untouched. Two of the real networks (scripts/fetch-models.mjs), chunks slowed by the test
// hook (helpers/hooks.ts) so the kill lands mid-run on any machine.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { testNeeding, modelsMissing } from '../helpers/resources.js';
import { repoRoot, ergo, spawnCli, tempDir, NO_FIGURES } from '../helpers/cli.js';
import { arrowFiles } from '../helpers/rundir.js';

const MODELS = process.env.ERGO_MODELS_CACHE ?? join(repoRoot, '.cache', 'models');
const NETS = ['upscaler-default/model.json', 'silero-vad/silero_vad.onnx'].map((f) => join(MODELS, f));
const skipReal = modelsMissing(NETS.map((f) => relative(MODELS, f)));

const listFiles = arrowFiles;

testNeeding(skipReal, 'ergo csd killed (SIGKILL, 1 worker) and resumed (2 workers): csd.json identical to the uninterrupted run, only missing spectra computed', { timeout: 600_000 }, async () => {
  const base = tempDir();
  const args = (workers: string, tag: string) => ['csd', ...NETS, '--gaussian-init', '--draws', '3', '--seed', 'cli-csd', ...NO_FIGURES, '--workers', workers, '--out', join(base, `out${tag}`), '--cache', join(base, `cache${tag}`)];
  const full = await ergo(args('2', 'A'));
  assert.equal(full.status, 0, full.stderr);
  const fullJson = readFileSync(join(base, 'outA', 'results', 'csd.json'));
  const fullCache = listFiles(join(base, 'cacheA'));

  const cacheB = join(base, 'cacheB');
  const child = spawnCli(args('1', 'B'), { env: { ERGO_TEST_CHUNK_DELAY_MS: '200' } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  let killedAt = -1;
  for (let t = 0; t < 24_000 && child.exitCode === null; t++) {
    const n = listFiles(cacheB).size;
    if (n >= fullCache.size / 3) {
      child.kill('SIGKILL');
      killedAt = n;
      break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  await exited;
  assert.ok(killedAt > 0, `the run ended before it could be killed: ${stderr}`);
  const before = listFiles(cacheB);
  assert.ok(before.size < fullCache.size, `${before.size} of ${fullCache.size} spectra cached at the kill`);
  assert.ok(!existsSync(join(base, 'outB', 'results', 'csd.json')), 'no results from the killed run');

  // The resume and the third run are not the process under test: in this process (ergo()).
  const again = await ergo(args('2', 'B'));
  assert.equal(again.status, 0, again.stderr);
  assert.ok(readFileSync(join(base, 'outB', 'results', 'csd.json')).equals(fullJson), 'resumed csd.json differs from the uninterrupted one');
  assert.equal(again.stdout, full.stdout);
  const after = listFiles(cacheB);
  assert.deepEqual([...after.keys()].sort(), [...fullCache.keys()].sort());
  // Only what was missing was computed; every spectrum cached before the kill is untouched.
  const m = /spectra: (\d+) computed, (\d+) from the cache/.exec(again.stderr);
  assert.ok(m, again.stderr);
  assert.equal(Number(m[1]), fullCache.size - before.size);
  for (const [f, st] of before) assert.deepEqual(after.get(f), st, `${f} was rewritten`);
  // A third run computes nothing.
  const third = await ergo(args('2', 'B'));
  assert.equal(third.status, 0, third.stderr);
  assert.match(third.stderr, /spectra: 0 computed, \d+ from the cache/);
});
