// What the commands write and when (docs/cli.md), in-process through runCli:
//  - --json alone writes no files; -o/--out DIR writes them;
//  - a run directory loses the previous run's results and plots, never the user's files or chunks;
//  - a bad model in a batch is reported, the others finish, exit 3 (partial);
//  - cpse.json is the same bytes for a first and a cached run (cache counts: cpse-provenance.json);
//  - analyze refuses to pool different ensembles without --pool; analyze --density;
//  - --no-report / --no-plots leave out the HTML page / the SVG files (ergo report writes the page later);
//  - cpse --spectra FILE.npz reproduces a network's cPSE from its exported spectra.
// Expected cPSE of the synthetic network: test/fixtures/synth-cpse.json (numpy, synth_cpse.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ergo, tempDir, NO_FIGURES } from './helpers/cli.js';
import { synthNetwork, safetensorsBytes } from './helpers/weightfiles.js';
import { synthExpected } from './helpers/expected.js';
import { encodeNpy, encodeNpz } from '../src/pipeline/report/npy.js';
import { readNpyFile } from '../src/weights/npy.js';

const dir = tempDir('ergo-outputs-');
const synth = join(dir, 'synth.safetensors');
writeFileSync(synth, safetensorsBytes(synthNetwork(), 'F64'));
const bad = join(dir, 'broken.safetensors');
writeFileSync(bad, Buffer.from('this is not a safetensors file at all'));
const SYNTH_DEF = synthExpected().definition;
const close = (a: number, b: number, rtol: number) => Math.abs(a - b) <= rtol * Math.abs(b);

test('--json alone writes no files (cpse, csd, run); -o writes them', async () => {
  const cwd = tempDir('ergo-json-cwd-');
  const cache = tempDir('ergo-json-cache-');
  const yaml = join(dir, 'tiny.yaml');
  writeFileSync(yaml, ['name: tiny', 'seed: 3', 'method: spectral', 'ensembles: [CUE]', 'sizes: [4, 8]', 'matrices: 2', 'chunk: 2', ''].join('\n'));
  const cached = ['--cache', cache];
  for (const argv of [['cpse', synth, ...cached], ['csd', synth, '--draws', '1', ...cached], ['run', yaml]]) {
    const r = await ergo([...argv, '--json', '--workers', '0'], { cwd });
    assert.equal(r.code, 0, `${argv[0]}: ${r.stderr}`);
    assert.ok(JSON.parse(r.stdout).tool === 'ergo');
    assert.deepEqual(readdirSync(cwd), [], `${argv[0]} --json wrote nothing in the working directory`);
    assert.doesNotMatch(r.stderr, /wrote/);
  }
  const w = await ergo(['cpse', synth, '--json', '--cache', cache, '--workers', '0', '-o', 'kept'], { cwd });
  assert.equal(w.code, 0, w.stderr);
  assert.ok(existsSync(join(cwd, 'kept', 'results', 'cpse.json')));
  const m = await ergo(['run', yaml, '--json', '--workers', '0', '-o', 'sweep'], { cwd });
  assert.equal(m.code, 0, m.stderr);
  assert.ok(existsSync(join(cwd, 'sweep', 'results', 'results.json')));
});

