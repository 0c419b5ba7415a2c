// The readers the weights fuzzer attacks, one registration line each (see mutate.ts). Each
// fixture is a small valid model written by encoders independent of src/weights (weightfiles.ts,
// protobufjs with our own ONNX descriptor), so a mutant starts from bytes the reader accepts.
import { ModelProto } from './onnxproto.js';
import { npyBytes, npzBytes, safetensorsBytes, synthValue, zipStore, encodeFloats, type Tensor } from './weightfiles.js';
import { below, editJsonText, pick, registerFuzzTarget, text, utf8, type Fixture, type Rng } from './mutate.js';

// A small network, PyTorch layout, values multiples of 1/8 (exact in every float type).
const SPEC: [string, number[]][] = [
  ['l0.weight', [6, 4]],
  ['l0.bias', [6]],
  ['l1.weight', [3, 6]],
  ['l2.weight', [5, 3]],
];
function tensors(): Tensor[] {
  let off = 0;
  return SPEC.map(([name, shape]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Float64Array.from({ length: n }, (_, k) => synthValue(off + k));
    off += n;
    return { name, shape, data };
  });
}
const f32 = (a: ArrayLike<number>): Uint8Array => encodeFloats(a, 'f32');
const f16 = (a: ArrayLike<number>): Uint8Array => encodeFloats(a, 'f16');

// --- npy / npz / folder ------------------------------------------------------------------

const DESCRS = ['<f8', '>f4', '<f2', '|u1', '<i4', '|b1', '<c8', '=f4', 'f4', '|f8', '<U3', '|O', '<f16', "[('a', '<f4')]", '<M8[s]'];
const SHAPES = ['(6, 4)', '(4, 6)', '(24,)', '(6, 4, 1)', '(0, 4)', '(7, 4)', '(6, 3)', '(-1, 4)', '(99999999999, 99999999999)', '()', "'x'", '(6, 4, 0)', '(1, 24)'];

/** A .npy whose header dict is built from the given parts (body bytes as given). */
export function npyWith(descr: string, fortran: string, shape: string, body: Uint8Array, extra = ''): Uint8Array {
  let header = `{'descr': ${descr.startsWith('[') ? descr : `'${descr}'`}, 'fortran_order': ${fortran}, 'shape': ${shape}, ${extra}}`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(utf8(header), 10);
  out.set(body, 10 + header.length);
  return out;
}

/** A random header edit of one .npy: descr, fortran_order, shape, an extra key, or a dropped key. */
function npyHeaderEdit(r: Rng): Uint8Array {
  const t = tensors()[0]!;
  const body = f32(t.data);
  const which = below(r, 5);
  if (which === 0) return npyWith(pick(r, DESCRS), 'False', '(6, 4)', body);
  if (which === 1) return npyWith('<f4', pick(r, ['True', 'False', '1', 'None', "'yes'"]), '(6, 4)', body);
  if (which === 2) return npyWith('<f4', 'False', pick(r, SHAPES), body);
  if (which === 3) return npyWith('<f4', 'False', '(6, 4)', body, pick(r, ["'extra': 1, ", "'descr': '<f8', ", "'shape': (2, 2), "]));
  return new Uint8Array(utf8(text(npyWith('<f4', 'False', '(6, 4)', body)).replace(pick(r, ["'descr': '<f4', ", "'shape': (6, 4), ", "'fortran_order': False, "]), '')));
}

export function npyFixture(): Fixture {
  const t = tensors()[0]!;
  return { files: { 'w.npy': npyBytes(t.data, t.shape, '<f4') }, entry: 'w.npy' };
}

export function npzFixture(): Fixture {
  return { files: { 'net.npz': npzBytes(tensors(), '<f4') }, entry: 'net.npz' };
}

