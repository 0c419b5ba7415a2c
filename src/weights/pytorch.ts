// PyTorch checkpoints (`torch.save`: .pt, .pth, .bin, .ckpt), read without Python and without
// executing anything.
//
// Formats (from PyTorch's torch/serialization.py, which defines them by its code):
// - zip (PyTorch >= 1.6): a ZIP archive `<dir>/data.pkl`, `<dir>/data/<key>`, `<dir>/version`,
//   optional `<dir>/byteorder`; `<dir>` is any folder name. data.pkl is a pickle whose tensors
//   are `_rebuild_tensor_v2(storage, offset, size, stride, ...)` calls; each storage is a
//   persistent id ('storage', torch.<T>Storage, key, location, numel) naming member data/<key>,
//   raw little-endian elements. Members are found through the central directory
//   (./zipmembers.ts); tensor data is read from its member only on load(), by range.
// - legacy (`_use_new_zipfile_serialization=False`): five pickles in a row (magic number
//   0x1950a86a20f9469cfc6c, protocol 1001, sys info, the object, the list of storage keys), then
//   for each key an int64 element count and the raw elements. Persistent ids are
//   ('storage', type, root key, location, numel, view) with view = (key, offset, size) or None.
// - the tar format of PyTorch < 0.1.10 (2017) is recognised and refused with a clear line.
//
// Why a hand-written pickle interpreter (./pickle.ts) and not a library: unpickling runs code
// chosen by the file's author; no npm unpickler is restricted to data. Here only a whitelist of
// reconstructors that build data is honoured (tensor rebuilds, OrderedDict, torch.Size,
// _codecs.encode); every other call is an inert placeholder, never executed.
//
// What people save, and which tensors become the network (see docs/weights.md):
// a bare state_dict; a dict wrapping it under 'state_dict' (Lightning, which also stores
// optimizer state: never read as layers), 'model_state_dict' or 'model'; a whole pickled module
// (`torch.save(model)`): its `_parameters`, then its `_modules` recursively, i.e. registration
// order. Order = the pickle's insertion order = the order the network registered its parameters.
// Views: storage offset and strides are honoured (non-contiguous views are gathered); tensors
// may share a storage. Every read is checked against the real member / file size.
import { WeightsError } from './errors.js';
import { isTar } from './detect.js';
import { BYTES, checkFinite, decodeElements, fileSize, gatherStrided, product, readRange, type StoredType } from './decode.js';
import {
  PickleError, PickleTruncated, PyCall, PyDict, PyGlobal, PyObject, PyTuple, callableName, unpickle,
  type Reconstructor,
} from './pickle.js';
import { listZip, readMember, type ZipMember } from './zipmembers.js';
import type { TensorEntry, WeightSource } from './types.js';

/** torch.<T>Storage -> element type (null: known but not a real dtype we decode) and bytes. */
const STORAGE_TYPES: Record<string, { type: StoredType | null; name: string; bytes: number }> = {
  DoubleStorage: { type: 'f64', name: 'float64', bytes: 8 },
  FloatStorage: { type: 'f32', name: 'float32', bytes: 4 },
  HalfStorage: { type: 'f16', name: 'float16', bytes: 2 },
  BFloat16Storage: { type: 'bf16', name: 'bfloat16', bytes: 2 },
  LongStorage: { type: 'i64', name: 'int64', bytes: 8 },
  IntStorage: { type: 'i32', name: 'int32', bytes: 4 },
  ShortStorage: { type: 'i16', name: 'int16', bytes: 2 },
  CharStorage: { type: 'i8', name: 'int8', bytes: 1 },
  ByteStorage: { type: 'u8', name: 'uint8', bytes: 1 },
  BoolStorage: { type: 'bool', name: 'bool', bytes: 1 },
  UntypedStorage: { type: 'u8', name: 'uint8', bytes: 1 },
  ComplexFloatStorage: { type: null, name: 'complex64', bytes: 8 },
  ComplexDoubleStorage: { type: null, name: 'complex128', bytes: 16 },
  QInt8Storage: { type: null, name: 'qint8', bytes: 1 },
  QUInt8Storage: { type: null, name: 'quint8', bytes: 1 },
  QInt32Storage: { type: null, name: 'qint32', bytes: 4 },
};

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;
/** data.pkl / legacy pickles larger than this are treated as corruption. */
const MAX_PICKLE = 512 * 1024 * 1024;
/** A tensor (as float64) larger than this is refused: 2^32 elements = 32 GiB. */
const MAX_ELEMENTS = 2 ** 32;
const AS_STORED = { kind: 'axis', axis: 0, rule: 'PyTorch tensor: [out, ...] as stored' } as const;

