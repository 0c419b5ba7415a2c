// TensorFlow.js reader: model.json of layers-models and graph-models, and bare
// weights manifests (a JSON array of {paths, weights} groups, as face-api
// ships them). Each group's shard files (next to the JSON) are one byte stream;
// its weights lie back to back in manifest order. Nothing is read at open
// except the JSON and the shard sizes; load() reads a tensor's byte range.
//
// Order:
// - layers-model: the layer order of modelTopology (nested models flattened
//   in place); within a layer forward before backward, depthwise before
//   pointwise, kernel before recurrent_kernel, otherwise manifest order;
//   weights matched to no layer follow, in manifest order (and are reported).
// - graph-model: the node order of modelTopology.node; a weight is placed at
//   the first node consuming it (through Identity); unconsumed weights follow.
// - bare manifest: manifest order (no topology exists to do better).
//
// dtypes: float32, int32, bool, float16 (entry dtype or quantization
// {dtype:'float16'}), uint8/uint16 quantization decoded as q*scale + min
// (or (q - zeroPoint)*scale when the affine form gives a zero point), in float64.
//
// Nothing in the JSON is trusted: every weight entry is checked (a non-empty, unique string name,
// a valid shape, a known dtype, quantization parameters in range), each shard path must resolve
// inside the model's folder (contain.ts), and a group's shards must hold exactly the bytes its
// weights account for, so a dtype or shape that lies is refused instead of shifting the offsets
// of every later weight. Every problem is a WeightsError naming the file and, when known, the weight.
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WeightsError } from './errors.js';
import { resolveInside, type ContainOptions } from './contain.js';
import { BYTES, checkFinite, checkShape, decodeElements, lookup, product, readRange, shown, type StoredType } from './decode.js';
import type { LayoutHint, TensorEntry, WeightSource } from './types.js';

interface Quantization {
  dtype: string;
  scale?: number;
  min?: number;
  zeroPoint?: number;
}

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: Quantization;
}

interface Placed {
  w: ManifestWeight;
  entry: Omit<TensorEntry, 'layout'>;
}

const PLAIN: Record<string, StoredType> = { float32: 'f32', int32: 'i32', bool: 'bool', float16: 'f16' };
const QUANT: Record<string, StoredType> = { uint8: 'u8', uint16: 'u16', float16: 'f16' };
/** dtypes a quantized weight may decode to (TF.js quantizes float32 and int32 weights). */
const QUANT_TARGETS = new Set(['float32', 'int32']);

