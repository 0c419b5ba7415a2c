// `ergo layers` and `ergo cpse` end to end (the compiled CLI as a child process):
// the same weights in several formats and dtypes give the same layers, spectra and
// cPSE (real networks: test/cli.cpse-networks.test.ts); the reference's vanilla fixtures pass through
// the CLI; broken files end in one clear line and exit code 2; a second run is served
// from the layer cache; worker counts do not change results; YAML cpse runs resume.
//
// Expected numbers for the synthetic network come from numpy (test/fixtures/synth_cpse.py ->
// test/fixtures/synth-cpse.json, re-run by test/fixtures.synth.test.ts), never from ergo itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, repoRoot, NO_FIGURES } from './helpers/cli.js';
import { synthNetwork, safetensorsBytes, npzBytes, npyBytes, zipStore, type Tensor, type StDtype } from './helpers/weightfiles.js';
import { cli, cpseJson, layersJson, readCache, relClose, oneLineError, type Json } from './helpers/cpsecli.js';
import { synthExpected } from './helpers/expected.js';

// ---------------------------------------------------------------- the synthetic network
//
// numpy reference for SYNTH_*: test/fixtures/synth_cpse.py (test/helpers/weightfiles.ts builds
// the same tensors; the script's bristol transcription reproduces f_cpse_vanilla_gauss64_x10
// exactly, which checks the transcription against the reference package).
const SYNTH_LAYERS: [string, number[], number, number][] = [
  ['conv0.weight', [8, 3, 3, 3], 8, 27], ['conv1.weight', [16, 8, 3, 3], 16, 72], ['conv2.weight', [16, 16, 1, 1], 16, 16],
  ['fc0.weight', [32, 64], 32, 64], ['fc1.weight', [32, 8], 32, 8], ['fc2.weight', [4, 32], 4, 32], ['fc3.weight', [2, 4], 2, 4],
];
const EXPECTED = synthExpected();
const SYNTH_DEF = EXPECTED.definition;
const SYNTH_BRISTOL = EXPECTED.bristol;
const SYNTH_TRACE = EXPECTED.trace;
const SYNTH_MAXEIG = EXPECTED.maxEigenvalue;

const synthDir = tempDir('ergo-synth-');
const SYNTH = synthNetwork();
const synthFiles: Record<string, string> = {};
{
  const put = (name: string, bytes: Uint8Array) => {
    writeFileSync(join(synthDir, name), bytes);
    synthFiles[name] = join(synthDir, name);
  };
  for (const dt of ['F64', 'F32', 'F16', 'BF16'] as StDtype[]) put(`synth-${dt.toLowerCase()}.safetensors`, safetensorsBytes(SYNTH, dt));
  put('synth-mixed.safetensors', safetensorsBytes(SYNTH, (t) => (t.shape.length < 2 ? 'F32' : t.name.startsWith('conv') ? 'F16' : 'BF16')));
  put('synth-f8.npz', npzBytes(SYNTH, '<f8'));
  put('synth-f4.npz', npzBytes(SYNTH, '<f4'));
  put('synth-f2.npz', npzBytes(SYNTH, '<f2'));
}