/** A storage: `numel` elements of one type, read by element range. */
interface Storage {
  key: string;
  type: StoredType | null;
  dtypeName: string;
  elementBytes: number;
  numel: number;
  /** Bytes of elements [first, first + count), bounds-checked against the file. */
  read(first: number, count: number, tensor: string): Promise<Uint8Array>;
}

/** A tensor view of a storage (what `_rebuild_tensor_v2` describes). */
export class TorchTensor {
  constructor(
    readonly storage: Storage,
    readonly offset: number,
    readonly size: number[],
    readonly stride: number[],
  ) {}
}

class TorchFail extends Error {
  constructor(message: string, readonly tensor?: string) {
    super(message);
  }
}

/** A tensor or storage the pickle describes wrongly; an error only if the network uses it. */
class Broken {
  constructor(readonly reason: string) {}
}

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function intTuple(v: unknown, what: string): number[] {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : null;
  if (items === null || !items.every(isIndex)) throw new TorchFail(`${what} is not a tuple of non-negative integers`);
  return items as number[];
}

function rebuildTensor(args: unknown[]): unknown {
  try {
    return rebuildTensorChecked(args);
  } catch (e) {
    if (e instanceof TorchFail) return new Broken(e.message);
    throw e;
  }
}

function rebuildTensorChecked(args: unknown[]): unknown {
  const [storage, offset, size, stride] = args;
  if (storage instanceof Broken) return storage;
  if (!(storage instanceof StorageRef)) return new PyCall(new PyGlobal('torch._utils', '_rebuild_tensor_v2'), new PyTuple(args));
  if (!isIndex(offset)) throw new TorchFail('tensor storage offset is not a non-negative integer');
  const sz = intTuple(size, 'tensor size');
  const st = intTuple(stride, 'tensor stride');
  if (sz.length !== st.length) throw new TorchFail(`tensor size ${JSON.stringify(sz)} and stride ${JSON.stringify(st)} differ in length`);
  if (!Number.isSafeInteger(product(sz))) throw new TorchFail(`tensor size ${JSON.stringify(sz)} is too large`);
  return new TorchTensor(storage.storage, offset, sz, st);
}

/** Wrapper so a Storage can travel through the pickle as a value. */
class StorageRef {
  constructor(readonly storage: Storage) {}
}

const RECONSTRUCTORS: Record<string, Reconstructor> = {
  'torch._utils._rebuild_tensor_v2': rebuildTensor,
  'torch._utils._rebuild_tensor': rebuildTensor,
  // Parameter(data, requires_grad, hooks[, state]): the data is the tensor.
  'torch._utils._rebuild_parameter': (a) => a[0],
  'torch._utils._rebuild_parameter_with_state': (a) => a[0],
  // Tensor subclasses: (func, type, args, state) -> func(*args) when func is whitelisted.
  'torch._tensor._rebuild_from_type_v2': (a) => {
    const [fn, , args] = a;
    if (fn instanceof PyGlobal && fn.qualified.startsWith('torch._utils._rebuild_tensor') && args instanceof PyTuple) return rebuildTensor(args.items);
    return new PyCall(new PyGlobal('torch._tensor', '_rebuild_from_type_v2'), new PyTuple(a));
  },
  'collections.OrderedDict': (a) => {
    const d = new PyDict();
    const pairs = a[0];
    if (Array.isArray(pairs)) {
      for (const kv of pairs) {
        const items = kv instanceof PyTuple ? kv.items : Array.isArray(kv) ? kv : null;
        if (items && items.length === 2) d.set(items[0], items[1]);
      }
    }
    return d;
  },
  'torch.Size': (a) => (a[0] instanceof PyTuple ? a[0] : new PyTuple([])),
  // Protocol 2 writes Python 3 bytes as _codecs.encode(str, 'latin1').
  '_codecs.encode': (a) => (typeof a[0] === 'string' ? Uint8Array.from(a[0], (c) => c.charCodeAt(0) & 0xff) : new PyCall(new PyGlobal('_codecs', 'encode'), new PyTuple(a))),
};