function shardReader(file: string, shards: { path: string; size: number }[]) {
  // Read [offset, offset+length) of the concatenated shards of one group.
  return async (offset: number, length: number, tensor: string): Promise<Uint8Array> => {
    const out = new Uint8Array(length);
    let start = 0;
    let done = 0;
    for (const s of shards) {
      const end = start + s.size;
      const from = offset + done;
      if (from < end && done < length) {
        const take = Math.min(end - from, length - done);
        out.set(await readRange(s.path, from - start, take, tensor), done);
        done += take;
      }
      start = end;
    }
    if (done < length) throw new WeightsError(file, tensor, `weight data ends early: ${done} of ${length} bytes present`);
    return out;
  };
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * One manifest weight entry, checked field by field: a non-empty string name, a valid shape, a
 * dtype this reader decodes, and quantization parameters that can be what TF.js writes (finite
 * scale >= 0, finite min, or an integer zero point inside the quantized range).
 */
function checkWeight(file: string, gi: number, wi: number, raw: unknown): { w: ManifestWeight; type: StoredType } {
  if (!isObject(raw)) throw new WeightsError(file, undefined, `weights group ${gi}, entry ${wi}: expected an object {name, shape, dtype}, got ${JSON.stringify(raw)}`);
  const name = raw.name;
  if (typeof name !== 'string' || name === '') {
    throw new WeightsError(file, undefined, `weights group ${gi}, entry ${wi}: 'name' must be a non-empty string, got ${JSON.stringify(name) ?? 'nothing'}`);
  }
  const shape = checkShape(raw.shape, file, name);
  const dtype = raw.dtype;
  if (typeof dtype !== 'string') throw new WeightsError(file, name, `'dtype' must be a string, got ${JSON.stringify(dtype) ?? 'nothing'}`);
  const q = raw.quantization;
  if (q === undefined || q === null) {
    const type = lookup(PLAIN, dtype);
    if (!type) throw new WeightsError(file, name, `unknown or unsupported dtype '${dtype}' (read: ${Object.keys(PLAIN).join(', ')})`);
    return { w: { name, shape, dtype }, type };
  }
  if (!isObject(q)) throw new WeightsError(file, name, `'quantization' must be an object, got ${JSON.stringify(q)}`);
  const type = lookup(QUANT, q.dtype);
  if (!type) throw new WeightsError(file, name, `unknown quantization dtype '${shown(q.dtype)}' (read: ${Object.keys(QUANT).join(', ')})`);
  if (!QUANT_TARGETS.has(dtype)) throw new WeightsError(file, name, `quantized weight with dtype '${dtype}' (TF.js quantizes float32 or int32 weights)`);
  const quant: Quantization = { dtype: q.dtype as string };
  if (type !== 'f16') {
    const { scale, min } = q;
    const zp = q.zeroPoint ?? q.zero_point;
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 0) {
      throw new WeightsError(file, name, `${quant.dtype} quantization needs a finite scale >= 0, got ${JSON.stringify(scale) ?? 'nothing'}`);
    }
    quant.scale = scale;
    if (typeof min === 'number' && Number.isFinite(min)) quant.min = min;
    else if (min !== undefined) throw new WeightsError(file, name, `${quant.dtype} quantization min must be a finite number, got ${JSON.stringify(min)}`);
    else {
      const top = type === 'u8' ? 255 : 65535;
      if (typeof zp !== 'number' || !Number.isInteger(zp) || zp < 0 || zp > top) {
        throw new WeightsError(file, name, `${quant.dtype} quantization needs a numeric min or an integer zero point in 0..${top}, got ${JSON.stringify(zp) ?? 'neither'}`);
      }
      quant.zeroPoint = zp;
    }
  }
  return { w: { name, shape, dtype, quantization: quant }, type };
}

/** Validate the manifest and make one lazy entry per weight, in manifest order. */
async function readManifest(file: string, manifest: unknown, opts: ContainOptions): Promise<Placed[]> {
  if (!Array.isArray(manifest)) throw new WeightsError(file, undefined, 'weightsManifest is not an array of groups');
  const base = dirname(file);
  const placed: Placed[] = [];
  const seen = new Set<string>();
  for (const [gi, g] of (manifest as unknown[]).entries()) {
    if (!isObject(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)) {
      throw new WeightsError(file, undefined, `weights group ${gi} lacks 'paths' or 'weights'`);
    }
    // byte extent of every weight
    const spans: { w: ManifestWeight; type: StoredType; offset: number; bytes: number; count: number }[] = [];
    let offset = 0;
    for (const [wi, raw] of (g.weights as unknown[]).entries()) {
      const { w, type } = checkWeight(file, gi, wi, raw);
      if (seen.has(w.name)) throw new WeightsError(file, w.name, 'the weight name appears twice in the manifest');
      seen.add(w.name);
      const count = product(w.shape);
      const bytes = count * BYTES[type];
      spans.push({ w, type, offset, bytes, count });
      offset += bytes;
    }
    const shards: { path: string; size: number }[] = [];
    let have = 0;
    for (const p of g.paths as unknown[]) {
      // the weight whose bytes start in this shard names the shard in errors
      const victim = (spans.find((s) => s.offset + s.bytes > have) ?? spans[0])?.w.name;
      const path = resolveInside(base, p, { file, tensor: victim }, opts);
      let size: number;
      try {
        size = (await stat(path)).size;
      } catch (e) {
        throw new WeightsError(path, victim, `weight shard cannot be read (listed in ${file}): ${(e as Error).message}`, { cause: e });
      }
      shards.push({ path, size });
      have += size;
    }
    for (const s of spans) {
      if (s.offset + s.bytes > have) {
        throw new WeightsError(file, s.w.name, `shards of group ${gi} hold ${have} bytes, but this weight needs bytes ${s.offset}..${s.offset + s.bytes} (truncated or missing data)`);
      }
    }
    if (have !== offset) {
      // More bytes than the weights account for: a dtype, shape or quantization entry lies, and
      // every later weight would be decoded at shifted offsets.
      throw new WeightsError(file, undefined, `shards of group ${gi} hold ${have} bytes, but its weights (dtypes x shapes) account for ${offset}: the manifest does not match the data`);
    }
    const read = shardReader(file, shards);
    for (const s of spans) {
      const name = s.w.name;
      const q = s.w.quantization;
      const dtype = q ? `${s.w.dtype}<-${q.dtype}` : s.w.dtype;
      placed.push({
        w: s.w,
        entry: {
          name,
          shape: s.w.shape,
          dtype,
          load: async () => {
            const raw = decodeElements(await read(s.offset, s.bytes, name), s.type, s.count);
            if (q && s.type !== 'f16') {
              const scale = q.scale!;
              if (q.min !== undefined) {
                const min = q.min;
                for (let i = 0; i < raw.length; i++) raw[i] = raw[i]! * scale + min;
              } else {
                const zp = q.zeroPoint!;
                for (let i = 0; i < raw.length; i++) raw[i] = (raw[i]! - zp) * scale;
              }
            }
            return checkFinite(raw, file, name);
          },
        },
      });
    }
  }
  return placed;
}