/** Edit the end-of-central-directory record or a central directory entry of the .npz. */
function npzDirectoryEdit(fx: Fixture, r: Rng): Fixture {
  const b = (fx.files['net.npz'] as Uint8Array).slice();
  if (b.length < 22) return fx; // an earlier mutation cut the archive
  const dv = new DataView(b.buffer);
  const eocd = b.length - 22;
  const cdOffset = dv.getUint32(eocd + 16, true);
  if (cdOffset + 46 > b.length) return fx;
  const delta = pick(r, [-2, -1, 1, 2, 100, -100]);
  const field = below(r, 6);
  if (field < 4) {
    const at = eocd + [8, 10, 12, 16][field]!;
    const width = field < 2 ? 2 : 4;
    if (width === 2) dv.setUint16(at, (dv.getUint16(at, true) + delta) & 0xffff, true);
    else dv.setUint32(at, (dv.getUint32(at, true) + delta) >>> 0, true);
  } else if (field === 4) {
    // a central directory field of the first entry: sizes, name length, local header offset
    const at = cdOffset + pick(r, [20, 24, 28, 30, 32, 42]);
    dv.setUint16(at, (dv.getUint16(at, true) + delta) & 0xffff, true);
  } else {
    // a member whose npy header lies
    const ts = tensors();
    const members = ts.map((t) => ({ name: `${t.name}.npy`, bytes: npyBytes(t.data, t.shape, '<f4') }));
    members[below(r, members.length)]!.bytes = npyHeaderEdit(r);
    if (r() < 0.3) members.push({ ...members[0]! });
    return { ...fx, files: { 'net.npz': zipStore(members) } };
  }
  return { ...fx, files: { 'net.npz': b } };
}

export function npyDirFixture(ref?: string): Fixture {
  const files: Fixture['files'] = { 'net/.keep': new Uint8Array() };
  tensors().forEach((t, k) => (files[`net/${k}_${t.name}.npy`] = npyBytes(t.data, t.shape, '<f4')));
  // Path games: a member of the folder that is a symlink to the hostile reference.
  if (ref !== undefined) files['net/zz.npy'] = { symlink: ref === '' || ref.includes('\0') ? 'nonexistent' : ref.startsWith('/') || ref.includes('://') ? ref : `../${ref}` };
  const t = tensors()[3]!;
  return { files, entry: 'net', refBytes: npyBytes(t.data, t.shape, '<f4') };
}

// --- safetensors ---------------------------------------------------------------------------

export function safetensorsFixture(): Fixture {
  return { files: { 'model.safetensors': safetensorsBytes(tensors(), (t) => (t.name === 'l1.weight' ? 'F16' : 'F32')) }, entry: 'model.safetensors' };
}

/** Edit the JSON header (and, usually, keep the length prefix consistent with it). */
function safetensorsHeaderEdit(fx: Fixture, r: Rng): Fixture {
  const b = fx.files['model.safetensors'] as Uint8Array;
  if (b.length < 8) return fx;
  const h = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  if (h > b.length - 8) return fx;
  const header = utf8(editJsonText(text(b.subarray(8, 8 + h)), r));
  const out = new Uint8Array(8 + header.length + (b.length - 8 - h));
  new DataView(out.buffer).setBigUint64(0, BigInt(r() < 0.85 ? header.length : h), true);
  out.set(header, 8);
  out.set(b.subarray(8 + h), 8 + header.length);
  return { ...fx, files: { 'model.safetensors': out } };
}

// --- ONNX --------------------------------------------------------------------------------


interface OnnxParams {
  ref: string;
  dims: number[][];
  types: number[];
  extOffset: string;
  extLength: string;
}

