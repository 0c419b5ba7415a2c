// Sub-networks, fixed tensors, manifest order and JS-bundled TF.js models, on small files this
// test writes: an ONNX model with an If whose two branches hold weights (encoded with protobufjs
// from a minimal descriptor, independent of the reader's hand-written walker), safetensors with a
// buffer-named tensor, bare TF.js manifests in and out of depth order, and browserify-style
// bundles of a TF.js layers-model (including ones that would run code if they were executed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { openWeights, layerMatrices, WeightsError } from '../src/weights/index.js';
import { safetensorsBytes } from './helpers/weightfiles.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ergo-submodels-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const fill = (n: number, off: number) => Float64Array.from({ length: n }, (_, k) => ((((k + off) * 7) % 33) - 16) / 8);
const f32bytes = (a: ArrayLike<number>) => new Uint8Array(Float32Array.from(a).buffer);

// ------------------------------------------------------------------ ONNX If branches

const onnxRoot = protobuf.Root.fromJSON({
  nested: {
    ModelProto: { fields: { irVersion: { type: 'int64', id: 1 }, graph: { type: 'GraphProto', id: 7 } } },
    GraphProto: { fields: { node: { rule: 'repeated', type: 'NodeProto', id: 1 }, name: { type: 'string', id: 2 }, initializer: { rule: 'repeated', type: 'TensorProto', id: 5 } } },
    NodeProto: {
      fields: {
        input: { rule: 'repeated', type: 'string', id: 1 }, output: { rule: 'repeated', type: 'string', id: 2 },
        name: { type: 'string', id: 3 }, opType: { type: 'string', id: 4 }, attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
      },
    },
    AttributeProto: { fields: { name: { type: 'string', id: 1 }, g: { type: 'GraphProto', id: 6 }, type: { type: 'int32', id: 20 } } },
    TensorProto: { fields: { dims: { rule: 'repeated', type: 'int64', id: 1 }, dataType: { type: 'int32', id: 2 }, name: { type: 'string', id: 8 }, rawData: { type: 'bytes', id: 9 } } },
  },
});
const ModelProto = onnxRoot.lookupType('ModelProto');
const encodeOnnx = (graph: object) => ModelProto.encode(ModelProto.fromObject({ irVersion: 8, graph })).finish();
const node = (opType: string, input: string[], output: string[], attribute: object[] = []) => ({ opType, input, output, name: output[0], attribute });
const conv = (name: string, dims: number[], off: number) => ({ name, dims, dataType: 1, rawData: f32bytes(fill(dims.reduce((a, b) => a * b, 1), off)) });
/** A branch: an STFT-like fixed basis, then two convolutions; names prefixed like an inlined export. */
const branch = (prefix: string, basis: number) => ({
  name: prefix,
  node: [
    node('Conv', ['x', `${prefix}stft.forward_basis_buffer`], [`${prefix}s`]),
    node('Conv', [`${prefix}s`, `${prefix}enc.0.weight`], [`${prefix}h`]),
    node('Conv', [`${prefix}h`, `${prefix}enc.1.weight`], ['y']),
  ],
  initializer: [conv(`${prefix}stft.forward_basis_buffer`, [basis, 1, 4], 1), conv(`${prefix}enc.0.weight`, [6, basis, 3], 2), conv(`${prefix}enc.1.weight`, [5, 6, 3], 3)],
});

function writeIfModel(): string {
  const file = join(dir, 'vad-like.onnx');
  writeFileSync(file, encodeOnnx({
    name: 'main',
    node: [
      node('Equal', ['sr', 'sr16k'], ['cond']),
      node('If', ['cond'], ['y'], [
        { name: 'then_branch', type: 5, g: branch('If_0_then_branch__', 10) },
        { name: 'else_branch', type: 5, g: branch('If_0_else_branch__', 6) },
      ]),
      node('Gemm', ['y', 'head.weight'], ['p']),
    ],
    initializer: [conv('head.weight', [2, 5], 4)],
  }));
  return file;
}