// --- layers-model ---------------------------------------------------------

interface KLayer {
  class_name?: string;
  config?: { name?: string; layers?: unknown; layer?: KLayer } & Record<string, unknown>;
  name?: string;
}

/** Leaf layers in topology order; nested models are expanded in place, wrappers keep their inner class. */
/** Deeper nesting than any real model is refused rather than recursed into (stack exhaustion). */
const MAX_NESTING = 100;

export function flattenLayers(file: string, layers: unknown, out: { name: string; cls: string }[] = [], depth = 0): { name: string; cls: string }[] {
  if (!Array.isArray(layers)) return out;
  for (const l of layers as KLayer[]) {
    const cls = shown(l?.class_name ?? '');
    const cfg = l?.config ?? {};
    const name = shown(cfg.name ?? l?.name ?? '');
    const inner = Array.isArray(cfg.layers) ? cfg.layers : undefined;
    if (inner) {
      if (depth >= MAX_NESTING) throw new WeightsError(file, undefined, `layers-model topology nests models more than ${MAX_NESTING} deep`);
      out.push({ name, cls: 'Model' });
      flattenLayers(file, inner, out, depth + 1);
    } else if (cfg.layer && typeof cfg.layer === 'object') {
      out.push({ name, cls: shown(cfg.layer.class_name ?? cls) });
    } else {
      out.push({ name, cls });
    }
  }
  return out;
}

const KERAS_CONV = new Set(['Conv1D', 'Conv2D', 'Conv3D', 'Convolution1D', 'Convolution2D', 'Convolution3D', 'ConvLSTM2D', 'LocallyConnected1D', 'LocallyConnected2D']);
const KERAS_TRANSPOSE = new Set(['Conv1DTranspose', 'Conv2DTranspose', 'Conv3DTranspose', 'Deconvolution2D', 'Deconvolution3D']);
const KERAS_RNN = new Set(['LSTM', 'GRU', 'SimpleRNN', 'LSTMCell', 'GRUCell', 'SimpleRNNCell', 'CuDNNLSTM', 'CuDNNGRU']);

export function kerasLayout(cls: string, layer: string, varName: string, rank: number): LayoutHint {
  const what = `Keras ${cls} '${layer}' ${varName}`;
  if (rank < 2) return { kind: 'skip', rule: `${what} (rank ${rank})` };
  if (varName.startsWith('depthwise_kernel') && (cls.startsWith('Depthwise') || cls.startsWith('Separable'))) {
    return { kind: 'depthwise', rule: `${what} [k..., C, mult] -> N = C*mult` };
  }
  if (varName.startsWith('pointwise_kernel') && cls.startsWith('Separable')) {
    return { kind: 'axis', axis: -1, rule: `${what} [1, 1, in, out] -> N = out` };
  }
  if (varName.startsWith('kernel') || varName.startsWith('recurrent_kernel')) {
    if (cls === 'Dense') return { kind: 'axis', axis: -1, rule: `${what} [in, out] -> N = out` };
    if (KERAS_CONV.has(cls)) return { kind: 'axis', axis: -1, rule: `${what} [k..., in, out] -> N = out` };
    if (KERAS_TRANSPOSE.has(cls)) return { kind: 'axis', axis: -2, rule: `${what} [k..., out, in] -> N = out` };
    if (KERAS_RNN.has(cls)) return { kind: 'axis', axis: -1, rule: `${what} [in, gates*units] -> N = gates*units` };
  }
  if (varName.startsWith('embeddings') && cls === 'Embedding') {
    return { kind: 'axis', axis: -1, rule: `${what} [vocab, dim] -> N = dim` };
  }
  if (cls === 'PReLU') return { kind: 'skip', rule: `${what} (activation slopes, not a weight matrix)` };
  return { kind: 'unknown', rule: `${what}: no layout rule for this layer class / variable` };
}