function onnxModel(p: OnnxParams): Fixture {
  const [w0, b0, w1, w2] = tensors();
  const f16bits = (a: Float64Array) => Array.from(new Uint16Array(f16(a).buffer));
  const node = (opType: string, input: string[], output: string[], attribute: object[] = []) => ({ opType, input, output, name: output[0], attribute });
  const graph = {
    name: 'g',
    node: [
      node('Gemm', ['x', 'l0.weight', 'l0.bias'], ['h0'], [{ name: 'transB', type: 2, i: 1 }]),
      node('Constant', [], ['l1.weight'], [{ name: 'value', type: 4, t: { dims: p.dims[1], dataType: p.types[1], int32Data: f16bits(w1!.data) } }]),
      node('MatMul', ['h0', 'l1.weight'], ['h1']),
      node('If', ['cond'], ['y'], [{
        name: 'then_branch', type: 5,
        g: { name: 'then', node: [node('MatMul', ['h1', 'l2.weight'], ['y'])], initializer: [] },
      }]),
    ],
    initializer: [
      { name: 'l0.weight', dims: p.dims[0], dataType: p.types[0], rawData: f32(w0!.data) },
      { name: 'l0.bias', dims: [6], dataType: 1, floatData: Array.from(b0!.data) },
      {
        name: 'l2.weight', dims: p.dims[2], dataType: p.types[2], dataLocation: 1,
        externalData: [{ key: 'location', value: p.ref }, { key: 'offset', value: p.extOffset }, { key: 'length', value: p.extLength }],
      },
    ],
  };
  const bytes = ModelProto.encode(ModelProto.fromObject({ irVersion: 8, graph })).finish();
  const ext = f32(Float64Array.from([0, 0, ...w2!.data]));
  return { files: { 'model.onnx': bytes, 'weights.bin': ext }, entry: 'model.onnx', refBytes: ext };
}

const ONNX_OK: OnnxParams = { ref: 'weights.bin', dims: [[6, 4], [3, 6], [5, 3]], types: [1, 10, 1], extOffset: '8', extLength: '60' };

export function onnxFixture(ref?: string): Fixture {
  return onnxModel({ ...ONNX_OK, ref: ref ?? ONNX_OK.ref });
}

/** Rebuild the model with one lying field: dims, data_type, external offset or length. */
function onnxFieldEdit(_fx: Fixture, r: Rng): Fixture {
  const p: OnnxParams = structuredClone(ONNX_OK);
  const which = below(r, 4);
  if (which === 0) p.dims[below(r, 3)] = pick(r, [[6, 5], [5, 6], [24], [], [0, 4], [2 ** 40, 2 ** 40], [6, 4, 1], [3, 6, 2]]);
  else if (which === 1) p.types[below(r, 3)] = pick(r, [0, 2, 3, 7, 8, 11, 14, 16, 21, 99, -1]);
  else if (which === 2) p.extOffset = pick(r, ['0', '4', '12', '-8', 'x', '', '1e3', '9007199254740993']);
  else p.extLength = pick(r, ['0', '56', '64', '-60', 'x', '', '99999999999']);
  return onnxModel(p);
}

// --- TF.js ---------------------------------------------------------------------------------

interface TfWeight { name: unknown; shape: unknown; dtype: unknown; quantization?: unknown }

/** Shard bytes and manifest weights (Keras layout [in, out]): float32, uint8 and float16 quantized. */
function tfWeights(prefix: (i: number) => string): { shard: Uint8Array; weights: TfWeight[] } {
  const [w0, b0, w1, w2] = tensors();
  const t = (a: Float64Array, rows: number, cols: number) => {
    const o = new Float64Array(a.length);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) o[j * rows + i] = a[i * cols + j]!;
    return o;
  };
  const blobs = [f32(t(w0!.data, 6, 4)), f32(b0!.data), Uint8Array.from(t(w1!.data, 3, 6), (v) => (v + 2) * 8), f16(t(w2!.data, 5, 3))];
  const shard = new Uint8Array(blobs.reduce((s, b) => s + b.length, 0));
  let o = 0;
  for (const b of blobs) {
    shard.set(b, o);
    o += b.length;
  }
  return {
    shard,
    weights: [
      { name: `${prefix(0)}/kernel`, shape: [4, 6], dtype: 'float32' },
      { name: `${prefix(0)}/bias`, shape: [6], dtype: 'float32' },
      { name: `${prefix(1)}/kernel`, shape: [6, 3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.125, min: -2 } },
      { name: `${prefix(2)}/kernel`, shape: [3, 5], dtype: 'float32', quantization: { dtype: 'float16' } },
    ],
  };
}