test('synthetic network in 8 encodings (safetensors F64/F32/F16/BF16/mixed, npz f8/f4/f2): same layers, identical matrices and cPSE = numpy', async () => {
  const expectLayers = SYNTH_LAYERS.map(([name, shape, n, m], index) => ({ index, name, shape, n, m }));
  const files = Object.values(synthFiles);
  // `ergo layers` on one file per format (the cpse JSON below lists the layers of all 8)
  for (const file of [synthFiles['synth-bf16.safetensors']!, synthFiles['synth-f2.npz']!]) {
    const lj = await layersJson(file);
    assert.deepEqual(lj.layers.map(({ index, name, shape, n, m }: Json) => ({ index, name, shape, n, m })), expectLayers, `${file}: layer list`);
    assert.deepEqual(lj.warnings, [], `${file}: no warnings`);
  }
  // One run over all encodings with one cache: the first computes its 7 layers; every other
  // encoding is served from the cache, which is keyed by the sha256 of the decoded float64
  // matrix, so this proves all 8 decode to bit-identical matrices (and spectra).
  const cache = tempDir('ergo-cpse-cache-');
  const r = await cpseJson(files, [], { cache });
  assert.equal(r.networks.length, files.length);
  r.networks.forEach((net: Json, i: number) => {
    assert.deepEqual(net.layers.map(({ index, name, shape, n, m }: Json) => ({ index, name, shape, n, m })), expectLayers, `${net.name}: cpse layers`);
    assert.equal(net.computedLayers, i === 0 ? 7 : 0, `${net.name}: computed`);
    assert.equal(net.cachedLayers, i === 0 ? 0 : 7, `${net.name}: cached`);
    assert.deepEqual(net.dLayers, r.networks[0].dLayers, `${net.name}: dLayers identical`);
    assert.equal(net.cpse, r.networks[0].cpse);
  });
  const spectra = readCache(cache);
  assert.equal(spectra.length, 7);
  // numbers against numpy
  const net = r.networks[0];
  assert.equal(net.nMax, 32);
  assert.deepEqual(net.dLayers.map((d: Json) => [d.depth, d.layer, d.n]), SYNTH_LAYERS.slice(1, 6).map(([name, , n], i) => [i + 2, name, n]));
  net.dLayers.forEach((d: Json, i: number) => relClose(d.d, SYNTH_DEF.d[i]!, 1e-9, `d_layers[${i}]`));
  relClose(net.cpse, SYNTH_DEF.cpse, 1e-9, 'cPSE (definition)');
  // each layer's spectrum: sum = trace, max = numpy's largest eigenvalue (1e-12 relative)
  SYNTH_LAYERS.forEach(([name, , n, m], i) => {
    const s = spectra.find((c) => c.n === n && c.m === m)!;
    assert.ok(s, `${name}: cached spectrum`);
    relClose(s.values.reduce((a, b) => a + b, 0), SYNTH_TRACE[i]!, 1e-12, `${name}: trace`);
    relClose(Math.max(...s.values), SYNTH_MAXEIG[i]!, 1e-12, `${name}: largest eigenvalue`);
    assert.ok(s.values.every((v) => v >= 0), `${name}: PSD`);
  });
});

test('synthetic network, bristol semantics through the CLI = numpy transcription of the reference', async () => {
  // One run for both encodings (the first test shows they decode to bit-identical matrices).
  const r = await cpseJson([synthFiles['synth-bf16.safetensors']!, synthFiles['synth-f4.npz']!], ['--semantics', 'bristol']);
  assert.equal(r.networks.length, 2);
  for (const net of r.networks) {
    net.dLayers.forEach((d: Json, i: number) => relClose(d.d, SYNTH_BRISTOL.d[i]!, 1e-9, `${net.name}: bristol d_layers[${i}]`));
    relClose(net.cpse, SYNTH_BRISTOL.cpse, 1e-9, `${net.name}: bristol cPSE`);
  }
});

