// PyTorch checkpoints and Hugging Face folders. Fixtures come from
// scripts/make-torch-fixtures.py (PyTorch 1.13): each checkpoint layout has a twin written as
// safetensors holding the same weights in network order, and must give the same layers (order,
// N x M), the same matrices and the same eigenvalues (1e-12 relative). Hand-built checkpoints
// (test/helpers/torchfiles.ts) cover what PyTorch will not write: bad views, missing members.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync, copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWeights, layerMatrices, WeightsError, naturalCompare, type LayerInfo } from '../src/weights/index.js';
import { openPytorch } from '../src/weights/pytorch.js';
import { openHuggingFace, ORDER_NOTE } from '../src/weights/huggingface.js';
import { unpickle, PickleError, PickleTruncated, PyCall, PyDict, PyGlobal, PyTuple, PyObject } from '../src/weights/pickle.js';
import { gram, symmetricEigenvalues } from '../src/linalg/index.js';
import { FIXTURES, PT_FIXTURES, PickleWriter, stateDictPickle, zipBytes, f32Bytes } from './helpers/torchfiles.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ergo-torch-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const pt = (f: string) => join(PT_FIXTURES, f);

async function layersOf(path: string): Promise<LayerInfo[]> {
  return layerMatrices(await openWeights(path));
}

/** Ascending eigenvalues of X = A A^T. */
function spectrum(a: Float64Array, n: number, m: number): Float64Array {
  return symmetricEigenvalues(gram(a, n, m), n);
}

async function assertSameNetwork(path: string, reference: string, rename: (s: string) => string = (s) => s): Promise<void> {
  const got = await layersOf(path);
  const want = await layersOf(reference);
  assert.deepEqual(got.map((l) => [rename(l.name), l.rows, l.cols]), want.map((l) => [l.name, l.rows, l.cols]), `${path}: layers (order, N x M)`);
  for (let i = 0; i < want.length; i++) {
    const a = await got[i]!.load();
    const b = await want[i]!.load();
    assert.deepEqual(a, b, `${path}: matrix of ${want[i]!.name}`);
    const ea = spectrum(a, got[i]!.rows, got[i]!.cols);
    const eb = spectrum(b, want[i]!.rows, want[i]!.cols);
    const scale = Math.max(...eb.map(Math.abs), 1e-300);
    for (let k = 0; k < eb.length; k++) assert.ok(Math.abs(ea[k]! - eb[k]!) <= 1e-12 * scale, `${path}: eigenvalue ${k} of ${want[i]!.name}`);
  }
}

// ---------------------------------------------------------------- layouts vs safetensors twin

const SAME_AS_NET: [string, string][] = [
  ['state_dict.pth', 'bare state_dict (zip, archive folder named after the file)'],
  ['wrap_state_dict.pt', "{'state_dict': ...}"],
  ['wrap_model.pt', "{'model': ...}"],
  ['wrap_model_state_dict.tar', "{'model_state_dict': ..., 'optimizer_state_dict': Adam}"],
  ['whole_module.pt', 'torch.save(model): _parameters in module order'],
  ['wrap_whole_module.pt', "{'model': module}"],
  ['legacy.pth', 'legacy (non-zip) format'],
  ['legacy_whole_module.pt', 'legacy format, whole module'],
  ['fp16.pth', 'float16 storages'],
  ['bf16.pth', 'bfloat16 storages'],
  ['fp64.pth', 'float64 storages'],
];

for (const [file, what] of SAME_AS_NET) {
  test(`PyTorch ${what} (${file}) = net.safetensors: same layers, matrices and eigenvalues`, async () => {
    const src = await openWeights(pt(file));
    assert.equal(src.format, 'pytorch');
    await assertSameNetwork(pt(file), pt('net.safetensors'));
  });
}

test('Lightning checkpoint: state_dict with the module prefix; Adam moments never become layers', async () => {
  await assertSameNetwork(pt('lightning.ckpt'), pt('net.safetensors'), (s) => s.replace(/^model\./, ''));
  const src = await openWeights(pt('lightning.ckpt'));
  assert.ok(src.tensors.every((t) => t.name.startsWith('model.')), 'only state_dict entries');
  // the optimizer state is in the file: 8 parameters x (exp_avg, exp_avg_sq) of the same shapes
  const text = readFileSync(pt('lightning.ckpt')).toString('latin1');
  assert.match(text, /exp_avg_sq/);
  assert.equal(src.tensors.length, 13, '8 parameters + 5 BatchNorm buffers, nothing from optimizer_states');
});