test('ONNX If with weights in both branches: listed as alternatives, warned about until one branch is selected', async () => {
  const src = await openWeights(writeIfModel());
  assert.deepEqual(src.alternatives?.map((g) => [g.where, g.branches.map((b) => [b.name, b.tensors.length])]), [
    ["ONNX If node 'y'", [['then_branch', 3], ['else_branch', 3]]],
  ]);
  const all = layerMatrices(src);
  assert.equal(all.length, 7); // 3 + 3 branch tensors + the shared head
  const alt = all.warnings.filter((w) => /alternative sub-networks/.test(w));
  assert.equal(alt.length, 1, all.warnings.join('\n'));
  assert.match(alt[0]!, /then_branch: 3 layer\(s\); keep it alone with --include '\^If_0_then_branch__'/);
  assert.match(alt[0]!, /else_branch: 3 layer\(s\)/);

  // the suggested regex really selects one branch, and the warning goes away
  const one = layerMatrices(src, { include: /^If_0_then_branch__|^head/ });
  assert.deepEqual(one.map((l) => l.name), ['If_0_then_branch__stft.forward_basis_buffer', 'If_0_then_branch__enc.0.weight', 'If_0_then_branch__enc.1.weight', 'head.weight']);
  assert.equal(one.warnings.filter((w) => /alternative sub-networks/.test(w)).length, 0, one.warnings.join('\n'));
});

test('fixed tensors: a buffer / STFT basis is flagged by name and dropped with --exclude', async () => {
  const src = await openWeights(writeIfModel());
  const fixed = layerMatrices(src, { include: /then_branch/ }).warnings.filter((w) => /fixed tensors/.test(w));
  assert.equal(fixed.length, 1);
  assert.match(fixed[0]!, /1 layer\(s\) .*If_0_then_branch__stft\.forward_basis_buffer.*--exclude 'stft'/);
  const clean = layerMatrices(src, { include: /then_branch/, exclude: /stft/ });
  assert.deepEqual(clean.map((l) => l.name), ['If_0_then_branch__enc.0.weight', 'If_0_then_branch__enc.1.weight']);
  assert.deepEqual(clean.warnings, []);

  // format-independent: the same rule on safetensors
  const file = join(dir, 'mel.safetensors');
  writeFileSync(file, safetensorsBytes([
    { name: 'frontend.mel_basis', shape: [8, 5], data: fill(40, 1) },
    { name: 'conv.weight', shape: [4, 8], data: fill(32, 2) },
  ], 'F32'));
  const st = layerMatrices(await openWeights(file));
  assert.equal(st.length, 2);
  assert.deepEqual(st.warnings.filter((w) => /fixed tensors/.test(w)).length, 1);
  assert.ok(!st.warnings.some((w) => /conv\.weight/.test(w)));
});

// ------------------------------------------------------------------ bare manifest order

function writeManifest(name: string, weights: { name: string; shape: number[] }[]): string {
  const count = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const total = weights.reduce((a, w) => a + count(w.shape), 0);
  writeFileSync(join(dir, `${name}.bin`), f32bytes(fill(total, 3)));
  const file = join(dir, `${name}-weights_manifest.json`);
  writeFileSync(file, JSON.stringify([{ paths: [`${name}.bin`], weights: weights.map((w) => ({ ...w, dtype: 'float32' })) }]));
  return file;
}
// a small SSD-like detector: backbone 3 -> 8 -> 16 -> 32, two heads on the 16 and 32 maps
const BACKBONE = [
  { name: 'backbone/conv0/weights', shape: [3, 3, 3, 8] },
  { name: 'backbone/conv1_depthwise/depthwise_weights', shape: [3, 3, 8, 1] },
  { name: 'backbone/conv1_pointwise/weights', shape: [1, 1, 8, 16] },
  { name: 'backbone/conv2_pointwise/weights', shape: [1, 1, 16, 32] },
];
const HEADS = [
  { name: 'heads/box0/weights', shape: [1, 1, 16, 12] },
  { name: 'heads/class0/weights', shape: [1, 1, 16, 6] },
  { name: 'heads/box1/weights', shape: [1, 1, 32, 12] },
  { name: 'heads/class1/weights', shape: [1, 1, 32, 6] },
];