test('content-hash cache: a second run (or another encoding of the same weights) computes nothing', async () => {
  const cache = tempDir('ergo-cpse-cache-');
  const first = await cpseJson([synthFiles['synth-f32.safetensors']!], [], { cache });
  const second = await cpseJson([synthFiles['synth-f32.safetensors']!], [], { cache });
  const third = await cpseJson([synthFiles['synth-f2.npz']!], [], { cache }); // same values, other format
  for (const [r, label] of [[second, 'rerun'], [third, 'npz of the same weights']] as const) {
    const n = r.networks[0];
    assert.equal(n.cachedLayers, n.layers.length, `${label}: all cached`);
    assert.equal(n.computedLayers, 0, `${label}: nothing computed`);
    assert.ok(n.layers.every((l: Json) => l.cached === true));
    assert.deepEqual(n.dLayers, first.networks[0].dLayers);
    assert.equal(n.cpse, first.networks[0].cpse);
  }
  assert.equal(first.networks[0].computedLayers, 7);
  // semantics are separate cache entries (bristol values differ); so is --vanilla (test/pipeline.networks.test.ts)
  const b = await cpseJson([synthFiles['synth-f32.safetensors']!], ['--semantics', 'bristol'], { cache });
  assert.equal(b.networks[0].computedLayers, 7);
  // table output says cached
  const out = tempDir('ergo-cpse-out-');
  const t = await cli(['cpse', synthFiles['synth-f32.safetensors']!, '--cache', cache, '--out', out, '--no-report', '--workers', '0']);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /7 layers, N_max = 32; 7 cached, 0 computed/);
  assert.match(t.stdout, /cPSE = -0\.281000/);
  assert.equal((t.stderr.match(/\(cached\)/g) ?? []).length, 7);
  assert.ok(existsSync(join(out, 'results', 'cpse.json')) && existsSync(join(out, 'results', 'cpse.csv')) && existsSync(join(out, 'plots', 'cpse-depth.svg')));
});

test('--workers 0, 1 and 2 give identical results (fresh caches), also with the same file listed twice', async () => {
  const files = [synthFiles['synth-f16.safetensors']!, synthFiles['synth-f8.npz']!, synthFiles['synth-f16.safetensors']!];
  const strip = (r: Json) => r.networks.map((n: Json) => ({ name: n.name, d: n.dLayers, cpse: n.cpse, layers: n.layers.map((l: Json) => [l.name, l.n, l.m]) }));
  const runs: Json[] = [];
  for (const w of ['0', '1', '2']) runs.push(await cpseJson(files, ['--workers', w]));
  assert.deepEqual(strip(runs[1]), strip(runs[0]));
  assert.deepEqual(strip(runs[2]), strip(runs[0]));
  assert.deepEqual(runs[0].networks.map((n: Json) => n.name), ['synth-f16', 'synth-f8', 'synth-f16#2']);
  for (const r of runs) for (const n of r.networks) relClose(n.cpse, SYNTH_DEF.cpse, 1e-9, 'cPSE');
});

// ---------------------------------------------------------------- bristol fixtures through the CLI

const FIX = join(repoRoot, 'test', 'fixtures', 'bristol');

test('bristol fixture f_cpse_vanilla_gauss64_x10 through `ergo cpse --vanilla --semantics bristol`', async () => {
  const fx = JSON.parse(readFileSync(join(FIX, 'f_cpse_vanilla_gauss64_x10.json'), 'utf8'));
  const npz = join(FIX, fx.args[0].value.file);
  const tol = fx.tolerance as { rtol: number; atol: number };
  const net = (await cpseJson([npz], ['--vanilla', '--semantics', 'bristol'])).networks[0];
  // members in numpy's positional order arr_0 .. arr_9, as the reference's list
  assert.deepEqual(net.layers.map((l: Json) => l.name), Array.from({ length: 10 }, (_, i) => `arr_${i}`));
  assert.equal(net.dLayers.length, fx.expected.d_layers.length);
  net.dLayers.forEach((d: Json, i: number) => {
    const e = fx.expected.d_layers[i] as number;
    assert.ok(Math.abs(d.d - e) <= tol.atol + tol.rtol * Math.abs(e), `d_layers[${i}]: ${d.d} vs ${e}`);
  });
  assert.ok(Math.abs(net.cpse - fx.expected.cpse) <= tol.atol + tol.rtol * Math.abs(fx.expected.cpse), `cpse ${net.cpse} vs ${fx.expected.cpse}`);
});