function orderLayersModel(file: string, topology: Record<string, unknown>, placed: Placed[], warnings: string[]): TensorEntry[] {
  const mc = (topology.model_config ?? topology) as KLayer;
  const cfg = mc.config as unknown;
  const layerList = Array.isArray(cfg) ? cfg : (cfg as { layers?: unknown } | undefined)?.layers;
  const layers = flattenLayers(file, layerList);
  if (layers.length === 0) throw new WeightsError(file, undefined, 'layers-model topology lists no layers');
  const index = new Map<string, number>();
  layers.forEach((l, i) => {
    if (l.cls !== 'Model' && !index.has(l.name)) index.set(l.name, i);
  });
  const buckets: TensorEntry[][] = layers.map(() => []);
  const orphans: TensorEntry[] = [];
  for (const p of placed) {
    const parts = p.w.name.split('/');
    let li = -1;
    // the path component closest to the variable that names a leaf layer
    for (let k = parts.length - 2; k >= 0; k--) {
      const i = index.get(parts[k]!);
      if (i !== undefined) {
        li = i;
        break;
      }
    }
    if (li < 0) {
      orphans.push({ ...p.entry, layout: { kind: 'unknown', rule: 'weight matches no layer of the topology' } });
      continue;
    }
    const l = layers[li]!;
    const varName = parts[parts.length - 1]!;
    buckets[li]!.push({ ...p.entry, layout: kerasLayout(l.cls, l.name, varName, p.entry.shape.length) });
  }
  // Within a layer, computation order rather than manifest (often alphabetical)
  // order: forward before backward (Bidirectional), depthwise before pointwise,
  // kernel before recurrent_kernel. Array.prototype.sort is stable.
  const rank = (name: string): number => {
    const dir = /(^|\/)backward_/.test(name) ? 10 : 0;
    const v = name.split('/').pop() ?? '';
    return dir + (v.startsWith('depthwise_kernel') ? 0 : v.startsWith('recurrent_kernel') ? 2 : v.startsWith('pointwise_kernel') || v.startsWith('kernel') ? 1 : 3);
  };
  for (const b of buckets) b.sort((x, y) => rank(x.name) - rank(y.name));
  if (orphans.length) warnings.push(`${orphans.length} weight(s) match no layer of the topology and are listed last: ${orphans.map((o) => o.name).join(', ')}`);
  return [...buckets.flat(), ...orphans];
}

// --- graph-model ------------------------------------------------------------

interface GNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { b?: boolean } & Record<string, unknown>>;
}

// Filter operand (input 1) of each TF convolution op: which axis holds the output channels.
const CONV_FILTERS: Record<string, { axis: number; layout: string } | 'depthwise'> = {
  Conv2D: { axis: -1, layout: '[k..., in, out]' },
  Conv3D: { axis: -1, layout: '[k..., in, out]' },
  _FusedConv2D: { axis: -1, layout: '[k..., in, out]' },
  _FusedConv3D: { axis: -1, layout: '[k..., in, out]' },
  Conv2DBackpropInput: { axis: -2, layout: '[k..., out, in]' },
  Conv3DBackpropInputV2: { axis: -2, layout: '[k..., out, in]' },
  DepthwiseConv2dNative: 'depthwise',
  FusedDepthwiseConv2dNative: 'depthwise',
};