test('--no-report and --no-plots (cpse, run, mme): the results without the page or the SVG files, the last run\'s removed; ergo report writes the page later', async () => {
  const cache = tempDir('ergo-nofig-cache-');
  const out = join(dir, 'no-figures');
  const page = join(out, 'results', 'report.html');
  const depth = join(out, 'plots', 'cpse-depth.svg');
  const cpse = (...flags: string[]) => ergo(['cpse', synth, '--cache', cache, '--workers', '0', '-o', out, ...flags]);
  const full = await cpse();
  assert.equal(full.code, 0, full.stderr);
  assert.ok(existsSync(page) && existsSync(depth), 'page and plot by default');
  const noPage = await cpse('--no-report');
  assert.equal(noPage.code, 0, noPage.stderr);
  assert.ok(existsSync(join(out, 'results', 'cpse.json')) && existsSync(depth), 'results and plot');
  assert.ok(!existsSync(page), 'no page, and not the last run\'s either');
  assert.match(noPage.stderr, /wrote .*cpse\.json/);
  assert.doesNotMatch(noPage.stderr, /report\.html/);
  const rep = await ergo(['report', out]);
  assert.equal(rep.code, 0, rep.stderr);
  assert.match(readFileSync(page, 'utf8'), /<svg[\s>]/, 'ergo report draws the page from the directory');
  const noPlots = await cpse('--no-plots');
  assert.equal(noPlots.code, 0, noPlots.stderr);
  assert.ok(!existsSync(depth), 'no plot, and not the last run\'s either');
  assert.match(readFileSync(page, 'utf8'), /<svg[\s>]/, 'the page draws its figures without plots/');

  const yaml = join(dir, 'no-figures.yaml');
  writeFileSync(yaml, ['name: lean', 'seed: 3', 'method: spectral', 'ensembles: [CUE]', 'sizes: [4, 8]', 'matrices: 2', 'chunk: 2', ''].join('\n'));
  const runs: [string, string[]][] = [
    ['run', ['run', yaml, '--workers', '0']],
    ['mme', ['mme', '--ensemble', 'CUE', '--order', '4', '--p', '0.5', '--count', '3']],
  ];
  for (const [name, argv] of runs) {
    const o = join(dir, `no-figures-${name}`);
    const r = await ergo([...argv, '-o', o, '--no-report', '--no-plots']);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    assert.ok(readdirSync(join(o, 'results')).some((f) => f.endsWith('.json')), `${name}: results written`);
    assert.ok(!existsSync(join(o, 'plots')) || readdirSync(join(o, 'plots')).length === 0, `${name}: no plots`);
    assert.ok(!existsSync(join(o, 'results', 'report.html')), `${name}: no page`);
  }
});

test('a rerun into the same directory removes the last run\'s plots and results, not the user\'s files or the chunks', async () => {
  const out = join(dir, 'stale');
  const cache = tempDir('ergo-stale-cache-');
  // Two networks of two families: csd draws one CSD figure per family (plots/csd-<family>.svg).
  const alpha = join(dir, 'alpha.safetensors');
  const beta = join(dir, 'beta.safetensors');
  writeFileSync(alpha, safetensorsBytes(synthNetwork(), 'F64'));
  writeFileSync(beta, safetensorsBytes(synthNetwork().slice(0, 4), 'F64'));
  const first = await ergo(['csd', alpha, beta, '-o', out, '--cache', cache, '--workers', '0', '--draws', '1']);
  assert.equal(first.code, 0, first.stderr);
  assert.ok(existsSync(join(out, 'plots', 'csd-beta.svg')));
  writeFileSync(join(out, 'plots', 'my-notes.txt'), 'mine');
  writeFileSync(join(out, 'results', 'my-table.csv'), 'mine');
  // The same networks again with another tolerance: same data, chunks kept, new results.
  const chunks = readdirSync(join(out, 'chunks')).sort();
  const second = await ergo(['csd', alpha, beta, '-o', out, '--cache', cache, '--workers', '0', '--draws', '1', '--equivalence-tolerance', '0.5']);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(readdirSync(join(out, 'chunks')).sort(), chunks, 'chunks kept');
  assert.equal(JSON.parse(readFileSync(join(out, 'results', 'csd.json'), 'utf8')).delta, 0.5, 'new results written');
  // Only alpha now: beta's figure belonged to the last run and must not stay behind.
  const third = await ergo(['csd', alpha, '-o', out, '--cache', cache, '--workers', '0', '--draws', '1']);
  assert.equal(third.code, 0, third.stderr);
  assert.ok(existsSync(join(out, 'plots', 'csd-alpha.svg')));
  assert.ok(!existsSync(join(out, 'plots', 'csd-beta.svg')), 'stale plot removed');
  assert.equal(readFileSync(join(out, 'plots', 'my-notes.txt'), 'utf8'), 'mine');
  assert.equal(readFileSync(join(out, 'results', 'my-table.csv'), 'utf8'), 'mine');
});