function storageType(t: unknown): (typeof STORAGE_TYPES)[string] & { label: string } {
  const label = t instanceof PyGlobal ? t.qualified : typeof t === 'string' ? t : callableName(t);
  const short = label.replace(/^torch\.(storage\.)?/, '');
  const info = STORAGE_TYPES[short];
  if (!info) throw new TorchFail(`unknown storage type '${label}'`);
  return { ...info, label };
}

// ---------------------------------------------------------------------------------------------
// Tensor values: view -> contiguous float64

function isContiguous(size: number[], stride: number[]): boolean {
  let expect = 1;
  for (let d = size.length - 1; d >= 0; d--) {
    if (size[d]! !== 1 && stride[d] !== expect) return false;
    expect *= size[d]!;
  }
  return true;
}

async function loadTensor(file: string, name: string, t: TorchTensor): Promise<Float64Array> {
  const s = t.storage;
  if (s.type === null) throw new WeightsError(file, name, `dtype ${s.dtypeName} cannot be read as a real weight matrix`);
  const count = product(t.size);
  if (count === 0) return new Float64Array(0);
  let last = t.offset;
  for (let d = 0; d < t.size.length; d++) last += (t.size[d]! - 1) * t.stride[d]!;
  if (!Number.isSafeInteger(last) || last >= s.numel) {
    throw new WeightsError(file, name, `view (offset ${t.offset}, size ${JSON.stringify(t.size)}, stride ${JSON.stringify(t.stride)}) reaches element ${last} of storage '${s.key}', which has ${s.numel} elements`);
  }
  if (count > MAX_ELEMENTS) throw new WeightsError(file, name, `${count} elements (size ${JSON.stringify(t.size)}) are too many to load`);
  const span = last - t.offset + 1;
  const bytes = await s.read(t.offset, span, name);
  let dense: Float64Array;
  try {
    const values = decodeElements(bytes, s.type, span);
    dense = isContiguous(t.size, t.stride) ? values.subarray(0, count) : gatherStrided(values, t.size, t.stride);
  } catch (e) {
    if (e instanceof RangeError) throw new WeightsError(file, name, `cannot hold ${count} elements in memory (${e.message})`, { cause: e });
    throw e;
  }
  return checkFinite(dense, file, name);
}

// ---------------------------------------------------------------------------------------------
// Which tensors make the network

interface Found {
  tensors: [string, TorchTensor][];
  warnings: string[];
}

const WRAPPERS = ['state_dict', 'model_state_dict', 'model'] as const;

function moduleState(v: unknown): PyDict | null {
  if (!(v instanceof PyObject) || !(v.state instanceof PyDict)) return null;
  return v.state.get('_parameters') instanceof PyDict || v.state.get('_modules') instanceof PyDict ? v.state : null;
}

function describe(v: unknown): string {
  if (v instanceof PyCall) return `a call to ${callableName(v.callable)} (not executed)`;
  if (v instanceof PyObject) return `an object of class ${callableName(v.cls)}`;
  if (v instanceof PyDict) return 'a dict';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof PyTuple) return 'a tuple';
  return v === null ? 'None' : typeof v;
}

function fromStateDict(d: PyDict, out: Found): void {
  for (let i = 0; i < d.size; i++) {
    const v = d.values[i];
    const name = String(d.keys[i]);
    if (v instanceof TorchTensor) out.tensors.push([name, v]);
    else if (v instanceof Broken) throw new TorchFail(v.reason, name);
    else if (v instanceof PyCall) out.warnings.push(`entry '${name}' is ${describe(v)}; left out`);
  }
}