function graphLayout(node: GNode, input: number, rank: number): LayoutHint {
  const where = `${node.op} node '${node.name}' input ${input}`;
  const flag = (k: string): boolean => node.attr?.[k]?.b === true;
  const conv = Object.hasOwn(CONV_FILTERS, node.op) ? CONV_FILTERS[node.op] : undefined;
  if (conv !== undefined) {
    if (input !== 1) return { kind: 'unknown', rule: `consumed by ${where}, which has no layer-layout rule` };
    return conv === 'depthwise'
      ? { kind: 'depthwise', rule: `TF ${node.op} filter [kh, kw, C, mult] (${where})` }
      : { kind: 'axis', axis: conv.axis, rule: `TF ${node.op} filter ${conv.layout} (${where})` };
  }
  switch (node.op) {
    case 'MatMul':
    case '_FusedMatMul':
    case 'BatchMatMul':
    case 'BatchMatMulV2': {
      if (rank !== 2) return { kind: 'unknown', rule: `batched ${node.op} operand of rank ${rank} (${where})` };
      const tb = flag('transpose_b') || flag('adj_y');
      const ta = flag('transpose_a') || flag('adj_x');
      if (input === 1) {
        return tb
          ? { kind: 'axis', axis: 0, rule: `TF ${node.op} weight [out, in], transpose_b (${where})` }
          : { kind: 'axis', axis: -1, rule: `TF ${node.op} weight [in, out] (${where})` };
      }
      if (input === 0) {
        return ta
          ? { kind: 'axis', axis: -1, rule: `TF ${node.op} constant left factor transposed (${where})` }
          : { kind: 'axis', axis: 0, rule: `TF ${node.op} constant left factor [out, in] (${where})` };
      }
      break;
    }
    default:
      break;
  }
  return { kind: 'unknown', rule: `consumed by ${where}, which has no layer-layout rule` };
}

function orderGraphModel(file: string, nodes: GNode[], placed: Placed[], warnings: string[]): TensorEntry[] {
  const byName = new Map(placed.map((p) => [p.w.name, p]));
  const consumers = new Map<string, { node: GNode; input: number }[]>();
  for (const node of nodes) {
    (node.input ?? []).forEach((raw, input) => {
      if (raw.startsWith('^')) return;
      const name = raw.replace(/:\d+$/, '');
      const list = consumers.get(name) ?? [];
      list.push({ node, input });
      consumers.set(name, list);
    });
  }
  const layoutOf = (name: string, rank: number, depth = 0): LayoutHint => {
    const use = consumers.get(name)?.[0];
    if (!use) return { kind: 'unknown', rule: 'not consumed by any node' };
    if (use.node.op === 'Identity' && depth < 8) {
      const inner = layoutOf(use.node.name, rank, depth + 1);
      return { ...inner, rule: `${inner.rule} (via Identity)` } as LayoutHint;
    }
    return graphLayout(use.node, use.input, rank);
  };
  const out: TensorEntry[] = [];
  const done = new Set<string>();
  for (const node of nodes) {
    for (const raw of node.input ?? []) {
      const name = raw.replace(/^\^/, '').replace(/:\d+$/, '');
      const p = byName.get(name);
      if (p && !done.has(name)) {
        done.add(name);
        out.push({ ...p.entry, layout: layoutOf(name, p.entry.shape.length) });
      }
    }
  }
  const rest = placed.filter((p) => !done.has(p.w.name));
  if (rest.length) warnings.push(`${rest.length} weight(s) are consumed by no node of the graph and are listed last`);
  for (const p of rest) out.push({ ...p.entry, layout: { kind: 'unknown', rule: 'not consumed by any node' } });
  return out;
}

// --- bare manifest ------------------------------------------------------------

function bareLayout(name: string, rank: number): LayoutHint {
  const last = name.split('/').pop() ?? name;
  if (rank < 2) return { kind: 'skip', rule: 'rank < 2' };
  if (/depthwise/i.test(last)) return { kind: 'depthwise', rule: 'TF depthwise [kh, kw, C, mult] (no topology: inferred from the name)' };
  return { kind: 'axis', axis: -1, rule: 'TF convention [..., in, out] (no topology: inferred)' };
}