test('a bad model in a batch is reported, the others finish, exit 3 (partial); all bad: exit 2', async () => {
  const cache = tempDir('ergo-batch-cache-');
  for (const cmd of [['cpse'], ['csd', '--draws', '1']]) {
    const r = await ergo([cmd[0]!, synth, bad, ...cmd.slice(1), '--json', '--cache', cache, '--workers', '0']);
    assert.equal(r.code, 3, `${cmd[0]}: ${r.stderr}`);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.networks.map((n: { name: string }) => n.name), ['synth']);
    assert.equal(j.skipped.length, 1);
    assert.equal(j.skipped[0].name, 'broken');
    assert.match(j.skipped[0].error, /broken\.safetensors/);
    assert.match(r.stderr, /^ergo: skipped broken: .*broken\.safetensors/m);
    assert.match(r.stderr, /1 input\(s\) could not be read; the others finished \(exit 3: partial\)/);
  }
  const cpse = (await ergo(['cpse', synth, bad, '--json', '--cache', cache, '--workers', '0'])).stdout;
  assert.ok(close(JSON.parse(cpse).networks[0].cpse, SYNTH_DEF.cpse, 1e-9), 'the good network\'s cPSE is unaffected');
  const none = await ergo(['cpse', bad, join(dir, 'nothing-here.npz'), '--json', '--cache', cache, '--workers', '0']);
  assert.equal(none.code, 2, none.stderr);
  assert.equal(none.stdout, '');
  const yaml = join(dir, 'batch.yaml');
  writeFileSync(yaml, ['name: batch', 'experiment: cpse', 'networks:', `  - ${synth}`, `  - ${bad}`, ''].join('\n'));
  const run = await ergo(['run', yaml, '-o', join(dir, 'batch-run'), ...NO_FIGURES, '--workers', '0']);
  assert.equal(run.code, 3, run.stderr);
  assert.ok(existsSync(join(dir, 'batch-run', 'results', 'cpse.json')));
});

test('cpse.json: identical bytes for a first and a cached run; the cache counts are in cpse-provenance.json', async () => {
  const cache = tempDir('ergo-bytes-cache-');
  const [a, b] = [join(dir, 'bytes-a'), join(dir, 'bytes-b')];
  for (const out of [a, b]) {
    const r = await ergo(['cpse', synth, '-o', out, '--cache', cache, ...NO_FIGURES, '--workers', '0']);
    assert.equal(r.code, 0, r.stderr);
  }
  assert.ok(readFileSync(join(a, 'results', 'cpse.json')).equals(readFileSync(join(b, 'results', 'cpse.json'))), 'cpse.json differs');
  const [pa, pb] = [a, b].map((o) => JSON.parse(readFileSync(join(o, 'results', 'cpse-provenance.json'), 'utf8')));
  assert.deepEqual([pa.networks[0].computedLayers, pb.networks[0].computedLayers], [7, 0]);
  assert.equal(pa.tool, 'ergo');
  const res = JSON.parse(readFileSync(join(a, 'results', 'cpse.json'), 'utf8'));
  assert.ok(!('computedLayers' in res.networks[0]) && !('cached' in res.networks[0].layers[0]) && !('backend' in res.networks[0].layers[0]));
});

// A small sweep (CUE and COE at N = 4 and 8), exported as .npy, for analyze.
let exported: Promise<string> | undefined;
function exportedSweep(): Promise<string> {
  exported ??= (async () => {
    const yaml = join(dir, 'two.yaml');
    writeFileSync(yaml, ['name: two', 'seed: 5', 'method: spectral', 'ensembles: [CUE, COE]', 'sizes: [4, 8]', 'matrices: 6', 'chunk: 3', ''].join('\n'));
    const run = await ergo(['run', yaml, '-o', join(dir, 'two'), ...NO_FIGURES, '--workers', '0', '-q']);
    assert.equal(run.code, 0, run.stderr);
    const ex = await ergo(['export', join(dir, 'two'), '--to', 'npy', '-q']);
    assert.equal(ex.code, 0, ex.stderr);
    return join(dir, 'two', 'export');
  })();
  return exported;
}

