// `ergo cpse` and `ergo csd` write a run directory like a sweep (manifest + Arrow chunks):
// `ergo status` and `ergo export` read it; SIGKILL in the middle of a run, then the same
// command again, gives chunk files and results identical to an uninterrupted run. Also: a
// plot-only change resumes a YAML run, a data change is refused naming the key; a kernel bug
// exits 1 and a user mistake exits 2, each with one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createStream } from '../src/rng/index.js';
import { cliPath, repoRoot, ergo, spawnCli, tempDir, type CliResult, NO_FIGURES } from './helpers/cli.js';
import { absHaar } from './helpers/haar.js';
import { npyBytes, safetensorsBytes, synthNetwork } from './helpers/weightfiles.js';

const dir = tempDir('ergo-netruns-');
const synth = join(dir, 'synth.safetensors');
writeFileSync(synth, safetensorsBytes(synthNetwork(), 'F32'));
const s = createStream('network-runs');
const circ = join(dir, 'circ.safetensors');
writeFileSync(circ, safetensorsBytes([16, 24, 32].map((n, l) => ({ name: `layer${l}.weight`, shape: [n, n], data: absHaar(n, s) })), 'F64'));

function files(d: string): Map<string, Buffer> {
  return new Map(readdirSync(d).sort().map((f) => [f, readFileSync(join(d, f))]));
}

function assertSameFiles(a: string, b: string, what: string): void {
  const fa = files(a), fb = files(b);
  assert.deepEqual([...fb.keys()], [...fa.keys()], `${what}: same files`);
  for (const [k, v] of fa) assert.ok(v.equals(fb.get(k)!), `${what}: ${k} differs`);
}

/** Run `args` slowed down by the test hook, SIGKILL it once `atLeast` chunk files exist, then rerun it unhooked. */
async function killAndResume(args: string[], out: string, atLeast: number): Promise<CliResult> {
  const child = spawnCli(args, { env: { ERGO_TEST_CHUNK_DELAY_MS: '250' } });
  const chunks = join(out, 'chunks');
  await new Promise<void>((resolve, reject) => {
    const t0 = Date.now();
    const tick = (): void => {
      const n = existsSync(chunks) ? readdirSync(chunks).filter((f) => f.endsWith('.arrow')).length : 0;
      if (n >= atLeast) return resolve();
      if (Date.now() - t0 > 60_000) return reject(new Error('the run did not start'));
      setTimeout(tick, 20);
    };
    tick();
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { chunks: { state: string }[] };
  assert.ok(manifest.chunks.some((c) => c.state !== 'done') || readdirSync(chunks).length < manifest.chunks.length, 'killed mid-run');
  return ergo(args);
}

test('ergo cpse: run directory with manifest and chunks; status and export read it; kill -9 and rerun = uninterrupted', async () => {
  const outA = join(dir, 'cpseA');
  const a = await ergo(['cpse', synth, '--out', outA, '--cache', join(dir, 'cacheA'), ...NO_FIGURES, '--workers', '0']); // the reference: main thread
  assert.equal(a.status, 0, a.stderr);
  const m = JSON.parse(readFileSync(join(outA, 'manifest.json'), 'utf8'));
  assert.equal(m.config.experiment, 'cpse');
  assert.equal(m.chunks.length, 7);
  assert.ok(m.chunks.every((c: { state: string }) => c.state === 'done'));
  const st = await ergo(['status', outA]);
  assert.equal(st.status, 0, st.stderr);
  assert.match(st.stdout, /^cpse \(cpse\)/);
  assert.match(st.stdout, /synth layer 0 conv0\.weight\s+1\s+0\s+0\s+1/);
  assert.match(st.stdout, /total\s+7\s+0\s+0/);
  const ex = await ergo(['export', outA, '--format', 'npy']);
  assert.equal(ex.status, 0, ex.stderr);
  assert.equal(readdirSync(join(outA, 'export')).filter((f) => f.endsWith('.npy')).length, 7);

  const outB = join(dir, 'cpseB');
  const args = ['cpse', synth, '--out', outB, '--cache', join(dir, 'cacheB'), ...NO_FIGURES, '--workers', '1'];
  const again = await killAndResume(args, outB, 3);
  assert.equal(again.status, 0, again.stderr);
  assertSameFiles(join(outA, 'chunks'), join(outB, 'chunks'), 'cpse chunks');
  assert.ok(readFileSync(join(outA, 'results', 'cpse.csv')).equals(readFileSync(join(outB, 'results', 'cpse.csv'))), 'cpse.csv identical');
  const [ja, jb] = [outA, outB].map((o) => JSON.parse(readFileSync(join(o, 'results', 'cpse.json'), 'utf8')).networks[0]);
  assert.deepEqual([jb.dLayers, jb.cpse], [ja.dLayers, ja.cpse]);
});

test('ergo csd: kill -9 and rerun = uninterrupted (csd.json and every chunk file byte-identical)', async () => {
  const common = ['--draws', '3', '--bins', '200'];
  const outA = join(dir, 'csdA');
  const a = await ergo(['csd', circ, ...common, ...NO_FIGURES, '--workers', '0', '--out', outA, '--cache', join(dir, 'ccacheA')]); // the reference: main thread
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stderr, /spectra: 12 computed, 0 from the cache/); // 3 layers + 3 draws x 3 orders
  // and the fresh cache received exactly the spectra computed (cli.csd's full run relies on this)
  assert.equal(readdirSync(join(dir, 'ccacheA'), { recursive: true }).filter((f) => String(f).endsWith('.arrow')).length, 12);
  const outB = join(dir, 'csdB');
  const args = ['csd', circ, ...common, ...NO_FIGURES, '--workers', '1', '--out', outB, '--cache', join(dir, 'ccacheB')];
  const again = await killAndResume(args, outB, 4);
  assert.equal(again.status, 0, again.stderr);
  assertSameFiles(join(outA, 'chunks'), join(outB, 'chunks'), 'csd chunks');
  assert.ok(readFileSync(join(outA, 'results', 'csd.json')).equals(readFileSync(join(outB, 'results', 'csd.json'))), 'csd.json identical');
  const st = await ergo(['status', outB, '--json']);
  assert.equal(st.status, 0, st.stderr);
  assert.deepEqual(JSON.parse(st.stdout).totals, { done: 12, pending: 0, failed: 0 });
});

test('YAML run: changing plot.* (or name) resumes; changing a data key is refused with the key named', async () => {
  const yaml = (extra: string) => `name: plots\nseed: 5\nmethod: spectral\nensembles: [CUE]\nsizes: [8, 12]\nmatrices: 4\nchunk: 2\n${extra}`;
  const cfg = join(dir, 'plots.yaml');
  const out = join(dir, 'plots-run');
  writeFileSync(cfg, yaml('plot:\n  maxPoints: 100\n'));
  const first = await ergo(['run', cfg, '--out', out, ...NO_FIGURES, '--workers', '0']);
  assert.equal(first.status, 0, first.stderr);
  writeFileSync(cfg, yaml('plot:\n  maxPoints: 50\n  eigenphaseSize: 8\ndelta: 0.3\n'));
  const second = await ergo(['run', cfg, '--out', out, ...NO_FIGURES, '--workers', '0']);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stderr, /chunks: 0 computed, 4 already done/);
  writeFileSync(cfg, yaml('matrices: 6\n').replace('matrices: 4\n', ''));
  const third = await ergo(['run', cfg, '--out', out, ...NO_FIGURES, '--workers', '0']);
  assert.equal(third.status, 2, third.stderr);
  assert.match(third.stderr.trim(), /^ergo: .* holds a run of a different config \(changed: matrices\)/);
  assert.equal(third.stderr.trim().split('\n').length, 1);
});