// Module order: a module's own _parameters, then each child in _modules (PyTorch's
// named_parameters order); a tensor reached twice (tied weights) is listed once.
function fromModule(root: PyDict, out: Found): void {
  const seen = new Set<unknown>();
  const walk = (state: PyDict, prefix: string, depth: number): void => {
    if (depth > 500 || seen.has(state)) return;
    seen.add(state);
    const params = state.get('_parameters');
    if (params instanceof PyDict) {
      for (let i = 0; i < params.size; i++) {
        const v = params.values[i];
        if (v instanceof Broken) throw new TorchFail(v.reason, `${prefix}${String(params.keys[i])}`);
        if (v instanceof TorchTensor && !seen.has(v)) {
          seen.add(v);
          out.tensors.push([`${prefix}${String(params.keys[i])}`, v]);
        }
      }
    }
    const mods = state.get('_modules');
    if (mods instanceof PyDict) {
      for (let i = 0; i < mods.size; i++) {
        const child = moduleState(mods.values[i]);
        if (child) walk(child, `${prefix}${String(mods.keys[i])}.`, depth + 1);
      }
    }
  };
  walk(root, '', 0);
}

function hasTensors(d: PyDict): boolean {
  return d.values.some((v) => v instanceof TorchTensor || v instanceof Broken);
}

/** The network's tensors in a checkpoint object, in registration order. */
export function findNetwork(root: unknown): Found {
  const out: Found = { tensors: [], warnings: [] };
  const mod = moduleState(root);
  if (mod) {
    fromModule(mod, out);
    return out;
  }
  if (!(root instanceof PyDict)) throw new TorchFail(`the checkpoint holds ${describe(root)}, not a state_dict or a module`);
  if (hasTensors(root)) {
    fromStateDict(root, out);
    return out;
  }
  for (const key of WRAPPERS) {
    const v = root.get(key);
    if (v instanceof PyDict && hasTensors(v)) {
      fromStateDict(v, out);
      return out;
    }
    const m = moduleState(v);
    if (m) {
      fromModule(m, out);
      return out;
    }
  }
  const keys = root.keys.slice(0, 12).map((k) => JSON.stringify(String(k))).join(', ');
  throw new TorchFail(`no tensors found: a dict with keys [${keys}${root.size > 12 ? ', ...' : ''}] and no 'state_dict', 'model_state_dict' or 'model' entry holding tensors`);
}

// ---------------------------------------------------------------------------------------------
// Shared: run the object pickle with a storage resolver

function runObjectPickle(buf: Uint8Array, start: number, resolve: (pid: PyTuple) => Storage): { value: unknown; end: number } {
  const cache = new Map<string, StorageRef>();
  return unpickle(buf, start, {
    reconstructors: RECONSTRUCTORS,
    persistentLoad: (pid) => {
      if (!(pid instanceof PyTuple) || pid.items.length < 1) throw new TorchFail(`unexpected persistent id ${describe(pid)}`);
      const kind = pid.items[0] instanceof Uint8Array ? new TextDecoder('latin1').decode(pid.items[0]) : pid.items[0];
      if (kind === 'module') return pid.items[1]; // legacy: a module class with its source; the source is ignored
      if (kind !== 'storage') throw new TorchFail(`unexpected persistent id type ${JSON.stringify(String(kind))}`);
      const text = (x: unknown): string => (x instanceof PyGlobal ? x.qualified : x instanceof PyTuple ? x.items.map(text).join(',') : String(x));
      const id = pid.items.map(text).join('|');
      let ref = cache.get(id);
      if (!ref) {
        try {
          ref = new StorageRef(resolve(pid));
        } catch (e) {
          if (e instanceof TorchFail) return new Broken(e.message);
          throw e;
        }
        cache.set(id, ref);
      }
      return ref;
    },
  });
}

function entries(file: string, found: Found): TensorEntry[] {
  return found.tensors.map(([name, t]) => ({
    name,
    shape: t.size.slice(),
    dtype: t.storage.dtypeName,
    layout: AS_STORED,
    load: () => loadTensor(file, name, t),
  }));
}

function fail(file: string, e: unknown): never {
  if (e instanceof WeightsError) throw e;
  if (e instanceof TorchFail) throw new WeightsError(file, e.tensor, e.message, { cause: e });
  if (e instanceof PickleError) throw new WeightsError(file, undefined, e.message, { cause: e });
  throw e; // anything else is a bug in this reader, not a problem with the file
}

// ---------------------------------------------------------------------------------------------
// zip format

/** The folder holding data.pkl (`archive/` or any name), or null when the ZIP is not a checkpoint. */
export function torchArchivePrefix(members: Map<string, ZipMember>): string | null {
  for (const name of members.keys()) {
    const m = /^([^/]+\/)data\.pkl$/.exec(name);
    if (m) return m[1]!;
  }
  return members.has('data.pkl') ? '' : null;
}