/**
 * Whether a bare manifest lists its weights in depth order, told from shapes alone. Under TF
 * conventions a kernel's input width is its second-to-last dimension (conv [k..., in, out],
 * dense [in, out], depthwise [k..., C, mult]) and its output width the last (C*mult for
 * depthwise). In depth order every layer's input comes from an earlier layer (or from the
 * network's input), so a layer whose input width is the output width of no earlier layer but
 * of a later one is listed before what feeds it. When at least 2 layers, and at least 10% of
 * them, are listed so, the order is not the network's and depth-dependent results (d_layers,
 * cPSE) are not meaningful; Var(CSD) pools all layers and does not depend on the order.
 */
function bareOrderWarnings(placed: Placed[]): string[] {
  const ws = placed.map((p) => p.entry).filter((e) => e.shape.length >= 2);
  const dw = (e: { name: string }): boolean => /depthwise/i.test(e.name.split('/').pop() ?? '');
  const inW = ws.map((e) => e.shape[e.shape.length - 2]!);
  const outW = ws.map((e) => (dw(e) ? e.shape[e.shape.length - 2]! * e.shape[e.shape.length - 1]! : e.shape[e.shape.length - 1]!));
  const early: string[] = [];
  for (let k = 1; k < ws.length; k++) {
    const fedBefore = outW.slice(0, k).includes(inW[k]!);
    const fedAfter = outW.slice(k + 1).includes(inW[k]!);
    if (!fedBefore && fedAfter) early.push(ws[k]!.name);
  }
  if (early.length < 2 || early.length < 0.1 * ws.length) return [];
  return [`depth order unknown: the manifest lists ${early.length} of ${ws.length} weight matrices before the layer that feeds them (input width = the output width of a later layer only), e.g. ${early.slice(0, 3).join(', ')}; d_layers and cPSE follow this list order, which is not the network's (Var(CSD) does not depend on the order)`];
}

// --- entry point ------------------------------------------------------------

/** modelTopology.node, checked: every node an object with string name and op and string inputs. */
function graphNodes(file: string, raw: unknown[]): GNode[] {
  return raw.map((n, i) => {
    if (!isObject(n) || typeof n.name !== 'string' || typeof n.op !== 'string') {
      throw new WeightsError(file, undefined, `modelTopology.node[${i}]: expected an object with string 'name' and 'op'`);
    }
    const input = n.input ?? [];
    if (!Array.isArray(input) || !input.every((x) => typeof x === 'string')) {
      throw new WeightsError(file, undefined, `modelTopology.node[${i}] ('${n.name}'): 'input' must be a list of strings`);
    }
    return { name: n.name, op: n.op, input: input as string[], ...(isObject(n.attr) ? { attr: n.attr as GNode['attr'] } : {}) };
  });
}

export async function openTfjs(path: string, opts: ContainOptions = {}): Promise<WeightSource> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new WeightsError(path, undefined, `not a readable TF.js JSON file: ${(e as Error).message}`, { cause: e });
  }
  const warnings: string[] = [];
  if (Array.isArray(json)) {
    const placed = await readManifest(path, json, opts);
    warnings.push('bare weights manifest without topology: layouts inferred from TF conventions and weight names');
    return {
      format: 'tfjs-weights-manifest',
      path,
      tensors: placed.map((p) => ({ ...p.entry, layout: bareLayout(p.w.name, p.entry.shape.length) })),
      warnings: [...warnings, ...bareOrderWarnings(placed)],
    };
  }
  const model = json as { format?: string; modelTopology?: Record<string, unknown>; weightsManifest?: unknown };
  if (!isObject(model) || !model.weightsManifest) {
    throw new WeightsError(path, undefined, 'JSON has no weightsManifest (not a TF.js model)');
  }
  const placed = await readManifest(path, model.weightsManifest, opts);
  const topo = isObject(model.modelTopology) ? model.modelTopology : undefined;
  if (topo && Array.isArray(topo.node)) {
    return { format: 'tfjs-graph-model', path, tensors: orderGraphModel(path, graphNodes(path, topo.node), placed, warnings), warnings };
  }
  if (topo && (topo.model_config || topo.class_name || topo.config)) {
    return { format: 'tfjs-layers-model', path, tensors: orderLayersModel(path, topo, placed, warnings), warnings };
  }
  warnings.push('model.json without a usable modelTopology: manifest order, layouts inferred from TF conventions');
  return {
    format: 'tfjs',
    path,
    tensors: placed.map((p) => ({ ...p.entry, layout: bareLayout(p.w.name, p.entry.shape.length) })),
    warnings,
  };
}
