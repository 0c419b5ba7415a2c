// More real networks through the CLI (fetched by scripts/fetch-models.mjs from npm; skipped when
// the registry cannot be reached): the other face-api models (bare TF.js weights manifests) and
// the nsfwjs models (TF.js layers- and graph-models wrapped in browserify bundles). Each opens,
// gives its layer count and a finite cPSE; where the cPSE cannot mean what it says (face-api's
// SSD MobileNet, whose manifest lists the prediction heads first), the output says why.
// Silero VAD's two If branches and its STFT basis are named in the cpse and csd output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { modelPath, modelsMissing } from './helpers/models.js';
import { testNeeding } from './helpers/resources.js';
import { cli, cpseJson, layersJson, type Json } from './helpers/cpsecli.js';
import { tempDir, NO_FIGURES } from './helpers/cli.js';
import { SHARED_CACHE } from './helpers/sharedcache.js';

// Nothing here tests the spectrum cache or fresh computation: every run reads and adds to the
// suite-wide cache (helpers/sharedcache.ts), so a spectrum computed here or in another file
// (age/gender again with 100 bins, the SSD table, Silero's cpse and csd runs) is computed once.
const shared = { cache: SHARED_CACHE };

const FACE = ['age_gender_model', 'face_expression_model', 'face_landmark_68_model', 'face_landmark_68_tiny_model', 'ssd_mobilenetv1_model'];
const NSFW = {
  'nsfwjs-mobilenet-v2': ['model.min.js', 'group1-shard1of1.min.js'],
  'nsfwjs-mobilenet-v2-mid': ['model.min.js', 'group1-shard1of2.min.js', 'group1-shard2of2.min.js'],
  'nsfwjs-inception-v3': ['model.min.js', ...[1, 2, 3, 4, 5, 6].map((i) => `group1-shard${i}of6.min.js`)],
};
const FILES = [
  ...FACE.flatMap((m) => [`face-api/${m}-weights_manifest.json`, `face-api/${m}.bin`]),
  ...Object.entries(NSFW).flatMap(([id, files]) => files.map((f) => `${id}/${f}`)),
  'silero-vad/silero_vad.onnx',
];
const missing = modelsMissing(FILES);

/** Layers a bare TF.js manifest must give, counted from its JSON by SPEC section 5 (TF conventions). */
function expectedManifestLayers(file: string): number {
  const groups = JSON.parse(readFileSync(file, 'utf8')) as { weights: { name: string; shape: number[] }[] }[];
  let n = 0;
  for (const w of groups.flatMap((g) => g.weights)) {
    const s = w.shape;
    if (s.length < 2) continue;
    const total = s.reduce((a, b) => a * b, 1);
    const rows = /depthwise/i.test(w.name.split('/').pop()!) ? s[s.length - 2]! * s[s.length - 1]! : s[s.length - 1]!;
    if (rows > 1 && total / rows > 1) n++;
  }
  return n;
}

testNeeding(missing, 'face-api age/gender, expression, 68 landmarks (and tiny), SSD MobileNet v1: layers and cPSE through the CLI', {}, async (t) => {
  // one cpse run over the five manifests (one set of result files instead of five); each
  // network's entry is checked on its own
  const files = FACE.map((m) => modelPath(`face-api/${m}-weights_manifest.json`));
  const nets = (await cpseJson(files, [], shared)).networks;
  assert.deepEqual(nets.map((n: Json) => n.name), FACE);
  for (const [i, m] of FACE.entries()) {
    const file = files[i]!;
    const lj = await layersJson(file);
    assert.equal(lj.format, 'tfjs-weights-manifest');
    assert.equal(lj.layers.length, expectedManifestLayers(file), m);
    assert.ok(lj.layers.length >= 12, `${m}: ${lj.layers.length} layers`);
    const net = nets[i];
    assert.equal(net.layers.length, lj.layers.length);
    // finite, or -Infinity with the reason: d_layers exactly 0 (age/gender: its early layers'
    // eigenvalues share the lowest of the 10 default bins; with 100 bins its cPSE is finite)
    const zeros = net.dLayers.filter((d: Json) => d.d === 0).length;
    if (Number.isFinite(net.cpse)) assert.equal(zeros, 0);
    else {
      assert.equal(String(net.cpse), '-Infinity', `${m}: cPSE ${net.cpse}`); // the JSON writes non-finite numbers as strings
      assert.ok(zeros > 0 && net.warnings.some((w: string) => w.startsWith(`cPSE = -Infinity: d_layers is exactly 0 at ${zeros} depth(s)`)), `${m}: ${net.warnings.join('\n')}`);
      if (m === 'age_gender_model') assert.ok(Number.isFinite((await cpseJson([file], ['--bins', '100'], shared)).networks[0].cpse), `${m}: finite with 100 bins`);
    }
    const unknownOrder = net.warnings.filter((w: string) => /depth order unknown/.test(w));
    // only the SSD manifest lists layers before those feeding them (its prediction heads)
    assert.equal(unknownOrder.length, m === 'ssd_mobilenetv1_model' ? 1 : 0, `${m}: ${net.warnings.join('\n')}`);
    t.diagnostic(`${m}: ${net.layers.length} layers, N_max ${net.nMax}, cPSE ${Number(net.cpse).toFixed(4)}${unknownOrder.length ? ' (depth order unknown)' : ''}`);
  }
  // the warning reaches the text output too
  const r = await cli(['cpse', modelPath('face-api/ssd_mobilenetv1_model-weights_manifest.json'), '--cache', SHARED_CACHE, '--out', tempDir(), ...NO_FIGURES, '--workers', '0']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /warning: depth order unknown: the manifest lists \d+ of 48 weight matrices before the layer that feeds them .*e\.g\. Prediction\/BoxPredictor_1/);
});