/** The shard split in two at an odd byte; the first path is `ref` when given. */
function tfFiles(json: unknown, shard: Uint8Array, entry: string): Fixture {
  const first = shard.subarray(0, 37);
  return { files: { [entry]: utf8(JSON.stringify(json)), 'group1-shard1of2.bin': first, 'group1-shard2of2.bin': shard.subarray(37) }, entry, refBytes: first };
}
const tfPaths = (ref?: string) => [ref ?? 'group1-shard1of2.bin', 'group1-shard2of2.bin'];

export function tfLayersFixture(ref?: string): Fixture {
  const { shard, weights } = tfWeights((i) => `dense_${i}`);
  const layer = (class_name: string, name: string) => ({ class_name, config: { name } });
  return tfFiles({
    format: 'layers-model',
    modelTopology: { model_config: { class_name: 'Sequential', config: { name: 'net', layers: [layer('Dense', 'dense_0'), layer('Dense', 'dense_1'), layer('Dense', 'dense_2')] } } },
    weightsManifest: [{ paths: tfPaths(ref), weights }],
  }, shard, 'model.json');
}

export function tfGraphFixture(ref?: string): Fixture {
  const { shard, weights } = tfWeights((i) => `w${i}`);
  const n = (name: string, op: string, input: string[] = [], attr: object = {}) => ({ name, op, input, attr });
  return tfFiles({
    format: 'graph-model',
    modelTopology: {
      node: [
        n('x', 'Placeholder'), n('w0/kernel', 'Const'), n('w1/kernel', 'Const'), n('w2/kernel', 'Const'),
        n('m0', 'MatMul', ['x', 'w0/kernel'], { transpose_b: { b: false } }),
        n('id', 'Identity', ['w1/kernel']),
        n('m1', 'MatMul', ['m0', 'id:0'], {}),
        n('m2', '_FusedMatMul', ['m1', 'w2/kernel', '^w0/bias'], { transpose_a: { b: false } }),
      ],
    },
    weightsManifest: [{ paths: tfPaths(ref), weights }],
  }, shard, 'model.json');
}

export function tfManifestFixture(ref?: string): Fixture {
  const { shard, weights } = tfWeights((i) => `net/layer${i}`);
  return tfFiles([{ paths: tfPaths(ref), weights }], shard, 'weights_manifest.json');
}

/** Set one field of one manifest weight to a hostile value (name, dtype, shape, quantization). */
function tfWeightEdit(fx: Fixture, r: Rng): Fixture {
  let json: { weightsManifest?: { weights: TfWeight[] }[] } | { weights: TfWeight[] }[];
  try {
    json = JSON.parse(text(fx.files[fx.entry] as Uint8Array)) as typeof json;
  } catch {
    return fx; // an earlier mutation broke the JSON
  }
  const groups = Array.isArray(json) ? json : json?.weightsManifest;
  const list = Array.isArray(groups) ? groups[0]?.weights : undefined;
  if (!Array.isArray(list) || list.length === 0) return fx;
  const w = pick(r, list) as unknown as Record<string, unknown>;
  if (typeof w !== 'object' || w === null) return fx;
  const field = pick(r, ['name', 'dtype', 'shape', 'quantization', 'scale', 'min', 'zeroPoint', 'qdtype', 'delete']);
  if (field === 'name') w.name = pick(r, [null, 3, '', undefined, 'dense_0/kernel', 'w0/kernel', {}, ['a']]);
  else if (field === 'dtype') w.dtype = pick(r, ['float16', 'int32', 'bool', 'float64', 'string', 'complex64', 'uint8', null, 7]);
  else if (field === 'shape') w.shape = pick(r, [[4, 7], [7], [], null, [-1, 6], [2 ** 40, 2 ** 40], [4.5, 6], ['4', 6], [0, 6]]);
  else if (field === 'quantization') w.quantization = pick(r, [null, 5, 'uint8', {}, { dtype: 'uint8' }, { dtype: 'uint16', scale: 1, min: 0 }, { dtype: 'int8', scale: 1, min: 0 }]);
  else if (field === 'delete') delete w[pick(r, ['name', 'shape', 'dtype', 'quantization'])];
  else {
    const q = (w.quantization ?? (w.quantization = { dtype: 'uint8', scale: 0.125, min: -2 })) as Record<string, unknown>;
    if (field === 'scale') q.scale = pick(r, [-1, 0, 1e308, null, 'x', Infinity]);
    else if (field === 'min') q.min = pick(r, [null, 'x', 1e308, -1e308]);
    else if (field === 'qdtype') q.dtype = pick(r, ['uint8', 'uint16', 'float16', 'int8', null]);
    else {
      delete q.min;
      q.zeroPoint = pick(r, [300, -1, 128, 1.5, 65536, null]);
    }
  }
  return { ...fx, files: { ...fx.files, [fx.entry]: utf8(JSON.stringify(json)) } };
}