test('bare manifest: heads listed before the backbone that feeds them -> "depth order unknown"; depth order -> no warning', async () => {
  const inOrder = layerMatrices(await openWeights(writeManifest('ordered', [...BACKBONE, ...HEADS])));
  assert.equal(inOrder.length, 8);
  assert.ok(!inOrder.warnings.some((w) => /depth order unknown/.test(w)), inOrder.warnings.join('\n'));

  const headsFirst = layerMatrices(await openWeights(writeManifest('headsfirst', [...HEADS, ...BACKBONE])));
  const w = headsFirst.warnings.filter((x) => /depth order unknown/.test(x));
  assert.equal(w.length, 1, headsFirst.warnings.join('\n'));
  // heads 2..4 read widths (16, 32) that only later layers produce; head 1 is the list's first
  assert.match(w[0]!, /lists 3 of 8 weight matrices before the layer that feeds them/);
});

// ------------------------------------------------------------------ TF.js in JS bundles

// A browserify-style UMD wrapper around one module that sets module.exports = <literal>.
const bundle = (literal: string, extra = '') =>
  `!function(e){"object"==typeof exports&&"undefined"!=typeof module?module.exports=e():this.model=e()}(function(){return function e(t,n,r){function s(o){return n[o]||(n[o]={exports:{}},t[o][0].call(n[o].exports,function(x){return s(x)},n[o],n[o].exports,e,t,n,r)),n[o].exports}return s}({1:[function(a,b,c){${extra}b.exports=${literal}},{}]},{},[1])(1)});\n`;

const TOPOLOGY = {
  class_name: 'Sequential',
  config: { name: 'seq', layers: [
    { class_name: 'Conv2D', config: { name: 'c1', trainable: true } },
    { class_name: 'Dense', config: { name: 'd1', trainable: false } },
  ] },
};
const KERNEL = fill(2 * 2 * 3 * 4, 1); // c1/kernel [2, 2, 3, 4]
const DENSE = fill(4 * 5, 2); // d1/kernel [4, 5]
/** A JS object literal as a minifier writes it: unquoted keys, !0 / !1 booleans, .5 numbers. */
function minified(value: unknown): string {
  if (value === true) return '!0';
  if (value === false) return '!1';
  if (typeof value === 'number') return String(value).replace(/^0\./, '.').replace(/^-0\./, '-.');
  if (Array.isArray(value)) return `[${value.map(minified).join(',')}]`;
  if (value && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}:${minified(v)}`).join(',')}}`;
  return JSON.stringify(value);
}
const MODEL = {
  format: 'layers-model',
  modelTopology: { model_config: TOPOLOGY },
  weightsManifest: [{ paths: ['group1-shard1of1'], weights: [
    { name: 'd1/kernel', shape: [4, 5], dtype: 'float32' }, // manifest order is not the topology's
    { name: 'c1/kernel', shape: [2, 2, 3, 4], dtype: 'float32' },
    { name: 'c1/bias', shape: [4], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -0.25 } },
  ] }],
};
const SHARD = new Uint8Array([...f32bytes(DENSE), ...f32bytes(KERNEL), 1, 2, 3, 4]);

function writeBundleModel(sub: string, modelJs: string, shardJs: string | undefined = bundle(JSON.stringify(Buffer.from(SHARD).toString('base64')))): string {
  const d = join(dir, sub);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'model.min.js'), modelJs);
  if (shardJs !== undefined) writeFileSync(join(d, 'group1-shard1of1.min.js'), shardJs);
  return join(d, 'model.min.js');
}

test('TF.js layers-model in JS bundles = the same model as model.json + .bin (order, layouts, values)', async () => {
  const plain = join(dir, 'plain');
  mkdirSync(plain);
  writeFileSync(join(plain, 'model.json'), JSON.stringify(MODEL));
  writeFileSync(join(plain, 'group1-shard1of1'), SHARD);
  const ref = layerMatrices(await openWeights(join(plain, 'model.json')));

  const file = writeBundleModel('bundled', bundle(minified(MODEL)));
  const src = await openWeights(file);
  assert.equal(src.format, 'tfjs-layers-model');
  assert.equal(src.path, file);
  const layers = layerMatrices(src);
  assert.deepEqual(layers.map((l) => [l.name, l.rows, l.cols, l.layout]), ref.map((l) => [l.name, l.rows, l.cols, l.layout]));
  assert.deepEqual(layers.map((l) => l.name), ['c1/kernel', 'd1/kernel']); // topology order
  for (let i = 0; i < layers.length; i++) assert.deepEqual(await layers[i]!.load(), await ref[i]!.load());
  // values: Dense [in, out] -> A = K^T; A[o, i] = K[i*5 + o]
  const a = await layers[1]!.load();
  assert.equal(a[3 * 4 + 2], Math.fround(DENSE[2 * 5 + 3]!));
  assert.deepEqual(Array.from(await src.tensors.find((t) => t.name === 'c1/bias')!.load()), [0.25, 0.75, 1.25, 1.75]);
});