/** True when `path` is a ZIP holding `<dir>/data.pkl`. */
export async function isTorchZip(path: string): Promise<boolean> {
  try {
    return torchArchivePrefix(await listZip(path)) !== null;
  } catch {
    return false;
  }
}

async function openTorchZip(path: string, fileSize: number): Promise<WeightSource> {
  let members: Map<string, ZipMember>;
  try {
    members = await listZip(path);
  } catch (e) {
    throw new WeightsError(path, undefined, `corrupt ZIP archive: ${(e as Error).message}`, { cause: e });
  }
  const prefix = torchArchivePrefix(members);
  if (prefix === null) throw new WeightsError(path, undefined, 'a ZIP archive without a data.pkl member: not a PyTorch checkpoint');
  const order = members.get(`${prefix}byteorder`);
  if (order && order.size <= 16) {
    const text = new TextDecoder().decode(await readMember(path, order, fileSize, 0, order.size));
    if (text.trim() !== 'little') throw new WeightsError(path, undefined, `byte order '${text.trim()}' is not supported (only little-endian checkpoints)`);
  }
  const pkl = members.get(`${prefix}data.pkl`)!;
  if (pkl.size > MAX_PICKLE) throw new WeightsError(path, undefined, `${pkl.name} is ${pkl.size} bytes; refusing a pickle that large`);
  const buf = await readMember(path, pkl, fileSize, 0, pkl.size);
  const resolve = (pid: PyTuple): Storage => {
    const [, type, key, , numel] = pid.items;
    const info = storageType(type);
    if (typeof key !== 'string' || !/^[\w.-]{1,64}$/.test(key)) throw new TorchFail(`bad storage key ${describe(key)}`);
    if (!isIndex(numel)) throw new TorchFail(`storage '${key}': element count is not a non-negative integer`);
    const member = members.get(`${prefix}data/${key}`);
    return {
      key,
      type: info.type,
      dtypeName: info.name,
      elementBytes: info.bytes,
      numel,
      read: async (first, count, tensor) => {
        if (!member) throw new WeightsError(path, tensor, `storage member ${prefix}data/${key} is missing from the archive`);
        if (member.size < numel * info.bytes) {
          throw new WeightsError(path, tensor, `storage member ${member.name} has ${member.size} bytes but ${numel} ${info.name} elements need ${numel * info.bytes}`);
        }
        return readMember(path, member, fileSize, first * info.bytes, count * info.bytes, tensor);
      },
    };
  };
  let found: Found;
  try {
    found = findNetwork(runObjectPickle(buf, 0, resolve).value);
  } catch (e) {
    fail(path, e instanceof PickleError ? new PickleError(`${pkl.name}: ${e.message}`) : e);
  }
  return { format: 'pytorch', path, tensors: entries(path, found), warnings: found.warnings };
}

// ---------------------------------------------------------------------------------------------
// legacy format

interface LegacyStorage {
  info: ReturnType<typeof storageType>;
  numel: number;
  /** Byte offset of element 0 in the file, known once the storage table has been walked. */
  dataStart: number;
}

async function openTorchLegacy(path: string, fileSize: number): Promise<WeightSource> {
  // The pickles come first and their length is only known by running them: read a prefix and
  // grow it when a pickle runs past its end.
  let prefix = Math.min(fileSize, 1 << 20);
  for (;;) {
    const buf = await readRange(path, 0, prefix);
    try {
      return await parseLegacy(path, fileSize, buf);
    } catch (e) {
      if (e instanceof PickleTruncated && prefix < fileSize && prefix < MAX_PICKLE) {
        prefix = Math.min(fileSize, prefix * 4, MAX_PICKLE);
        continue;
      }
      if (e instanceof PickleTruncated) throw new WeightsError(path, undefined, `legacy checkpoint: ${e.message} (truncated file?)`, { cause: e });
      fail(path, e);
    }
  }
}