// --- registrations: one line per reader ----------------------------------------------------

registerFuzzTarget({ name: 'npy', format: 'npy', build: npyFixture, edits: [(fx, r) => ({ ...fx, files: { 'w.npy': npyHeaderEdit(r) } })] });
registerFuzzTarget({ name: 'npz', format: 'npz', build: npzFixture, edits: [npzDirectoryEdit] });
registerFuzzTarget({ name: 'npy-dir', format: 'npy-dir', build: npyDirFixture, refers: true, edits: [(fx, r) => ({ ...fx, files: { ...fx.files, 'net/0_l0.weight.npy': npyHeaderEdit(r) } })] });
registerFuzzTarget({ name: 'safetensors', format: 'safetensors', build: safetensorsFixture, edits: [safetensorsHeaderEdit] });
registerFuzzTarget({ name: 'onnx', format: 'onnx', build: onnxFixture, refers: true, edits: [onnxFieldEdit] });
registerFuzzTarget({ name: 'tfjs-layers', format: 'tfjs', build: tfLayersFixture, refers: true, edits: [tfWeightEdit] });
registerFuzzTarget({ name: 'tfjs-graph', format: 'tfjs', build: tfGraphFixture, refers: true, edits: [tfWeightEdit] });
// nsfwjs-style JS bundles: the layers-model and its shards as `module.exports = <literal>`
// (JSON text and base64 strings), as browserify writes them; the reader parses, never runs them.
const jsBundle = (literal: string): Uint8Array =>
  utf8(`!function(e){"object"==typeof exports?module.exports=e():this.m=e()}(function(){return function e(t,n,r){function s(o){return n[o]||(n[o]={exports:{}},t[o][0].call(n[o].exports,function(x){return s(x)},n[o],n[o].exports,e,t,n,r)),n[o].exports}return s}({1:[function(a,b,c){b.exports=${literal}},{}]},{},[1])(1)});\n`);
export function tfBundleFixture(ref?: string): Fixture {
  const plain = tfLayersFixture(ref);
  const files: Record<string, Uint8Array> = {};
  for (const [name, bytes] of Object.entries(plain.files) as [string, Uint8Array][]) {
    files[name === plain.entry ? 'model.min.js' : name] = name === plain.entry ? jsBundle(text(bytes)) : jsBundle(JSON.stringify(Buffer.from(bytes).toString('base64')));
  }
  return { files, entry: 'model.min.js', refBytes: jsBundle(JSON.stringify(Buffer.from(plain.refBytes!).toString('base64'))) };
}

registerFuzzTarget({ name: 'tfjs-manifest', format: 'tfjs', build: tfManifestFixture, refers: true, edits: [tfWeightEdit] });
registerFuzzTarget({ name: 'tfjs-bundle', format: 'tfjs-bundle', build: tfBundleFixture, refers: true });