test('JS bundles are parsed, never run: code in or around the literal is refused or ignored, nothing executes', async () => {
  const marker = join(dir, 'PWNED');
  const run = `require("fs").writeFileSync(${JSON.stringify(marker)},"x");`;
  // code next to the literal, in the module body: ignored, the literal is still read as data
  const beside = await openWeights(writeBundleModel('beside', bundle(minified(MODEL), run), bundle(JSON.stringify(Buffer.from(SHARD).toString('base64')), run)));
  assert.equal(layerMatrices(beside).length, 2);
  await layerMatrices(beside)[0]!.load();
  // code inside the literal: refused, naming the line
  const inside = [
    minified(MODEL).replace('format:"layers-model"', `format:(function(){${run}return "layers-model"})()`),
    minified(MODEL).replace('format:"layers-model"', 'get format(){return "layers-model"}'),
    minified(MODEL).replace('format:"layers-model"', 'format:process.env.HOME'),
    minified(MODEL).replace('format:"layers-model"', '["form"+"at"]:"layers-model"'),
    minified(MODEL).replace('format:"layers-model"', '...{format:"layers-model"}'),
  ];
  for (const [i, lit] of inside.entries()) {
    const file = writeBundleModel(`inside${i}`, bundle(lit));
    await assert.rejects(openWeights(file), (e: unknown) => {
      assert.ok(e instanceof WeightsError, String(e));
      assert.equal(e.file, file);
      assert.match(e.message, /not a recognised model bundle: line 1, column \d+: .* is not plain data/);
      return true;
    });
  }
  assert.equal(existsSync(marker), false, 'a bundle ran code');
});

test('JS bundles: unrecognised shapes, bad shards and escaping shard paths are one clear WeightsError', async () => {
  const cases: [string, string, string | undefined, RegExp][] = [
    ['noexport', 'var model = {format: "layers-model"};', undefined, /not a recognised model bundle: expected exactly one module setting 'module.exports = <literal>'.*found 0/],
    ['twoexports', bundle('{}', 'b.exports=1;'), undefined, /found 2/],
    ['syntax', 'function (', undefined, /not a readable JavaScript bundle/],
    ['notmodel', bundle('[1,2,3]'), undefined, /bundle exports no TF\.js model/],
    ['shardnotstring', bundle(minified(MODEL)), bundle('{a:1}'), /shard bundle exports a object, expected a base64 string/],
    ['shardnotbase64', bundle(minified(MODEL)), bundle('"%%%%"'), /shard bundle string is not base64/],
    ['shardshort', bundle(minified(MODEL)), bundle(JSON.stringify(Buffer.from(SHARD.subarray(0, 40)).toString('base64'))), /d1\/kernel|c1\/kernel|bytes/],
    ['escape', bundle(minified({ ...MODEL, weightsManifest: [{ ...MODEL.weightsManifest[0], paths: ['../plain/group1-shard1of1'] }] })), undefined, /refused reference .*outside the model folder/],
    ['missing', bundle(minified(MODEL)), undefined, /refused reference "group1-shard1of1": .*no such file/],
  ];
  for (const [sub, modelJs, shardJs, re] of cases) {
    const file = writeBundleModel(sub, modelJs, shardJs);
    if (shardJs === undefined) rmSync(join(dir, sub, 'group1-shard1of1.min.js'), { force: true });
    await assert.rejects(async () => {
      const src = await openWeights(file);
      for (const t of src.tensors) await t.load();
    }, (e: unknown) => {
      assert.ok(e instanceof WeightsError, `${sub}: ${String(e)}`);
      assert.match(e.message, re, sub);
      assert.ok(!e.message.includes('ergo-bundle-'), `${sub}: the error names the temporary copy: ${e.message}`);
      return true;
    }, sub);
  }
});