testNeeding(missing, 'nsfwjs MobileNetV2, MobileNetV2 (mid) and InceptionV3, unwrapped from their JS bundles: layers and cPSE through the CLI', {}, async (t) => {
  // layer counts: pinned regression on the sha256-pinned nsfwjs 4.4.0 files; first and last
  // layers are the architectures' stem convolution and the 5-class output (nsfwjs's classes)
  const want: Record<string, { format: string; layers: number; first: [number, number]; last: [number, number] }> = {
    'nsfwjs-mobilenet-v2': { format: 'tfjs-layers-model', layers: 55, first: [32, 27], last: [5, 128] },
    'nsfwjs-mobilenet-v2-mid': { format: 'tfjs-graph-model', layers: 53, first: [48, 27], last: [5, 1792] }, // width 1.4
    'nsfwjs-inception-v3': { format: 'tfjs-layers-model', layers: 97, first: [32, 27], last: [5, 128] },
  };
  // One cpse run over the two MobileNets (networks named model.min, model.min#2); InceptionV3's
  // cpse keeps its stem-to-conv2d_69 layers and the dense head (--include): 72 of its 97 layers,
  // whose bytes lie in shards 1-3 and 6 of 6 (4 MiB each), at about a third of the full run's
  // arithmetic: conv2d_70 to conv2d_94 are 70% of it and exercise nothing the others do not.
  const INCEPTION_INCLUDE = ['--include', '^(conv2d_([1-9]|[1-6][0-9])|dense_[0-9]+)/'];
  const ids = Object.keys(want);
  const t0 = performance.now();
  const nets = [
    ...(await cpseJson(ids.slice(0, 2).map((id) => modelPath(`${id}/model.min.js`)), [], shared)).networks,
    ...(await cpseJson([modelPath(`${ids[2]}/model.min.js`)], INCEPTION_INCLUDE, shared)).networks,
  ];
  const ms = performance.now() - t0;
  assert.equal(nets.length, ids.length);
  for (const [i, [id, w]] of Object.entries(want).entries()) {
    const file = modelPath(`${id}/model.min.js`);
    const lj: Json = await layersJson(file);
    assert.equal(lj.format, w.format, id);
    assert.equal(lj.layers.length, w.layers, id);
    const l0 = lj.layers[0];
    const lz = lj.layers[lj.layers.length - 1];
    assert.deepEqual([l0.n, l0.m], w.first, `${id}: first layer ${l0.name}`);
    assert.deepEqual([lz.n, lz.m], w.last, `${id}: last layer ${lz.name}`);
    const net = nets[i];
    assert.equal(net.format, w.format, id);
    // the layers --include keeps, selected here from the full list with the same expression
    const kept = id === 'nsfwjs-inception-v3' ? lj.layers.filter((l: Json) => new RegExp(INCEPTION_INCLUDE[1]!).test(l.name)) : lj.layers;
    if (id === 'nsfwjs-inception-v3') assert.equal(kept.length, 72); // pinned, like the layer counts above
    assert.deepEqual(net.layers.map((l: Json) => l.name), kept.map((l: Json) => l.name), id);
    assert.ok(Number.isFinite(net.cpse), `${id}: cPSE ${net.cpse}`);
    t.diagnostic(`${id}: ${net.layers.length} layers, N_max ${net.nMax}, cPSE ${net.cpse.toFixed(4)}`);
  }
  t.diagnostic(`cpse of the three: ${ms.toFixed(0)} ms`);
});

testNeeding(missing, 'Silero VAD: cpse and csd name the two If branches and the STFT basis; one branch selected -> no such warning', {}, async () => {
  const file = modelPath('silero-vad/silero_vad.onnx');
  const both = (await cpseJson([file], [], shared)).networks[0];
  assert.ok(both.warnings.some((w: string) => /If node 'If_0' holds 2 alternative sub-networks/.test(w)), both.warnings.join('\n'));
  assert.ok(both.warnings.some((w: string) => /2 layer\(s\) look like fixed tensors/.test(w)), both.warnings.join('\n'));

  const sel = ['--include', '^If_0_then_branch__', '--exclude', 'stft'];
  const one = (await cpseJson([file], sel, shared)).networks[0];
  assert.equal(one.layers.length, 4);
  assert.ok(Number.isFinite(one.cpse));
  assert.ok(!one.warnings.some((w: string) => /alternative sub-networks|fixed tensors/.test(w)), one.warnings.join('\n'));

  const csd = await cli(['csd', file, '--draws', '1', '--cache', SHARED_CACHE, '--out', tempDir(), ...NO_FIGURES, '--workers', '0']);
  assert.equal(csd.status, 0, csd.stderr);
  assert.match(csd.stdout, /warning: silero_vad: ONNX If node 'If_0' holds 2 alternative sub-networks/);
  const csdJson = JSON.parse((await cli(['csd', file, '--json', '--draws', '1', '--cache', SHARED_CACHE, '--out', tempDir(), ...NO_FIGURES, '--workers', '0', ...sel])).stdout);
  assert.deepEqual(csdJson.networks[0].warnings.filter((w: string) => /alternative|fixed/.test(w)), []);
});