test('every dtype PyTorch stores (float64/32/16, bfloat16, int64/32/16/8, uint8, bool) = dtypes.safetensors, zip and legacy', async () => {
  await assertSameNetwork(pt('dtypes.pth'), pt('dtypes.safetensors'));
  await assertSameNetwork(pt('dtypes_legacy.pth'), pt('dtypes.safetensors'));
  const src = await openWeights(pt('dtypes.pth'));
  assert.deepEqual(src.tensors.map((t) => t.dtype), ['float64', 'float32', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool']);
});

test('views: storage offsets, strides (transposed, sliced, stepped, permuted rank 4) and shared storages = contiguous twin', async () => {
  await assertSameNetwork(pt('views.pth'), pt('views.safetensors'));
  await assertSameNetwork(pt('views_legacy.pth'), pt('views.safetensors'));
});

test('tensors load lazily: listing reads no tensor data (the file is gone before load())', async () => {
  for (const f of ['state_dict.pth', 'legacy.pth']) {
    const copy = join(dir, `lazy-${f}`);
    copyFileSync(pt(f), copy);
    const layers = layerMatrices(await openWeights(copy));
    rmSync(copy);
    await assert.rejects(layers[0]!.load(), (e: unknown) => e instanceof WeightsError && e.tensor === 'conv1.weight' && e.message.includes(copy));
  }
});

// ---------------------------------------------------------------- Hugging Face folders

test('naturalCompare: digit runs compare as numbers (layers.2 before layers.10), others by code point', () => {
  const names = ['layers.10.w', 'layers.2.w', 'layers.1.w', 'embed', 'layers.02.x', 'layers.2.a', 'lm_head'];
  assert.deepEqual(names.sort(naturalCompare), ['embed', 'layers.1.w', 'layers.2.a', 'layers.2.w', 'layers.02.x', 'layers.10.w', 'lm_head'],
    '02 equals 2 as a number, so the rest of the name decides');
  assert.ok(naturalCompare('h.99999999999999999999999.w', 'h.100000000000000000000000.w') < 0, 'no overflow on long digit runs');
});

for (const [path, what] of [
  ['hf-safetensors', 'folder: sharded safetensors + model.safetensors.index.json + config.json'],
  ['hf-bin', 'folder: sharded .bin + pytorch_model.bin.index.json, no config.json'],
  ['hf-bin/pytorch_model.bin.index.json', 'index file given directly'],
  ['hf-safetensors/model.safetensors.index.json', 'safetensors index file given directly'],
  ['hf-single-bin', 'folder with a single pytorch_model.bin'],
] as const) {
  test(`Hugging Face ${what} = hf.safetensors (network order from names)`, async () => {
    const src = await openWeights(join(FIXTURES, path));
    assert.equal(src.format, 'huggingface');
    await assertSameNetwork(join(FIXTURES, path), join(FIXTURES, 'hf.safetensors'));
    if (path !== 'hf-single-bin') assert.ok(src.warnings.includes(ORDER_NOTE), 'says how the order was recovered');
  });
}

test('Hugging Face index: alphabetical key order is not used (layers.10 is listed before layers.2 in the file)', () => {
  const idx = JSON.parse(readFileSync(join(FIXTURES, 'hf-safetensors', 'model.safetensors.index.json'), 'utf8')) as { weight_map: object };
  const keys = Object.keys(idx.weight_map);
  assert.ok(keys.indexOf('layers.10.attn.weight') < keys.indexOf('layers.2.attn.weight'), 'the fixture index is alphabetical');
});

function hfCopy(name: string): string {
  const d = mkdtempSync(join(dir, name));
  for (const f of readdirSync(join(FIXTURES, 'hf-safetensors'))) copyFileSync(join(FIXTURES, 'hf-safetensors', f), join(d, f));
  return d;
}

test('Hugging Face index: shard paths outside the folder are refused before anything is opened', async () => {
  for (const bad of ['../hf.safetensors', '/etc/passwd', 'missing-00009.safetensors']) {
    const d = hfCopy('hf-escape-');
    const indexPath = join(d, 'model.safetensors.index.json');
    const idx = JSON.parse(readFileSync(indexPath, 'utf8')) as { weight_map: Record<string, string> };
    idx.weight_map['layers.3.attn.weight'] = bad;
    writeFileSync(indexPath, JSON.stringify(idx));
    await assert.rejects(openHuggingFace(d), (e: unknown) =>
      e instanceof WeightsError && e.file === indexPath && e.tensor === 'layers.3.attn.weight' && e.message.includes('refused reference'));
  }
});

test('Hugging Face index: a tensor the index lists but its shard lacks is named', async () => {
  const d = hfCopy('hf-missing-');
  const indexPath = join(d, 'model.safetensors.index.json');
  const idx = JSON.parse(readFileSync(indexPath, 'utf8')) as { weight_map: Record<string, string> };
  idx.weight_map['layers.99.attn.weight'] = 'model-00001-of-00003.safetensors';
  writeFileSync(indexPath, JSON.stringify(idx));
  await assert.rejects(openHuggingFace(d), (e: unknown) => e instanceof WeightsError && e.tensor === 'layers.99.attn.weight' && /not in this shard/.test(e.message));
});

// ---------------------------------------------------------------- hand-built checkpoints

function writeZip(name: string, members: { name: string; data: Uint8Array }[]): string {
  const p = join(dir, name);
  writeFileSync(p, zipBytes(members));
  return p;
}

const W = { name: 'w', storageType: 'FloatStorage', key: '0', numel: 6, offset: 0, size: [2, 3], stride: [3, 1] };

test('any archive folder name; a 2 x 3 float32 tensor read from its storage', async () => {
  const p = writeZip('custom.pt', [
    { name: 'whatever_name/data.pkl', data: stateDictPickle([W, { ...W, name: 'wt', size: [3, 2], stride: [1, 3] }]) },
    { name: 'whatever_name/data/0', data: f32Bytes([1, 2, 3, 4, 5, 6]) },
    { name: 'whatever_name/version', data: new TextEncoder().encode('3\n') },
  ]);
  const src = await openWeights(p);
  assert.equal(src.format, 'pytorch');
  assert.deepEqual([...await src.tensors[0]!.load()], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...await src.tensors[1]!.load()], [1, 4, 2, 5, 3, 6], 'transposed view gathered row-major');
});

test('bounds: a view beyond its storage, a storage member shorter than its element count, a missing member', async () => {
  const cases: [string, Parameters<typeof stateDictPickle>[0], Uint8Array | null, RegExp][] = [
    ['view.pt', [{ ...W, offset: 1 }], f32Bytes([1, 2, 3, 4, 5, 6]), /reaches element 6 of storage '0', which has 6 elements/],
    ['short.pt', [W], f32Bytes([1, 2, 3]), /has 12 bytes but 6 float32 elements need 24/],
    ['missing.pt', [W], null, /storage member archive\/data\/0 is missing/],
  ];
  for (const [name, tensors, data, msg] of cases) {
    const members = [{ name: 'archive/data.pkl', data: stateDictPickle(tensors) }];
    if (data) members.push({ name: 'archive/data/0', data });
    const src = await openPytorch(writeZip(name, members));
    await assert.rejects(src.tensors[0]!.load(), (e: unknown) => e instanceof WeightsError && e.tensor === 'w' && msg.test(e.message), name);
  }
});

test('a tensor the pickle describes wrongly is refused at open, naming the tensor', async () => {
  const cases: [string, Partial<typeof W>, RegExp][] = [
    ['type.pt', { storageType: 'EvilStorage' }, /unknown storage type 'torch\.EvilStorage'/],
    ['rank.pt', { stride: [1] }, /tensor size \[2,3\] and stride \[1\] differ in length/],
  ];
  for (const [name, change, msg] of cases) {
    const p = writeZip(name, [
      { name: 'archive/data.pkl', data: stateDictPickle([{ ...W, name: 'ok' }, { ...W, ...change }]) },
      { name: 'archive/data/0', data: f32Bytes([1, 2, 3, 4, 5, 6]) },
    ]);
    await assert.rejects(openWeights(p), (e: unknown) => e instanceof WeightsError && e.tensor === 'w' && msg.test(e.message), name);
  }
});

test('big-endian archives, the ancient tar format and non-checkpoint pickles are refused with one line', async () => {
  const be = writeZip('be.pt', [
    { name: 'archive/data.pkl', data: stateDictPickle([W]) },
    { name: 'archive/byteorder', data: new TextEncoder().encode('big') },
    { name: 'archive/data/0', data: f32Bytes([1, 2, 3, 4, 5, 6]) },
  ]);
  await assert.rejects(openWeights(be), /byte order 'big' is not supported/);
  const tar = new Uint8Array(1024);
  tar.set(new TextEncoder().encode('sys_info'), 0);
  tar.set(new TextEncoder().encode('ustar'), 257);
  writeFileSync(join(dir, 'ancient.pt'), tar);
  await assert.rejects(openWeights(join(dir, 'ancient.pt')), /tar archive: the PyTorch format of versions before 0\.1\.10 is not read/);
  writeFileSync(join(dir, 'list.pt'), new PickleWriter().op(0x5d).bytes());
  await assert.rejects(openWeights(join(dir, 'list.pt')), /a Python pickle, but not a PyTorch checkpoint/);
  const noTensors = writeZip('empty.pt', [{ name: 'archive/data.pkl', data: new PickleWriter().op(0x7d).str('epoch').int(3).op(0x73).bytes() }]);
  await assert.rejects(openWeights(noTensors), /no tensors found: a dict with keys \["epoch"\]/);
});

test('robustness: a ZIP64 locator pointing beyond 2^53 and a stride-0 view of 2^40 elements are WeightsErrors, not crashes', async () => {
  // A valid checkpoint, then its end record claims ZIP64 (0xffff entries) and a ZIP64 locator
  // (APPNOTE 4.3.15) placed before it points at 2^60: yauzl's own file reader threw from an fs
  // callback here (an uncaught exception) before reads were checked against the file size.
  const good = zipBytes([{ name: 'archive/data.pkl', data: stateDictPickle([W]) }, { name: 'archive/data/0', data: f32Bytes([1, 2, 3, 4, 5, 6]) }]);
  const eocd = good.subarray(good.length - 22);
  const locator = new Uint8Array(20);
  const lv = new DataView(locator.buffer);
  lv.setUint32(0, 0x07064b50, true);
  lv.setBigUint64(8, 2n ** 60n, true);
  lv.setUint32(16, 1, true);
  const bad = new Uint8Array(good.length + 20);
  bad.set(good.subarray(0, good.length - 22));
  bad.set(locator, good.length - 22);
  bad.set(eocd, good.length - 2);
  new DataView(bad.buffer).setUint16(good.length - 2 + 8, 0xffff, true);
  new DataView(bad.buffer).setUint16(good.length - 2 + 10, 0xffff, true);
  const p = join(dir, 'zip64.pt');
  writeFileSync(p, bad);
  await assert.rejects(openWeights(p), (e: unknown) => e instanceof WeightsError && /corrupt ZIP archive: .*outside the file/.test(e.message));
  // size 2^20 x 2^20 with strides 0 over a 6-element storage (expand()-style view)
  const huge = writeZip('huge.pt', [
    { name: 'archive/data.pkl', data: stateDictPickle([{ ...W, size: [2 ** 20, 2 ** 20], stride: [0, 0] }]) },
    { name: 'archive/data/0', data: f32Bytes([1, 2, 3, 4, 5, 6]) },
  ]);
  const src = await openWeights(huge);
  await assert.rejects(src.tensors[0]!.load(), (e: unknown) => e instanceof WeightsError && e.tensor === 'w' && /too many to load/.test(e.message));
});

// ---------------------------------------------------------------- the pickle interpreter

test('pickle: data opcodes of protocols 0-4 build values; memo and shared references kept', () => {
  // protocol 0 text opcodes: (lp0\nI1\naF2.5\naS'x'\naL12345678901234567890L\na.
  const p0 = new TextEncoder().encode("(lp0\nI1\naF2.5\naS'x'\naL12345678901234567890L\nag0\na.");
  const v = unpickle(p0).value as unknown[];
  assert.equal(v.length, 5);
  assert.deepEqual(v.slice(0, 4), [1, 2.5, 'x', 12345678901234567890n]);
  assert.equal(v[4], v, 'GET returns the memoised list itself (a cycle), not a copy');
  assert.deepEqual(unpickle(new TextEncoder().encode('(Finf\nF-inf\nF1e-3\nl.')).value, [Infinity, -Infinity, 0.001], 'repr() spellings of FLOAT');
  // protocol 2: a dict with int and tuple keys, TUPLE2, NEWTRUE
  const p2 = new PickleWriter().op(0x7d, 0x28).int(7).str('seven').op(0x4b, 1, 0x4b, 2, 0x86).op(0x88).op(0x75).bytes();
  const d = unpickle(p2).value as PyDict;
  assert.ok(d instanceof PyDict);
  assert.equal(d.get(7), 'seven');
  assert.ok(d.keys[1] instanceof PyTuple && d.values[1] === true);
});

test('pickle: GLOBAL + REDUCE outside the whitelist is an inert PyCall; NEWOBJ + BUILD an inert PyObject', () => {
  const call = new PickleWriter().global('os', 'system').op(0x28).str('touch /tmp/x').op(0x74, 0x52).bytes();
  const v = unpickle(call).value;
  assert.ok(v instanceof PyCall && v.callable instanceof PyGlobal && v.callable.qualified === 'os.system');
  const obj = new PickleWriter().global('m', 'C').op(0x29, 0x81).op(0x7d).str('a').int(1).op(0x73, 0x62).bytes();
  const o = unpickle(obj).value;
  assert.ok(o instanceof PyObject && o.state instanceof PyDict && o.state.get('a') === 1);
  let called = 0;
  const ok = unpickle(call, 0, { reconstructors: { 'os.system': () => ++called } }).value;
  assert.equal(ok, 1, 'only a whitelisted name is called, with the JS function supplied by the caller');
});

test('pickle: malformed input is a PickleError; lengths beyond the input are truncation, not allocation', () => {
  assert.throws(() => unpickle(Uint8Array.from([0x80, 2, 0xff])), (e: unknown) => e instanceof PickleError && /unknown pickle opcode 0xff/.test((e as Error).message));
  assert.throws(() => unpickle(Uint8Array.from([0x80, 2, 0x58, 0xff, 0xff, 0xff, 0x7f])), PickleTruncated);
  assert.throws(() => unpickle(Uint8Array.from([0x80, 4, 0x8e, 0, 0, 0, 0, 0, 0, 0, 0x40])), PickleTruncated);
  assert.throws(() => unpickle(Uint8Array.from([0x80, 2, 0x61, 0x2e])), /stack underflow/);
  assert.throws(() => unpickle(Uint8Array.from([0x80, 2, 0x68, 5, 0x2e])), /memo key 5 not defined/);
  assert.throws(() => unpickle(Uint8Array.from([0x80, 2, 0x31])), /no MARK/);
});

// ---------------------------------------------------------------- malicious pickles

const MAL = join(PT_FIXTURES, 'malicious');
const PAYLOADS = ['os_system', 'eval', 'builtins_exec', 'subprocess_popen'];
const marker = (p: string) => join('/tmp', `ergo-pickle-marker-${p}`);

test('malicious pickles (os.system via __reduce__, eval, builtins.exec, subprocess.Popen): data or one clear line, nothing executed', async () => {
  for (const p of PAYLOADS) rmSync(marker(p), { force: true });
  const files = readdirSync(MAL);
  assert.equal(files.length, PAYLOADS.length * 5);
  for (const f of files) {
    const path = join(MAL, f);
    try {
      const src = await openWeights(path);
      // only the payload hidden beside a real state_dict opens: its tensors are the network
      assert.match(f, /\.in_state\.pth$/);
      await assertSameNetwork(path, pt('net.safetensors'));
    } catch (e) {
      assert.ok(e instanceof WeightsError, `${f}: ${(e as Error).stack}`);
      assert.ok(!e.message.includes('\n') && e.message.startsWith(path), `${f}: one line naming the file`);
      assert.match(e.message, /not executed|not a PyTorch checkpoint/, f);
    }
  }
  for (const p of PAYLOADS) assert.equal(existsSync(marker(p)), false, `${p}: marker file created: the payload ran`);
});

test('malicious pickles are what they claim: the interpreter sees the call and its argument', () => {
  const expect: Record<string, [RegExp, string]> = {
    os_system: [/^(os|posix)\.system$/, `touch ${marker('os_system')}`],
    eval: [/^(builtins|__builtin__)\.eval$/, marker('eval')],
    builtins_exec: [/^(builtins|__builtin__)\.exec$/, marker('builtins_exec')],
    subprocess_popen: [/^(subprocess|commands)\.Popen$/, marker('subprocess_popen')],
  };
  for (const [p, [callable, arg]] of Object.entries(expect)) {
    for (const proto of [2, 4]) {
      const v = unpickle(readFileSync(join(MAL, `${p}.p${proto}.pt`))).value;
      assert.ok(v instanceof PyCall && v.callable instanceof PyGlobal, `${p} p${proto}`);
      assert.match(v.callable.qualified, callable);
      assert.ok(JSON.stringify(v.args, (_k, x: unknown) => (x instanceof PyTuple ? x.items : x)).includes(arg), `${p}: argument`);
    }
  }
});
