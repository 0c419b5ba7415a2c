// Keras readers: Keras 2 HDF5 (.h5, whole models and save_weights files) and Keras 3 (.keras
// zip archives, and bare .weights.h5 files).
//
// HDF5 library: h5wasm (the HDF5 C library compiled to WebAssembly; maintained; reads the file
// lazily through its own file driver). Measured against jsfive on a 96 MiB Keras-2-like file
// (6 float32 datasets of 2048 x 2048, reading every dataset, 2 runs on the shared 2-core
// machine): h5wasm 2.4-2.7 s (+0.8-1.1 s WebAssembly start) and 182-198 MiB peak RSS; jsfive
// 8.8-11.6 s and 466-468 MiB (it needs the whole file in memory). h5wasm it is.
//
// Keras 2 .h5: the layer order is the `layer_names` attribute of the `model_weights` group (or
// of the root, for save_weights files); each layer group's `weight_names` attribute lists its
// variables in order, stored at `<layer>/<weight name>`. `optimizer_weights` is never read. Layer
// classes (hence kernel layouts, SPEC 5: as TF) come from the root's `model_config` JSON; without
// it the layout is inferred from variable names with TF conventions, and a warning says so.
//
// Keras 3 .keras: a zip with config.json (the layer order and classes) and model.weights.h5,
// whose variables sit at `layers/<layer name>/vars/<i>` (nested: `.../layers/<inner>/vars/<i>`,
// recurrent cells `.../cell/vars/<i>`); the optimizer's variables (`optimizer/...`) are not read.
// Variables carry no names, only indices: the index is mapped to the Keras variable name per
// layer class (Dense: 0 = kernel; SeparableConv: 0 = depthwise_kernel, 1 = pointwise_kernel; LSTM
// cell: 0 = kernel, 1 = recurrent_kernel; ...); a rank >= 2 variable of a class without a rule is
// reported, not guessed. model.weights.h5 is copied out of the zip to a temporary file (HDF5
// needs random access), opened, and unlinked at once (the open handle keeps it readable).
// A bare Keras 3 .weights.h5 (no config) is read in natural name order, with a warning.
//
// Errors: HDF5 prints its error stack to stderr; calls into it are wrapped so that the stack is
// captured (not printed) and its innermost line ends up in a WeightsError naming file and tensor.
import fs, { mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type yauzl from 'yauzl';
import { WeightsError } from './errors.js';
import { checkFinite, product } from './decode.js';
import { flattenLayers, kerasLayout } from './tfjs.js';
import type { LayoutHint, TensorEntry, WeightSource } from './types.js';

type H5 = typeof import('h5wasm/node').default;
type H5File = InstanceType<H5['File']>;
type H5Group = InstanceType<H5['Group']>;
type H5Dataset = InstanceType<H5['Dataset']>;

let h5lib: Promise<H5> | null = null;
function loadH5(): Promise<H5> {
  h5lib ??= import('h5wasm/node').then(async (m) => {
    await m.default.ready;
    return m.default;
  });
  return h5lib;
}

/** Largest dataset the reader materialises (the WebAssembly heap is 32-bit). */
const MAX_DATASET_BYTES = 2 ** 31;
const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

/**
 * Run a (synchronous) HDF5 call with its stderr diagnostics captured instead of printed.
 * Returns the value, or throws a WeightsError carrying HDF5's innermost message.
 */
let lastDiag = '';
function hdf5<T>(file: string, tensor: string | undefined, what: string, fn: () => T): T {
  const orig = fs.writeSync;
  let diag = '';
  (fs as { writeSync: unknown }).writeSync = function (fd: number, buf: unknown, ...rest: unknown[]): number {
    if (fd === 2 && ArrayBuffer.isView(buf)) {
      const off = typeof rest[0] === 'number' ? rest[0] : 0;
      const len = typeof rest[1] === 'number' ? rest[1] : buf.byteLength - off;
      if (diag.length < 65536) diag += Buffer.from(buf.buffer, buf.byteOffset + off, len).toString('utf8');
      return len;
    }
    return (orig as (...a: unknown[]) => number).call(fs, fd, buf, ...rest);
  };
  try {
    return fn();
  } catch (e) {
    if (e instanceof WeightsError) throw e;
    throw new WeightsError(file, tensor, `${what}: ${hdf5Reason(diag) ?? (e as Error)?.message ?? String(e)}`, { cause: e });
  } finally {
    (fs as { writeSync: unknown }).writeSync = orig;
    lastDiag = diag;
  }
}

/** The innermost "#nnn: ... in F(): reason" line of an HDF5 error stack. */
function hdf5Reason(diag: string): string | undefined {
  const lines = diag.split('\n').filter((l) => /^\s*#\d+:/.test(l));
  const last = lines[lines.length - 1];
  if (!last) return undefined;
  const m = /\(\):\s*(.*)$/.exec(last);
  return `HDF5: ${(m?.[1] ?? last).trim()}`;
}

/** Size of each open file, to bound what an uncompressed dataset can claim. */
const fileSizes = new WeakMap<H5File, number>();

function openH5(lib: H5, path: string, shownAs: string): H5File {
  const size = fs.statSync(path).size;
  const f = hdf5(shownAs, undefined, 'cannot open as HDF5', () => new lib.File(path, 'r'));
  if (f.file_id < 0n) {
    throw new WeightsError(shownAs, undefined, `not a readable HDF5 file (${hdf5Reason(lastDiag) ?? 'corrupt or truncated'})`);
  }
  fileSizes.set(f, size);
  return f;
}

function isGroup(lib: H5, x: unknown): x is H5Group {
  return x instanceof lib.Group;
}
function isDataset(lib: H5, x: unknown): x is H5Dataset {
  return x instanceof lib.Dataset;
}

function stringList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  return undefined;
}

function attrStrings(lib: H5, file: string, obj: H5Group, name: string): string[] | undefined {
  return hdf5(file, undefined, `attribute ${name}`, () => {
    const a = obj.attrs[name];
    return a ? stringList(a.json_value) : undefined;
  });
}

/** A TensorEntry for one HDF5 dataset; the data is read on load(). */
function datasetEntry(lib: H5, file: string, f: H5File, h5path: string, name: string, layout: (rank: number) => LayoutHint): TensorEntry {
  const ds = hdf5(file, name, `cannot open dataset ${h5path}`, () => f.get(h5path));
  if (!isDataset(lib, ds)) throw new WeightsError(file, name, `expected a dataset at ${h5path}`);
  const meta = hdf5(file, name, 'cannot read the dataset header', () => ds.metadata);
  const shape = hdf5(file, name, 'cannot read the dataset shape', () => ds.shape) ?? [];
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new WeightsError(file, name, `invalid shape ${JSON.stringify(shape)}`);
  const count = product(shape);
  const floatOk = meta.type === 1 && (meta.size === 4 || meta.size === 8);
  return {
    name,
    shape,
    dtype: meta.type === 1 ? `float${meta.size * 8}` : `HDF5 type ${meta.type}, ${meta.size} bytes`,
    layout: layout(shape.length),
    load: async () => {
      if (!floatOk) throw new WeightsError(file, name, `dataset ${h5path}: only float32/float64 weights are read (HDF5 class ${meta.type}, ${meta.size} bytes)`);
      if (count * meta.size > MAX_DATASET_BYTES) throw new WeightsError(file, name, `dataset ${h5path} of ${count} elements is too large to read`);
      const filtered = hdf5(file, name, 'cannot read the dataset filters', () => ds.filters).length > 0;
      const fileBytes = fileSizes.get(f) ?? Infinity;
      if (!filtered && count * meta.size > fileBytes) {
        throw new WeightsError(file, name, `dataset ${h5path} claims ${count * meta.size} bytes of uncompressed data, more than the ${fileBytes}-byte file holds`);
      }
      const v = hdf5(file, name, `cannot read dataset ${h5path}`, () => ds.value);
      if (!(v instanceof Float32Array || v instanceof Float64Array) || v.length !== count) {
        throw new WeightsError(file, name, `dataset ${h5path}: expected ${count} float values`);
      }
      return checkFinite(Float64Array.from(v), file, name);
    },
  };
}

// ---------------------------------------------------------------- Keras 2

function classesOf(lib: H5, file: string, root: H5Group, warnings: string[]): Map<string, string> | undefined {
  const raw = hdf5(file, undefined, 'attribute model_config', () => root.attrs['model_config']?.json_value);
  if (typeof raw !== 'string') return undefined;
  let cfg: { config?: unknown };
  try {
    cfg = JSON.parse(raw) as { config?: unknown };
  } catch {
    warnings.push('model_config is not valid JSON: layouts inferred from variable names (TF conventions)');
    return undefined;
  }
  const c = cfg?.config;
  const layers = Array.isArray(c) ? c : (c as { layers?: unknown } | undefined)?.layers;
  return new Map(flattenLayers(file, layers).map((l) => [l.name, l.cls]));
}

/** TF-convention layout from a variable name alone (no model_config). */
function inferredLayout(layer: string, varName: string, rank: number): LayoutHint {
  if (rank < 2) return { kind: 'skip', rule: `rank ${rank}` };
  if (varName.startsWith('depthwise_kernel')) return { kind: 'depthwise', rule: `Keras '${layer}' ${varName}: TF depthwise [kh, kw, C, mult] (no model_config: inferred from the name)` };
  return { kind: 'axis', axis: -1, rule: `Keras '${layer}' ${varName}: TF convention [..., in, out] (no model_config: inferred)` };
}

function readKeras2(lib: H5, file: string, f: H5File): WeightSource {
  const warnings: string[] = [];
  const mw = hdf5(file, undefined, 'group model_weights', () => f.get('model_weights'));
  const base: H5Group = isGroup(lib, mw) ? mw : f;
  const prefix = base === f ? '' : 'model_weights/';
  const layerNames = attrStrings(lib, file, base, 'layer_names');
  if (!layerNames) throw new WeightsError(file, undefined, 'Keras HDF5 file without a layer_names attribute (neither in model_weights nor at the root)');
  const classes = classesOf(lib, file, f, warnings);
  if (!classes) warnings.push('no model_config (weights-only file): kernel layouts inferred from variable names with TF conventions');
  const tensors: TensorEntry[] = [];
  for (const layer of layerNames) {
    const g = hdf5(file, undefined, `layer group ${layer}`, () => base.get(layer));
    if (!isGroup(lib, g)) throw new WeightsError(file, layer, `layer_names lists '${layer}' but there is no such group`);
    const weights = attrStrings(lib, file, g, 'weight_names') ?? [];
    for (const w of weights) {
      const parts = w.split('/');
      const varName = parts[parts.length - 1]!;
      // the class of the nearest enclosing layer the config knows (nested models, RNN cells)
      let cls: string | undefined;
      for (let k = parts.length - 2; k >= 0 && cls === undefined; k--) cls = classes?.get(parts[k]!);
      cls ??= classes?.get(layer);
      const layout = (rank: number): LayoutHint =>
        cls !== undefined ? kerasLayout(cls, layer, varName, rank) : inferredLayout(layer, varName, rank);
      tensors.push(datasetEntry(lib, file, f, `${prefix}${layer}/${w}`, w, layout));
    }
  }
  return { format: 'keras-h5', path: file, tensors, warnings };
}

// ---------------------------------------------------------------- Keras 3

/** Keras 3 variable index -> Keras variable name, per layer class (the order layers create them in build()). */
function keras3VarName(cls: string, i: number): string {
  if (cls.startsWith('Separable')) return ['depthwise_kernel', 'pointwise_kernel', 'bias'][i] ?? `vars/${i}`;
  if (cls.startsWith('Depthwise')) return ['depthwise_kernel', 'bias'][i] ?? `vars/${i}`;
  if (cls === 'Embedding') return ['embeddings'][i] ?? `vars/${i}`;
  if (/^(LSTM|GRU|SimpleRNN)(Cell)?$/.test(cls)) return ['kernel', 'recurrent_kernel', 'bias'][i] ?? `vars/${i}`;
  if (cls === 'Dense' || cls.includes('Conv')) return ['kernel', 'bias'][i] ?? `vars/${i}`;
  return `vars/${i}`;
}

/** Natural order: digit runs compare as numbers (vars/2 before vars/10). */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Variables of one Keras 3 layer group: its vars/<i> in index order, then sub-groups (cells, nested layers). */
function keras3Vars(lib: H5, file: string, g: H5Group, h5path: string, layer: string, cls: string, classes: Map<string, string>, out: TensorEntry[], f: H5File, depth: number): void {
  if (depth > 16) throw new WeightsError(file, layer, 'layer groups nest too deeply');
  const keys = hdf5(file, layer, `group ${h5path}`, () => g.keys());
  const vars = keys.includes('vars') ? hdf5(file, layer, `group ${h5path}/vars`, () => g.get('vars')) : null;
  if (isGroup(lib, vars)) {
    const idx = hdf5(file, layer, `group ${h5path}/vars`, () => vars.keys()).slice().sort(naturalCompare);
    for (const k of idx) {
      const i = Number(k);
      const varName = Number.isInteger(i) ? keras3VarName(cls, i) : k;
      out.push(datasetEntry(lib, file, f, `${h5path}/vars/${k}`, `${layer}/${varName}`, (rank) => kerasLayout(cls, layer, varName, rank)));
    }
  }
  // forward before backward (Bidirectional), otherwise natural order
  const rank = (k: string): number => (k.startsWith('forward') ? 0 : k.startsWith('backward') ? 1 : 2);
  const subs = keys.filter((k) => k !== 'vars').sort((a, b) => rank(a) - rank(b) || naturalCompare(a, b));
  for (const k of subs) {
    const sg = hdf5(file, layer, `group ${h5path}/${k}`, () => g.get(k));
    if (!isGroup(lib, sg)) continue;
    if (k === 'layers') {
      for (const inner of hdf5(file, layer, `group ${h5path}/layers`, () => sg.keys()).slice().sort(naturalCompare)) {
        const ig = hdf5(file, layer, `group ${h5path}/layers/${inner}`, () => sg.get(inner));
        if (isGroup(lib, ig)) keras3Vars(lib, file, ig, `${h5path}/layers/${inner}`, `${layer}/${inner}`, classes.get(inner) ?? cls, classes, out, f, depth + 1);
      }
    } else {
      keras3Vars(lib, file, sg, `${h5path}/${k}`, `${layer}/${k}`, cls, classes, out, f, depth + 1);
    }
  }
}

function layersGroup(lib: H5, file: string, f: H5File): { g: H5Group; path: string } {
  for (const path of ['layers', '_layer_checkpoint_dependencies']) {
    const g = hdf5(file, undefined, `group ${path}`, () => f.get(path));
    if (isGroup(lib, g)) return { g, path };
  }
  throw new WeightsError(file, undefined, 'Keras 3 weights file without a layers group');
}

function readKeras3Weights(lib: H5, file: string, f: H5File, config: unknown, warnings: string[]): TensorEntry[] {
  const { g: lg, path: lpath } = layersGroup(lib, file, f);
  const present = hdf5(file, undefined, `group ${lpath}`, () => lg.keys());
  let order: { name: string; cls: string }[];
  if (config === undefined) {
    warnings.push('Keras 3 weights file without config.json: layers in natural name order, layouts by TF conventions for Dense/Conv names');
    order = present.slice().sort(naturalCompare).map((name) => ({ name, cls: /conv/i.test(name) ? (/depthwise/i.test(name) ? 'DepthwiseConv2D' : 'Conv2D') : 'Dense' }));
  } else {
    const c = (config as { config?: unknown })?.config;
    const layers = Array.isArray(c) ? c : (c as { layers?: unknown } | undefined)?.layers;
    // only top-level layers have groups under layers/; nested models recurse through their own layers/ group
    order = (Array.isArray(layers) ? layers : []).map((l: { class_name?: unknown; config?: { name?: unknown }; name?: unknown }) => ({
      name: String(l?.config?.name ?? l?.name ?? ''),
      cls: String(l?.class_name ?? ''),
    }));
    if (order.length === 0) throw new WeightsError(file, undefined, 'config.json lists no layers');
  }
  const classes = new Map(flattenLayers(file, (config as { config?: { layers?: unknown } } | undefined)?.config?.layers).map((l) => [l.name, l.cls]));
  const tensors: TensorEntry[] = [];
  const seen = new Set<string>();
  for (const { name, cls } of order) {
    if (!present.includes(name)) continue; // layers without variables (InputLayer, activations) have no group
    seen.add(name);
    const g = hdf5(file, name, `group ${lpath}/${name}`, () => lg.get(name));
    if (isGroup(lib, g)) keras3Vars(lib, file, g, `${lpath}/${name}`, name, cls, classes, tensors, f, 0);
  }
  const orphans = present.filter((n) => !seen.has(n));
  if (orphans.length) warnings.push(`weights of ${orphans.length} layer group(s) match no layer of config.json and are left out: ${orphans.join(', ')}`);
  return tensors;
}

// ---------------------------------------------------------------- zip (.keras)

interface ZipMembers {
  config?: Buffer;
  weights?: string; // extracted model.weights.h5
  dir: string;
}

async function openZip(path: string): Promise<yauzl.ZipFile> {
  const { default: lib } = await import('yauzl'); // loaded on the first .keras file
  return new Promise((resolve, reject) => {
    lib.open(path, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (err, zf) => (err ? reject(err) : resolve(zf!)));
  });
}

async function readMembers(path: string, dir: string): Promise<ZipMembers> {
  const out: ZipMembers = { dir };
  const zf = await openZip(path);
  try {
    await new Promise<void>((resolve, reject) => {
      zf.on('error', reject);
      zf.on('end', () => resolve());
      zf.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        const want = name === 'config.json' || name === 'model.weights.h5';
        if (!want) return zf.readEntry();
        if (name === 'config.json' && entry.uncompressedSize > MAX_CONFIG_BYTES) return reject(new Error(`config.json is ${entry.uncompressedSize} bytes`));
        zf.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err ?? new Error(`cannot read ${name}`));
          if (name === 'config.json') {
            const chunks: Buffer[] = [];
            stream.on('data', (c: Buffer) => chunks.push(c));
            stream.on('error', reject);
            stream.on('end', () => {
              out.config = Buffer.concat(chunks);
              zf.readEntry();
            });
          } else {
            const target = join(dir, 'model.weights.h5'); // a fixed name: the member's path is never used
            pipeline(stream, createWriteStream(target)).then(() => {
              out.weights = target;
              zf.readEntry();
            }, reject);
          }
        });
      });
      zf.readEntry();
    });
  } finally {
    zf.close();
  }
  return out;
}