test('bristol fixture f_cpse_vanilla_two_layers: d_layers empty, cPSE NaN ("NaN" in JSON, table says NaN)', async () => {
  const fx = JSON.parse(readFileSync(join(FIX, 'f_cpse_vanilla_two_layers.json'), 'utf8'));
  assert.equal(fx.expected.cpse, 'NaN');
  const npz = join(FIX, fx.args[0].value.file);
  const net = (await cpseJson([npz], ['--vanilla', '--semantics', 'bristol'])).networks[0];
  assert.deepEqual(net.dLayers, []);
  assert.equal(net.cpse, 'NaN'); // JSON has no NaN: written as the string "NaN"
  const t = await cli(['cpse', npz, '--vanilla', '--semantics', 'bristol', '--cache', tempDir(), '--out', tempDir(), ...NO_FIGURES, '--workers', '0']);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /cPSE = NaN \(fewer than 3 layers\)/);
});

test('npz member order: numpy.savez positional members arr_0 .. arr_11 keep their numeric order', async () => {
  // orders 2..13 so that any reordering changes the layer list
  const members = Array.from({ length: 12 }, (_, i) => ({ name: `arr_${i}.npy`, bytes: npyBytes(Float64Array.from({ length: (i + 2) * 3 }, (_, k) => ((k * 5 + i) % 7) - 3), [i + 2, 3]) }));
  const file = join(tempDir(), 'twelve.npz');
  writeFileSync(file, zipStore(members));
  const lj = await layersJson(file);
  assert.deepEqual(lj.layers.map((l: Json) => [l.name, l.n]), members.map((_, i) => [`arr_${i}`, i + 2]));
});

// ---------------------------------------------------------------- broken files

