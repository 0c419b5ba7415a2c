// Layout rules (SPEC section 5) for TF.js graph-models and Keras layer classes,
// and the pure reshaping kernels, on small hand-made weights whose expected
// matrices are written out by index arithmetic in the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWeights, layerMatrices, moveAxisFirst } from '../src/weights/index.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ergo-layout-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const seq = (n: number, off = 0) => Float64Array.from({ length: n }, (_, k) => k + off);

function writeModel(name: string, topology: object, weights: { name: string; shape: number[] }[]): string {
  const total = weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
  writeFileSync(join(dir, `${name}.bin`), new Uint8Array(Float32Array.from(seq(total)).buffer));
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    modelTopology: topology,
    weightsManifest: [{ paths: [`${name}.bin`], weights: weights.map((w) => ({ ...w, dtype: 'float32' })) }],
  }));
  return file;
}

test('moveAxisFirst: A[i, (p, q)] = W[p, i, q]', () => {
  const w = seq(24); // shape [2, 3, 4]
  const a = moveAxisFirst(w, [2, 3, 4], 1);
  for (let i = 0; i < 3; i++) for (let p = 0; p < 2; p++) for (let q = 0; q < 4; q++) {
    assert.equal(a[i * 8 + p * 4 + q], w[p * 12 + i * 4 + q]);
  }
  assert.equal(moveAxisFirst(w, [2, 3, 4], 0), w);
});

test('TF.js graph-model: node order, consuming op decides the layout, Identity is followed', async () => {
  // weights in the manifest in an order unrelated to the graph
  const weights = [
    { name: 'dense/w_t', shape: [3, 5] }, // MatMul transpose_b: [out 3, in 5]
    { name: 'dw/filter', shape: [3, 3, 4, 2] }, // depthwise: N = 8, M = 9
    { name: 'conv/filter', shape: [3, 3, 2, 4] }, // HWIO: N = 4, M = 18
    { name: 'deconv/filter', shape: [2, 2, 6, 4] }, // Conv2DBackpropInput [kh, kw, out, in]: N = 6, M = 16
    { name: 'odd', shape: [4, 4] }, // consumed by Add: unknown
    { name: 'orphan', shape: [2, 2] }, // consumed by nothing
  ];
  const file = writeModel('graph', {
    node: [
      { name: 'x', op: 'Placeholder' },
      { name: 'conv/filter', op: 'Const' },
      { name: 'conv/read', op: 'Identity', input: ['conv/filter'] },
      { name: 'c1', op: '_FusedConv2D', input: ['x', 'conv/read', 'b'] },
      { name: 'd1', op: 'DepthwiseConv2dNative', input: ['c1', 'dw/filter:0'] },
      { name: 'e1', op: 'Conv2DBackpropInput', input: ['shape', 'deconv/filter', 'd1'] },
      { name: 'f1', op: 'MatMul', input: ['e1', 'dense/w_t', '^ctrl'], attr: { transpose_b: { b: true } } },
      { name: 'g1', op: 'Add', input: ['f1', 'odd'] },
    ],
  }, weights);
  const src = await openWeights(file);
  assert.equal(src.format, 'tfjs-graph-model');
  assert.deepEqual(src.tensors.map((t) => t.name), ['conv/filter', 'dw/filter', 'deconv/filter', 'dense/w_t', 'odd', 'orphan']);
  const layers = layerMatrices(src);
  assert.deepEqual(layers.map((l) => [l.name, l.rows, l.cols]), [['conv/filter', 4, 18], ['dw/filter', 8, 9], ['deconv/filter', 6, 16], ['dense/w_t', 3, 5]]);
  assert.match(layers[0]!.layout, /via Identity/);
  assert.equal(layers.warnings.filter((w) => /odd|orphan/.test(w)).length, 2);

  // Values: conv HWIO, A[o, (h, w, i)] = K[h, w, i, o]
  const off = { 'dense/w_t': 0, 'dw/filter': 15, 'conv/filter': 87, 'deconv/filter': 159 };
  const conv = await layers[0]!.load();
  for (let o = 0; o < 4; o++) for (let r = 0; r < 18; r++) assert.equal(conv[o * 18 + r], off['conv/filter'] + r * 4 + o);
  // depthwise [kh, kw, C, mult]: row c*mult + j, column (h, w)
  const dw = await layers[1]!.load();
  for (let c = 0; c < 4; c++) for (let j = 0; j < 2; j++) for (let s = 0; s < 9; s++) {
    assert.equal(dw[(c * 2 + j) * 9 + s], off['dw/filter'] + s * 8 + c * 2 + j);
  }
  // transposed conv [kh, kw, out, in]: A[o, (h, w, i)] = K[h, w, o, i]
  const de = await layers[2]!.load();
  for (let o = 0; o < 6; o++) for (let s = 0; s < 4; s++) for (let i = 0; i < 4; i++) {
    assert.equal(de[o * 16 + s * 4 + i], off['deconv/filter'] + s * 24 + o * 4 + i);
  }
  // transpose_b: stored [out, in], used as is
  assert.deepEqual(await layers[3]!.load(), seq(15));
});

test('Keras layers-model: nested models, wrappers, separable, transpose, recurrent, embedding; unmatched weights reported', async () => {
  const L = (class_name: string, name: string, extra: object = {}) => ({ class_name, config: { name, ...extra } });
  const topology = {
    model_config: {
      class_name: 'Sequential',
      config: {
        name: 'outer',
        layers: [
          L('Embedding', 'emb'),
          L('Sequential', 'block', { layers: [L('SeparableConv2D', 'sep'), L('Conv2DTranspose', 'up')] }),
          L('Bidirectional', 'bi', { layer: L('LSTM', 'lstm') }),
          L('Dense', 'head'),
          L('MysteryLayer', 'myst'),
        ],
      },
    },
  };
  const weights = [
    { name: 'head/kernel', shape: [8, 3] },
    { name: 'block/up/kernel', shape: [3, 3, 5, 2] },
    { name: 'block/sep/pointwise_kernel', shape: [1, 1, 6, 2] },
    { name: 'block/sep/depthwise_kernel', shape: [3, 3, 2, 3] },
    { name: 'bi/backward_lstm/lstm_cell/recurrent_kernel', shape: [4, 16] },
    { name: 'bi/forward_lstm/lstm_cell/kernel', shape: [4, 16] },
    { name: 'emb/embeddings', shape: [100, 4] },
    { name: 'myst/kernel', shape: [3, 3] },
    { name: 'stray/kernel', shape: [2, 2] },
  ];
  const src = await openWeights(writeModel('keras', topology, weights));
  assert.equal(src.format, 'tfjs-layers-model');
  const layers = layerMatrices(src);
  assert.deepEqual(layers.map((l) => [l.name, l.rows, l.cols]), [
    ['emb/embeddings', 4, 100],
    ['block/sep/depthwise_kernel', 6, 9],
    ['block/sep/pointwise_kernel', 2, 6],
    ['block/up/kernel', 5, 18],
    ['bi/forward_lstm/lstm_cell/kernel', 16, 4],
    ['bi/backward_lstm/lstm_cell/recurrent_kernel', 16, 4],
    ['head/kernel', 3, 8],
  ]);
  assert.ok(layers.warnings.some((w) => w.includes('myst/kernel') && w.includes('MysteryLayer')), layers.warnings.join('\n'));
  assert.ok(layers.warnings.some((w) => w.includes('stray/kernel')), layers.warnings.join('\n'));
});