test('a kernel bug exits 1 with one line (stack with ERGO_DEBUG=1); a user mistake exits 2 with one line', async () => {
  const npy = join(dir, 'eigs.npy');
  const npy4 = join(dir, 'eigs4.npy');
  writeFileSync(npy, npyBytes([0.1, 0.5, 0.9, 0.2, 0.4, 0.8], [2, 3])); // 2 matrices x 3 real eigenvalues
  writeFileSync(npy4, npyBytes([0.1, 0.3, 0.5, 0.9, 0.2, 0.4, 0.6, 0.8], [2, 4])); // and x 4: one D_se
  assert.equal((await ergo(['analyze', npy, npy4])).status, 0, 'the files themselves are fine');
  // The bug: a kernel that throws a RangeError (Math.log2 replaced before the CLI starts).
  const bug = join(dir, 'bug.mjs');
  writeFileSync(bug, 'Math.log2 = () => { throw new RangeError("simulated kernel bug"); };\n');
  const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['--import', bug, cliPath, 'analyze', npy, npy4], { cwd: repoRoot, env: { ...process.env, ...env }, encoding: 'utf8' });
  const r = run({ ERGO_DEBUG: '' });
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.deepEqual(lines, ['ergo: internal error: simulated kernel bug', 'ergo: (set ERGO_DEBUG=1 for the stack trace, and please report it)']);
  const d = run({ ERGO_DEBUG: '1' });
  assert.equal(d.status, 1);
  assert.match(d.stderr, /RangeError: simulated kernel bug\n\s+at /);
  // The mistake: a file that does not exist, and a model without layer matrices.
  const missing = await ergo(['analyze', join(dir, 'nope.npy')]);
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  const noLayers = join(dir, 'bias.safetensors');
  writeFileSync(noLayers, safetensorsBytes([{ name: 'b', shape: [4], data: new Float64Array(4) }], 'F32'));
  const nl = await ergo(['cpse', noLayers, '--out', join(dir, 'nl'), '--cache', join(dir, 'nlc'), ...NO_FIGURES, '--workers', '0']);
  assert.equal(nl.status, 2, nl.stderr);
  assert.match(nl.stderr.trim(), /^ergo: .*bias\.safetensors: no layer matrices found/);
  assert.equal(nl.stderr.trim().split('\n').length, 1, nl.stderr);
});