test('broken weight files: one clear line naming file and tensor, exit 2, no numbers', async () => {
  const dir = tempDir('ergo-broken-');
  const good = safetensorsBytes(SYNTH, 'F32');
  const cases: { file: string; bytes: Uint8Array | null; names: string[] }[] = [];
  // header length larger than the file
  const badLen = good.slice();
  new DataView(badLen.buffer).setBigUint64(0, 1n << 40n, true);
  cases.push({ file: 'bad-header-length.safetensors', bytes: badLen, names: [] });
  // data cut short: the last tensor's bytes are missing
  cases.push({ file: 'truncated.safetensors', bytes: good.slice(0, good.length - 6), names: ['fc3.weight'] });
  // dtype unknown
  const unknown = good.slice(); // same length dtype name, patched inside the JSON header only
  const hdrLen = Number(new DataView(good.buffer).getBigUint64(0, true));
  const at = Buffer.from(good.subarray(8, 8 + hdrLen)).indexOf('"conv1.weight":{"dtype":"F32"') + '"conv1.weight":{"dtype":"'.length;
  assert.ok(at > 30);
  unknown.set(new TextEncoder().encode('Q4X'), 8 + at);
  cases.push({ file: 'dtype.safetensors', bytes: unknown, names: ['conv1.weight'] });
  // NaN weight in safetensors, and Inf in npz
  const nanNet: Tensor[] = SYNTH.map((t) => ({ ...t, data: t.data.slice() }));
  nanNet[2]!.data[17] = NaN;
  cases.push({ file: 'nan.safetensors', bytes: safetensorsBytes(nanNet, 'F32'), names: ['conv1.weight'] });
  const infNet: Tensor[] = SYNTH.map((t) => ({ ...t, data: t.data.slice() }));
  infNet[5]!.data[3] = Infinity;
  cases.push({ file: 'inf.npz', bytes: npzBytes(infNet, '<f8'), names: ['fc0.weight'] });
  // npz cut in half; npy member with an unknown dtype
  const npz = npzBytes(SYNTH, '<f8');
  cases.push({ file: 'truncated.npz', bytes: npz.slice(0, npz.length >> 1), names: [] });
  const odd = npyBytes(SYNTH[2]!.data, SYNTH[2]!.shape, '<f8');
  const oddText = new TextDecoder('latin1').decode(odd).replace("'<f8'", "'<m8'");
  cases.push({ file: 'dtype.npz', bytes: zipStore([{ name: 'conv1.weight.npy', bytes: Uint8Array.from(oddText, (c) => c.charCodeAt(0)) }, { name: 'fc0.weight.npy', bytes: npyBytes(SYNTH[5]!.data, SYNTH[5]!.shape) }]), names: ['conv1.weight'] });
  // TF.js manifest whose shard is missing
  const manifest = [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'dense/kernel', shape: [4, 3], dtype: 'float32' }, { name: 'dense_1/kernel', shape: [3, 5], dtype: 'float32' }, { name: 'dense_2/kernel', shape: [5, 2], dtype: 'float32' }] }];
  cases.push({ file: 'missing-shard-weights_manifest.json', bytes: new TextEncoder().encode(JSON.stringify(manifest)), names: ['group1-shard1of1.bin'] });
  for (const c of cases) {
    const path = join(dir, c.file);
    writeFileSync(path, c.bytes!);
    const out = join(dir, `out-${c.file}`);
    const r = await cli(['cpse', path, '--json', '--cache', join(dir, 'cache'), '--out', out, ...NO_FIGURES, '--workers', '0']);
    const line = oneLineError(r, c.file, ...c.names);
    assert.ok(!existsSync(join(out, 'results', 'cpse.json')), `${c.file}: no results written`);
    // the same through `ergo layers` where the problem is visible without loading values
    if (c.file.startsWith('bad-header') || c.file.startsWith('dtype.safetensors') || c.file.startsWith('truncated.npz')) oneLineError(await cli(['layers', path]), c.file);
    void line;
  }
  // the table mode prints progress lines first but still ends with one error line and no trace
  const r = await cli(['cpse', join(dir, 'nan.safetensors'), '--cache', join(dir, 'cache2'), '--out', join(dir, 'o2'), ...NO_FIGURES, '--workers', '1']);
  assert.equal(r.status, 2);
  const errs = r.stderr.trim().split('\n').filter((l) => !l.startsWith('[ergo]'));
  assert.equal(errs.length, 1, r.stderr);
  assert.match(errs[0]!, /nan\.safetensors.*conv1\.weight/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

// ---------------------------------------------------------------- YAML experiment: cpse

test('YAML experiment: cpse runs, writes results and reruns from its cache', async () => {
  const dir = tempDir('ergo-yaml-');
  const cfg = join(dir, 'cpse.yaml');
  writeFileSync(cfg, [
    'name: synth-cpse',
    'experiment: cpse',
    'semantics: definition',
    'bins: 10',
    'networks:',
    `  - ${synthFiles['synth-bf16.safetensors']}`,
    `  - { path: ${synthFiles['synth-f4.npz']}, name: synth-npz, exclude: "^fc3" }`,
    '',
  ].join('\n'));
  const out = join(dir, 'run');
  const first = await cli(['run', cfg, '--out', out, '--no-report', '--workers', '0']);
  assert.equal(first.status, 0, first.stderr);
  const r1 = JSON.parse(readFileSync(join(out, 'results', 'cpse.json'), 'utf8'));
  const p1 = JSON.parse(readFileSync(join(out, 'results', 'cpse-provenance.json'), 'utf8')); // cache counts: not in cpse.json
  assert.deepEqual(p1.networks.map((n: Json) => [n.name, n.layers.length, n.computedLayers]), [['synth-bf16', 7, 7], ['synth-npz', 6, 0]]); // npz's 6 layers are in the cache already
  relClose(r1.networks[0].cpse, SYNTH_DEF.cpse, 1e-9, 'YAML cPSE');
  assert.ok(existsSync(join(out, 'plots', 'cpse-depth.svg')));
  const second = await cli(['run', cfg, '--out', out, '--no-report', '--workers', '2']);
  assert.equal(second.status, 0, second.stderr);
  const r2 = JSON.parse(readFileSync(join(out, 'results', 'cpse.json'), 'utf8'));
  for (const n of JSON.parse(readFileSync(join(out, 'results', 'cpse-provenance.json'), 'utf8')).networks) {
    assert.equal(n.computedLayers, 0);
    assert.equal(n.cachedLayers, n.layers.length);
  }
  assert.deepEqual(r2.networks.map((n: Json) => [n.dLayers, n.cpse]), r1.networks.map((n: Json) => [n.dLayers, n.cpse]));
});