async function parseLegacy(path: string, fileSize: number, buf: Uint8Array): Promise<WeightSource> {
  const plain = { reconstructors: {} };
  const magic = unpickle(buf, 0, plain);
  if (BigInt(typeof magic.value === 'number' || typeof magic.value === 'bigint' ? magic.value : -1) !== LEGACY_MAGIC) {
    throw new TorchFail('a Python pickle, but not a PyTorch checkpoint (no PyTorch magic number)');
  }
  const proto = unpickle(buf, magic.end, plain);
  if (proto.value !== LEGACY_PROTOCOL) throw new TorchFail(`legacy checkpoint protocol ${String(proto.value)} (expected ${LEGACY_PROTOCOL})`);
  const sys = unpickle(buf, proto.end, plain);
  if (sys.value instanceof PyDict && sys.value.get('little_endian') === false) throw new TorchFail('big-endian legacy checkpoints are not supported');
  const roots = new Map<string, LegacyStorage>();
  const resolve = (pid: PyTuple): Storage => {
    const [, type, key, , numel, view] = pid.items;
    const info = storageType(type);
    if (typeof key !== 'string' || key.length === 0 || key.length > 64) throw new TorchFail(`bad storage key ${describe(key)}`);
    if (!isIndex(numel)) throw new TorchFail(`storage '${key}': element count is not a non-negative integer`);
    let root = roots.get(key);
    if (!root) {
      root = { info, numel, dataStart: -1 };
      roots.set(key, root);
    }
    let base = 0;
    let count = root.numel;
    if (view instanceof PyTuple) {
      const [, off, size] = view.items;
      if (!isIndex(off) || !isIndex(size) || off + size > root.numel) throw new TorchFail(`storage '${key}': bad view ${describe(view)}`);
      base = off;
      count = size;
    }
    const r = root;
    return {
      key,
      type: info.type,
      dtypeName: info.name,
      elementBytes: info.bytes,
      numel: count,
      read: (first, n, tensor) => {
        if (r.dataStart < 0) throw new WeightsError(path, tensor, `storage '${key}' is not in the file's storage table`);
        return readRange(path, r.dataStart + (base + first) * info.bytes, n * info.bytes, tensor);
      },
    };
  };
  const obj = runObjectPickle(buf, sys.end, resolve);
  const keys = unpickle(buf, obj.end, plain);
  if (!Array.isArray(keys.value)) throw new TorchFail('legacy checkpoint: the storage key list is missing');
  // Walk the storage table: per key an int64 element count, then the elements.
  let at = keys.end;
  for (const k of keys.value) {
    const root = typeof k === 'string' ? roots.get(k) : undefined;
    if (!root) throw new TorchFail(`legacy checkpoint: storage key ${describe(k)} ${typeof k === 'string' ? `'${k}' ` : ''}is not used by any tensor`);
    if (at + 8 > fileSize) throw new TorchFail(`legacy checkpoint: storage '${String(k)}' lies beyond the end of the file (truncated?)`);
    const n = new DataView((await readRange(path, at, 8)).buffer).getBigInt64(0, true);
    if (n !== BigInt(root.numel)) throw new TorchFail(`legacy checkpoint: storage '${String(k)}' holds ${n} elements, the pickle says ${root.numel}`);
    root.dataStart = at + 8;
    at = root.dataStart + root.numel * root.info.bytes;
    if (at > fileSize) throw new TorchFail(`legacy checkpoint: storage '${String(k)}' runs past the end of the file (truncated?)`);
  }
  const found = findNetwork(obj.value);
  return { format: 'pytorch', path, tensors: entries(path, found), warnings: found.warnings };
}

// ---------------------------------------------------------------------------------------------

/** PyTorch legacy magic: PROTO 2, LONG1 of 10 bytes 0x1950a86a20f9469cfc6c. */


/** True when `path` is a tar archive (the pre-0.1.10 PyTorch format, which is refused by name). */
export async function isTorchTar(path: string): Promise<boolean> {
  try {
    return isTar(await readRange(path, 0, 262));
  } catch {
    return false;
  }
}

export async function openPytorch(path: string): Promise<WeightSource> {
  const size = await fileSize(path);
  const head = await readRange(path, 0, Math.min(size, 512));
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b) return openTorchZip(path, size);
  if (isTar(head)) {
    throw new WeightsError(path, undefined, 'a tar archive: the PyTorch format of versions before 0.1.10 is not read; load it with PyTorch and save it again');
  }
  if (head[0] === 0x80) return openTorchLegacy(path, size);
  throw new WeightsError(path, undefined, 'not a PyTorch checkpoint (neither a ZIP archive nor a pickle)');
}