async function readKeras3Zip(lib: H5, path: string): Promise<WeightSource> {
  const dir = mkdtempSync(join(tmpdir(), 'ergo-keras-'));
  try {
    let members: ZipMembers;
    try {
      members = await readMembers(path, dir);
    } catch (e) {
      throw new WeightsError(path, undefined, `cannot read the .keras zip archive: ${(e as Error).message}`, { cause: e });
    }
    if (!members.weights) throw new WeightsError(path, undefined, '.keras archive without model.weights.h5 (npz weights are not read)');
    if (!members.config) throw new WeightsError(path, undefined, '.keras archive without config.json');
    let config: unknown;
    try {
      config = JSON.parse(members.config.toString('utf8'));
    } catch (e) {
      throw new WeightsError(path, undefined, `config.json is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
    const shownAs = `${path}[model.weights.h5]`;
    const f = openH5(lib, members.weights, shownAs);
    const warnings: string[] = [];
    const tensors = readKeras3Weights(lib, shownAs, f, config, warnings);
    return { format: 'keras', path, tensors, warnings };
  } finally {
    // the open HDF5 handle keeps the data readable; the name goes now
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- entry points



/** Keras 2 .h5 (whole model or save_weights) or Keras 3 .weights.h5. */
export async function openKerasH5(path: string): Promise<WeightSource> {
  const lib = await loadH5();
  const f = openH5(lib, path, path);
  const root = hdf5(path, undefined, 'root group', () => f.keys());
  const mw = root.includes('model_weights');
  const hasNames = mw || hdf5(path, undefined, 'root attributes', () => 'layer_names' in f.attrs);
  if (hasNames) return readKeras2(lib, path, f);
  if (root.includes('layers') || root.includes('_layer_checkpoint_dependencies')) {
    const warnings: string[] = [];
    return { format: 'keras', path, tensors: readKeras3Weights(lib, path, f, undefined, warnings), warnings };
  }
  throw new WeightsError(path, undefined, 'HDF5 file is not a Keras model (no layer_names attribute and no layers group)');
}

/** Keras 3 .keras archive. */
export async function openKeras(path: string): Promise<WeightSource> {
  return readKeras3Zip(await loadH5(), path);
}