test('analyze refuses to pool different ensembles (npy exports and Arrow chunks) unless --pool', async () => {
  const ex = await exportedSweep();
  const cue = ['CUE-spectral-N0004.npy', 'CUE-spectral-N0008.npy'].map((n) => join(ex, n));
  const coe8 = join(ex, 'COE-spectral-N0008.npy');
  const ok = await ergo(['analyze', ...cue, '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  const mixed = await ergo(['analyze', cue[0]!, coe8]);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /the files hold different ensembles: CUE-spectral \(CUE-spectral-N0004\.npy\), COE-spectral \(COE-spectral-N0008\.npy\); .*--pool/);
  const sameN = await ergo(['analyze', cue[1]!, coe8]); // the same N: would be merged into one ensemble
  assert.equal(sameN.code, 2);
  const pooled = await ergo(['analyze', cue[0]!, coe8, '--pool', '--json']);
  assert.equal(pooled.code, 0, pooled.stderr);
  const chunks = readdirSync(join(dir, 'two', 'chunks')).filter((c) => c.includes('N0008'));
  const arrow = await ergo(['analyze', ...chunks.map((c) => join(dir, 'two', 'chunks', c))]);
  assert.equal(arrow.code, 2, arrow.stderr);
  assert.match(arrow.stderr, /different ensembles: CUE-spectral .*COE-spectral|different ensembles: COE-spectral .*CUE-spectral/);
  // Layer spectra of a network (one matrix each, of different sizes) are not one ensemble either.
  const net = join(dir, 'layer-chunks');
  const c = await ergo(['cpse', synth, '-o', net, '--cache', tempDir('ergo-pool-cache-'), ...NO_FIGURES, '--workers', '0', '-q']);
  assert.equal(c.code, 0, c.stderr);
  const layerFiles = readdirSync(join(net, 'chunks')).slice(0, 2).map((f) => join(net, 'chunks', f));
  const layers = await ergo(['analyze', ...layerFiles]);
  assert.equal(layers.code, 2, layers.stderr);
  assert.match(layers.stderr, /different ensembles: layer 8x27 \([0-9a-f]{12}\) .*layer 16x72/);
});

test('analyze --density: the spectral density per size, as a table and in the JSON', async () => {
  const ex = await exportedSweep();
  const files = ['CUE-spectral-N0004.npy', 'CUE-spectral-N0008.npy'].map((n) => join(ex, n));
  const j = await ergo(['analyze', ...files, '--density', '--json']);
  assert.equal(j.code, 0, j.stderr);
  const d = JSON.parse(j.stdout).density as { n: number; matrices: number; edges: number[]; centres: number[]; density: number[] }[];
  assert.deepEqual(d.map((z) => [z.n, z.matrices]), [[4, 6], [8, 6]]);
  // Every eigenphase lies in one bin: the density (counts per matrix) sums to N.
  for (const z of d) {
    assert.ok(Math.abs(z.density.reduce((s, x) => s + x, 0) - z.n) < 1e-12, `N = ${z.n}: density sums to N`);
    assert.equal(z.centres.length, z.density.length);
    assert.equal(z.edges.length, z.density.length + 1);
  }
  const t = await ergo(['analyze', ...files, '--density']);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /^spectral density, N = 4, M = 6 \(eigenvalues per bin per matrix\):$/m);
  assert.match(t.stdout, /^\s+theta \(bin centre\)\s+density$/m);
  const rows = t.stdout.split('\n').filter((l) => /^\s+-?\d\.\d+(e[-+]\d+)?\s+\d/.test(l));
  assert.equal(rows.length, d[0]!.density.length + d[1]!.density.length);
  // Real eigenvalues: `bins` bins over min..max.
  const real = join(dir, 'real.npy');
  writeFileSync(real, encodeNpy({ dtype: '<f8', shape: [2, 5], data: [0.1, 0.2, 0.3, 0.4, 1.0, 0.5, 0.6, 0.7, 0.8, 0.9] }));
  const r = await ergo(['analyze', real, '--density', '--bins', '3', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const rd = JSON.parse(r.stdout).density[0];
  // Edges 0.1, 0.4, 0.7, 1.0 (by the definition semantics: K equal bins, last edge = max);
  // counts [0.1,0.2,0.3 | 0.4,0.5,0.6 | 0.7,0.8,0.9,1.0] over 2 matrices.
  assert.deepEqual(rd.density, [1.5, 1.5, 2]);
});

test('cpse --spectra FILE.npz: a network\'s exported spectra give back its cPSE', async () => {
  const cache = tempDir('ergo-spectra-cache-');
  const out = join(dir, 'spectra-run');
  const net = await ergo(['cpse', synth, '-o', out, '--cache', cache, ...NO_FIGURES, '--workers', '0', '--json']);
  assert.equal(net.code, 0, net.stderr);
  const want = JSON.parse(net.stdout).networks[0];
  const ex = await ergo(['export', out, '--to', 'npy', '--out', join(dir, 'spectra-npy'), '-q']);
  assert.equal(ex.code, 0, ex.stderr);
  // One 1-D array per layer, in network order (the export names layers synth-L000, -L001, ...).
  const files = readdirSync(join(dir, 'spectra-npy')).sort();
  assert.equal(files.length, 7);
  const layers = files.map((f, i) => ({ name: want.layers[i].name, array: { dtype: '<f8' as const, shape: [readNpyFile(join(dir, 'spectra-npy', f)).data.length], data: readNpyFile(join(dir, 'spectra-npy', f)).data } }));
  const npz = join(dir, 'synth-spectra.npz');
  writeFileSync(npz, encodeNpz(layers));
  const r = await ergo(['cpse', '--spectra', npz, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const got = JSON.parse(r.stdout).networks[0];
  assert.equal(got.cpse, want.cpse, 'same cPSE as the network run');
  assert.deepEqual(got.dLayers.map((d: { d: number }) => d.d), want.dLayers.map((d: { d: number }) => d.d));
  assert.ok(close(got.cpse, SYNTH_DEF.cpse, 1e-9), 'and the numpy fixture\'s');
  assert.deepEqual(got.layers.map((l: { name: string }) => l.name), want.layers.map((l: { name: string }) => l.name));
  const table = await ergo(['cpse', '--spectra', npz]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, new RegExp(`cPSE = ${SYNTH_DEF.cpse.toFixed(6).replace('.', '\\.')}`));
  // The archive's order is the depth order: reversed layers give another cPSE.
  const rev = join(dir, 'reversed.npz');
  writeFileSync(rev, encodeNpz([...layers].reverse()));
  const back = JSON.parse((await ergo(['cpse', '--spectra', rev, '--json'])).stdout).networks[0];
  assert.notEqual(back.cpse, want.cpse);
  // A member that is not one list of eigenvalues: one line naming the file and the member.
  const twoD = join(dir, 'two-d.npz');
  writeFileSync(twoD, encodeNpz([layers[0]!, { name: 'block', array: { dtype: '<f8', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] } }]));
  const e = await ergo(['cpse', '--spectra', twoD]);
  assert.equal(e.code, 2);
  assert.match(e.stderr, /^ergo: .*two-d\.npz: block: expected a 1-D array of eigenvalues \(one layer\), got shape \(2, 3\)\n$/);
  const both = await ergo(['cpse', synth, '--spectra', npz]);
  assert.equal(both.code, 2);
  const withOut = await ergo(['cpse', '--spectra', npz, '-o', join(dir, 'no-such-run')]);
  assert.equal(withOut.code, 2);
  assert.ok(!existsSync(join(dir, 'no-such-run')));
  const neither = await ergo(['cpse']);
  assert.equal(neither.code, 2);
  assert.match(neither.stderr, /missing model files \(or --spectra FILE\.npz\)/);
});
