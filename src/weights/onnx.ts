// ONNX reader (ModelProto -> GraphProto), with a small hand-written protobuf
// wire-format walker instead of protobufjs. Why: we need about fifteen fields
// of five messages, and, unlike a generated decoder, the walker can record the
// byte offset of every raw_data field while skipping over it, so opening a
// model reads the file once through a small block cache and each tensor's
// load() later reads only its own bytes (no whole-model buffer kept alive).
//
// Tensors found: graph initializers, the `value` tensor of Constant nodes, and
// both of those inside subgraphs (node attributes of type GRAPH / GRAPHS: If,
// Loop, Scan bodies), recursively.
//
// Order: the graph's node order, depth first (a node's own inputs, then the
// nodes of its subgraphs in attribute order). A tensor is placed where a node
// first consumes it; tensors no node consumes follow, in file order.
//
// External data: the `location` of a tensor stored outside the model file must name a regular
// file inside the model's folder (or a folder allowed explicitly), checked by contain.ts before
// anything is opened; offset and length must fit that file and the tensor's shape exactly.
//
// Layout: taken from the first consuming node (following Identity, Cast and
// DequantizeLinear, which keep the shape): Conv W, ConvTranspose W, Gemm B
// (transB), MatMul, LSTM/GRU/RNN W and R. Anything else is `unknown`.
import { openSync, readSync, closeSync, fstatSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { WeightsError } from './errors.js';
import { resolveInside, type ContainOptions } from './contain.js';
import { BYTES, checkFinite, checkShape, decodeElements, halfToNumber, bf16ToNumber, product, readRange, type StoredType } from './decode.js';
import type { AlternativeGroup, LayoutHint, TensorEntry, WeightSource } from './types.js';

// --- byte access -----------------------------------------------------------

/** A protobuf that does not parse (corrupt, truncated, or lying about its lengths). */
class Malformed extends Error {}

/** Errors the file can cause (malformed protobuf, nesting deep enough to exhaust the stack, I/O). */
function fromFile(e: unknown): boolean {
  return (
    e instanceof Malformed ||
    (e instanceof RangeError && /call stack/i.test(e.message)) ||
    (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string')
  );
}

/** Random access to the model bytes through a block cache (sync reads: parsing is a tight loop). */
class BlockFile {
  private readonly fd: number;
  readonly size: number;
  private block = new Uint8Array(1 << 16);
  private blockStart = -1;
  private blockLen = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  close(): void {
    closeSync(this.fd);
  }

  byte(pos: number): number {
    if (pos < this.blockStart || pos >= this.blockStart + this.blockLen) this.fill(pos);
    return this.block[pos - this.blockStart]!;
  }

  bytes(pos: number, len: number): Uint8Array {
    if (pos >= this.blockStart && pos + len <= this.blockStart + this.blockLen) {
      return this.block.slice(pos - this.blockStart, pos - this.blockStart + len);
    }
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const n = readSync(this.fd, out, done, len - done, pos + done);
      if (n === 0) throw new Malformed(`unexpected end of file at byte ${pos + done}`);
      done += n;
    }
    return out;
  }

  private fill(pos: number): void {
    if (pos >= this.size || pos < 0) throw new Malformed(`read past end of file (byte ${pos} of ${this.size})`);
    this.blockLen = readSync(this.fd, this.block, 0, this.block.length, pos);
    this.blockStart = pos;
  }
}

/** Same interface over bytes already in memory (used by load() for typed fields). */
class MemBytes {
  constructor(private readonly buf: Uint8Array, readonly base = 0) {}
  get size(): number {
    return this.base + this.buf.length;
  }
  byte(pos: number): number {
    const v = this.buf[pos - this.base];
    if (v === undefined) throw new Malformed(`read past end of message (byte ${pos})`);
    return v;
  }
  bytes(pos: number, len: number): Uint8Array {
    if (pos - this.base + len > this.buf.length) throw new Malformed(`read past end of message (byte ${pos + len})`);
    return this.buf.subarray(pos - this.base, pos - this.base + len);
  }
}

type Bytes = BlockFile | MemBytes;

// --- wire format -------------------------------------------------------------

/** Base-128 varint as a JS number (exact below 2^53; field numbers, lengths, dims, flags). */
function varint(src: Bytes, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    const b = src.byte(pos++);
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, pos];
    scale *= 128;
  }
  throw new Malformed(`malformed varint before byte ${pos}`);
}

/** Varint as a signed 64-bit BigInt (two's complement), for int64 payloads. */
function varintBig(src: Bytes, pos: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    const b = src.byte(pos++);
    value |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return [BigInt.asIntN(64, value), pos];
    shift += 7n;
  }
  throw new Malformed(`malformed varint before byte ${pos}`);
}

interface Field {
  no: number;
  wire: number;
  /** varint value (wire 0) */
  value: number;
  /** payload start for wire 1, 2, 5 (and varint start for wire 0) */
  start: number;
  /** payload end */
  end: number;
}

/** Calls `fn` for every field of the message spanning [start, end). */
function eachField(src: Bytes, start: number, end: number, fn: (f: Field) => void): void {
  let pos = start;
  while (pos < end) {
    const [key, p1] = varint(src, pos);
    const no = Math.floor(key / 8);
    const wire = key % 8;
    let f: Field;
    if (wire === 0) {
      const [v, p2] = varint(src, p1);
      f = { no, wire, value: v, start: p1, end: p2 };
    } else if (wire === 1) {
      f = { no, wire, value: 0, start: p1, end: p1 + 8 };
    } else if (wire === 2) {
      const [len, p2] = varint(src, p1);
      f = { no, wire, value: len, start: p2, end: p2 + len };
    } else if (wire === 5) {
      f = { no, wire, value: 0, start: p1, end: p1 + 4 };
    } else {
      throw new Malformed(`unsupported protobuf wire type ${wire} (field ${no}) at byte ${pos}`);
    }
    if (no === 0 || f.end > end) throw new Malformed(`malformed protobuf field ${no} at byte ${pos} (runs past its message)`);
    fn(f);
    pos = f.end;
  }
}

const utf8 = new TextDecoder();
function str(src: Bytes, f: Field): string {
  return utf8.decode(src.bytes(f.start, f.end - f.start));
}

// --- ONNX messages ----------------------------------------------------------

// TensorProto.DataType codes that hold numbers we decode: [code, ONNX name, stored type].
const ONNX_TYPES: Record<number, { name: string; type: StoredType }> = Object.fromEntries(
  ([
    [1, 'FLOAT', 'f32'], [2, 'UINT8', 'u8'], [3, 'INT8', 'i8'], [4, 'UINT16', 'u16'],
    [5, 'INT16', 'i16'], [6, 'INT32', 'i32'], [7, 'INT64', 'i64'], [9, 'BOOL', 'bool'],
    [10, 'FLOAT16', 'f16'], [11, 'DOUBLE', 'f64'], [12, 'UINT32', 'u32'], [13, 'UINT64', 'u64'],
    [16, 'BFLOAT16', 'bf16'],
  ] as const).map(([code, name, type]) => [code, { name, type }]),
);
// Valid codes we cannot turn into real numbers: listed, loadable only as an error.
const ONNX_OTHER: Record<number, string> = {
  8: 'STRING', 14: 'COMPLEX64', 15: 'COMPLEX128', 17: 'FLOAT8E4M3FN', 18: 'FLOAT8E4M3FNUZ',
  19: 'FLOAT8E5M2', 20: 'FLOAT8E5M2FNUZ', 21: 'UINT4', 22: 'INT4', 23: 'FLOAT4E2M1',
};

interface TensorHeader {
  name: string;
  dims: number[];
  dataType: number;
  /** [start, end) of the TensorProto message in the model file */
  msg: [number, number];
  raw?: [number, number];
  external?: Record<string, string>;
  hasTyped: boolean;
}

interface NodeInfo {
  name: string;
  op: string;
  inputs: string[];
  outputs: string[];
  ints: Map<string, number>;
  constant?: TensorHeader;
  subgraphs: GraphInfo[];
}

interface GraphInfo {
  initializers: TensorHeader[];
  nodes: NodeInfo[];
  sparse: number;
  /** Name of the node attribute holding this subgraph (then_branch, else_branch, body). */
  attr?: string;
}

function parseTensor(src: Bytes, start: number, end: number): TensorHeader {
  const t: TensorHeader = { name: '', dims: [], dataType: 0, msg: [start, end], hasTyped: false };
  let location = 0;
  const ext: Record<string, string> = {};
  eachField(src, start, end, (f) => {
    switch (f.no) {
      case 1: // dims, packed or not
        if (f.wire === 2) {
          let p = f.start;
          while (p < f.end) {
            const [v, q] = varint(src, p);
            t.dims.push(v);
            p = q;
          }
        } else t.dims.push(f.value);
        break;
      case 2: t.dataType = f.value; break;
      case 8: t.name = str(src, f); break;
      case 9: t.raw = [f.start, f.end]; break;
      case 13: {
        let k = '';
        let v = '';
        eachField(src, f.start, f.end, (g) => {
          if (g.no === 1) k = str(src, g);
          else if (g.no === 2) v = str(src, g);
        });
        ext[k] = v;
        break;
      }
      case 14: location = f.value; break;
      case 3: throw new Malformed('segmented tensors (TensorProto.segment) are not supported');
      case 4: case 5: case 7: case 10: case 11: t.hasTyped = true; break;
      default: break;
    }
  });
  if (location === 1) t.external = ext;
  return t;
}

function parseGraph(src: Bytes, start: number, end: number): GraphInfo {
  const g: GraphInfo = { initializers: [], nodes: [], sparse: 0 };
  eachField(src, start, end, (f) => {
    if (f.no === 1 && f.wire === 2) g.nodes.push(parseNode(src, f.start, f.end));
    else if (f.no === 5 && f.wire === 2) g.initializers.push(parseTensor(src, f.start, f.end));
    else if (f.no === 15) g.sparse++;
  });
  return g;
}

function parseNode(src: Bytes, start: number, end: number): NodeInfo {
  const n: NodeInfo = { name: '', op: '', inputs: [], outputs: [], ints: new Map(), subgraphs: [] };
  eachField(src, start, end, (f) => {
    switch (f.no) {
      case 1: n.inputs.push(str(src, f)); break;
      case 2: n.outputs.push(str(src, f)); break;
      case 3: n.name = str(src, f); break;
      case 4: n.op = str(src, f); break;
      case 5: {
        let aname = '';
        let i: number | undefined;
        let t: TensorHeader | undefined;
        const graphs: GraphInfo[] = [];
        eachField(src, f.start, f.end, (a) => {
          if (a.no === 1) aname = str(src, a);
          else if (a.no === 3 && a.wire === 0) i = a.value;
          else if (a.no === 5 && a.wire === 2) t = parseTensor(src, a.start, a.end);
          else if ((a.no === 6 || a.no === 11) && a.wire === 2) graphs.push(parseGraph(src, a.start, a.end));
        });
        if (i !== undefined) n.ints.set(aname, i);
        if (t && n.op === 'Constant' && aname === 'value') n.constant = t;
        for (const g of graphs) g.attr = aname;
        n.subgraphs.push(...graphs);
        break;
      }
      default: break;
    }
  });
  return n;
}

// --- layout from the consuming node --------------------------------------

interface Use {
  node: NodeInfo;
  input: number;
}

const PASS_THROUGH = new Set(['Identity', 'Cast', 'DequantizeLinear']);

function layoutFromUse(use: Use | undefined, rank: number, uses: Map<string, Use[]>, depth = 0): LayoutHint {
  if (!use) return { kind: 'unknown', rule: 'not consumed by any node' };
  const { node, input } = use;
  const where = `${node.op} node '${node.name || node.outputs[0] || '?'}' input ${input}`;
  if (PASS_THROUGH.has(node.op) && input === 0 && depth < 8) {
    const next = uses.get(node.outputs[0] ?? '')?.[0];
    const inner = layoutFromUse(next, rank, uses, depth + 1);
    return { ...inner, rule: `${inner.rule} (via ${node.op})` } as LayoutHint;
  }
  switch (node.op) {
    case 'Conv':
      if (input === 1) return { kind: 'axis', axis: 0, rule: `ONNX Conv weight [out, in/g, k...] (${where})` };
      break;
    case 'ConvTranspose':
      if (input === 1) {
        const groups = node.ints.get('group') ?? 1;
        return { kind: 'convTranspose', groups, rule: `ONNX ConvTranspose weight [in, out/g, k...], group=${groups} (${where})` };
      }
      break;
    case 'Gemm':
      if (input === 1) {
        return node.ints.get('transB')
          ? { kind: 'axis', axis: 0, rule: `ONNX Gemm B [out, in], transB=1 (${where})` }
          : { kind: 'axis', axis: -1, rule: `ONNX Gemm B [in, out], transB=0 (${where})` };
      }
      if (input === 0) {
        return node.ints.get('transA')
          ? { kind: 'axis', axis: -1, rule: `ONNX Gemm constant A^T [in, out], transA=1 (${where})` }
          : { kind: 'axis', axis: 0, rule: `ONNX Gemm constant A [out, in] (${where})` };
      }
      if (input === 2) return { kind: 'skip', rule: `ONNX Gemm bias C (${where})` };
      break;
    case 'MatMul':
    case 'MatMulInteger':
      if (rank !== 2) return { kind: 'unknown', rule: `batched ${node.op} operand of rank ${rank} (${where})` };
      if (input === 1) return { kind: 'axis', axis: -1, rule: `ONNX MatMul weight [in, out] (${where})` };
      if (input === 0) return { kind: 'axis', axis: 0, rule: `ONNX MatMul constant left factor [out, in] (${where})` };
      break;
    case 'LSTM':
    case 'GRU':
    case 'RNN':
      if (input === 1 || input === 2) {
        return { kind: 'recurrent', rule: `ONNX ${node.op} ${input === 1 ? 'W' : 'R'} [directions, gates*hidden, ${input === 1 ? 'in' : 'hidden'}] (${where})` };
      }
      return { kind: 'skip', rule: `ONNX ${node.op} bias/state/length input (${where})` };
    default:
      break;
  }
  return { kind: 'unknown', rule: `consumed by ${where}, which has no layer-layout rule` };
}

// --- reader -------------------------------------------------------------------


export async function openOnnx(path: string, opts: ContainOptions = {}): Promise<WeightSource> {
  let src: BlockFile;
  try {
    src = new BlockFile(path);
  } catch (e) {
    throw new WeightsError(path, undefined, `cannot open: ${(e as Error).message}`, { cause: e });
  }
  let graph: GraphInfo | undefined;
  try {
    eachField(src, 0, src.size, (f) => {
      if (f.no === 7 && f.wire === 2) graph = parseGraph(src, f.start, f.end);
    });
  } catch (e) {
    if (!fromFile(e)) throw e;
    throw new WeightsError(path, undefined, `not a readable ONNX model (corrupt or truncated protobuf): ${(e as Error).message}`, { cause: e });
  } finally {
    src.close();
  }
  if (!graph) throw new WeightsError(path, undefined, 'ONNX model has no graph (ModelProto field 7)');

  const warnings: string[] = [];
  // Depth-first node sequence; each value's consumers in that order.
  const uses = new Map<string, Use[]>();
  const allTensors: TensorHeader[] = [];
  const firstUse = new Map<TensorHeader, Use>();
  const order: TensorHeader[] = [];
  const visit = (g: GraphInfo, scope: Map<string, TensorHeader>[]): void => {
    if (g.sparse) warnings.push(`${g.sparse} sparse initializer(s) not read (sparse tensors are not supported)`);
    const local = new Map<string, TensorHeader>();
    for (const t of g.initializers) {
      local.set(t.name, t);
      allTensors.push(t);
    }
    const chain = [local, ...scope];
    for (const node of g.nodes) {
      node.inputs.forEach((name, input) => {
        if (!name) return;
        const list = uses.get(name) ?? [];
        list.push({ node, input });
        uses.set(name, list);
        for (const m of chain) {
          const t = m.get(name);
          if (t) {
            if (!firstUse.has(t)) {
              firstUse.set(t, { node, input });
              order.push(t);
            }
            break;
          }
        }
      });
      for (const sub of node.subgraphs) visit(sub, chain);
      if (node.constant && node.outputs[0]) {
        const t = node.constant;
        t.name = node.outputs[0];
        local.set(t.name, t);
        allTensors.push(t);
      }
    }
  };
  visit(graph, []);
  for (const t of allTensors) if (!firstUse.has(t)) order.push(t);

  const base = dirname(path);
  const tensors: TensorEntry[] = [];
  for (const t of order) tensors.push(makeEntry(path, base, t, layoutFromUse(firstUse.get(t), t.dims.length, uses), opts));
  const alternatives = ifAlternatives(graph, allTensors);
  return { format: 'onnx', path, tensors, warnings, ...(alternatives.length ? { alternatives } : {}) };
}

// --- alternative sub-networks (If branches) -----------------------------------

/** Names of the rank >= 2 tensors a subgraph defines or consumes, its own subgraphs included. */
function branchTensors(g: GraphInfo, rankOf: Map<string, number>, out: Set<string>): Set<string> {
  for (const t of g.initializers) if (t.dims.length >= 2) out.add(t.name);
  for (const node of g.nodes) {
    for (const name of node.inputs) if ((rankOf.get(name) ?? 0) >= 2) out.add(name);
    if (node.constant && node.constant.dims.length >= 2) out.add(node.constant.name);
    for (const sub of node.subgraphs) branchTensors(sub, rankOf, out);
  }
  return out;
}

/**
 * Every If node whose branches (at least two) hold weight tensors: the branches are alternative
 * sub-networks, only one of which runs per call (Silero VAD: one per sample rate). Loop and Scan
 * bodies are not alternatives (they run as part of the network) and are not listed.
 */
function ifAlternatives(graph: GraphInfo, all: TensorHeader[]): AlternativeGroup[] {
  const rankOf = new Map(all.map((t) => [t.name, t.dims.length]));
  const groups: AlternativeGroup[] = [];
  const walk = (g: GraphInfo): void => {
    for (const node of g.nodes) {
      if (node.op === 'If') {
        const branches = node.subgraphs.map((sub, i) => ({ name: sub.attr || `branch ${i}`, tensors: [...branchTensors(sub, rankOf, new Set())] }));
        if (branches.filter((b) => b.tensors.length > 0).length >= 2) {
          groups.push({ where: `ONNX If node '${node.name || node.outputs[0] || '?'}'`, branches });
          continue; // an If nested in a branch is part of that alternative
        }
      }
      for (const sub of node.subgraphs) walk(sub);
    }
  };
  walk(graph);
  return groups;
}

function makeEntry(path: string, base: string, t: TensorHeader, layout: LayoutHint, opts: ContainOptions): TensorEntry {
  const name = t.name || '(unnamed)';
  const known = ONNX_TYPES[t.dataType];
  const shape = checkShape(t.dims, path, name);
  const count = product(shape);
  if (!known) {
    const other = ONNX_OTHER[t.dataType];
    if (!other) throw new WeightsError(path, name, `unknown ONNX data_type ${t.dataType}`);
    return {
      name, shape, dtype: other, layout,
      load: async () => {
        throw new WeightsError(path, name, `data_type ${other} cannot be decoded to real numbers`);
      },
    };
  }
  const need = count * BYTES[known.type];
  let load: () => Promise<Float64Array>;
  if (t.external) {
    const loc = t.external.location;
    if (loc === undefined) throw new WeightsError(path, name, 'external data without a location key');
    const file = resolveInside(base, loc, { file: path, tensor: name }, opts);
    const offset = Number(t.external.offset ?? 0);
    const length = t.external.length !== undefined ? Number(t.external.length) : need;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0) {
      throw new WeightsError(path, name, `bad external data offset/length ${t.external.offset}/${t.external.length}`);
    }
    if (length !== need) throw new WeightsError(path, name, `external data length ${length} bytes but ${known.name}${JSON.stringify(shape)} needs ${need}`);
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      throw new WeightsError(path, name, `external data file '${file}' is missing`);
    }
    if (offset + need > size) {
      throw new WeightsError(path, name, `external data file '${file}' has ${size} bytes, needs ${offset + need} (truncated?)`);
    }
    load = async () => checkFinite(decodeElements(await readRange(file, offset, need, name), known.type, count), file, name);
  } else if (t.raw) {
    const [s, e] = t.raw;
    if (e - s !== need) {
      throw new WeightsError(path, name, `raw_data has ${e - s} bytes but ${known.name}${JSON.stringify(shape)} needs ${need}`);
    }
    load = async () => checkFinite(decodeElements(await readRange(path, s, need, name), known.type, count), path, name);
  } else {
    const [s, e] = t.msg;
    load = async () => {
      const mem = new MemBytes(await readRange(path, s, e - s, name), s);
      let values: Float64Array;
      try {
        values = decodeTyped(mem, s, e, t.dataType, count);
      } catch (err) {
        if (!fromFile(err)) throw err;
        throw new WeightsError(path, name, `typed data: ${(err as Error).message}`, { cause: err });
      }
      return checkFinite(values, path, name);
    };
    if (!t.hasTyped && count > 0) throw new WeightsError(path, name, `no data (neither raw_data, typed fields nor external data) for ${count} values`);
  }
  return { name, shape, dtype: known.name, layout, load };
}

/** Values from the typed repeated fields (packed or not) of a TensorProto. */
function decodeTyped(src: MemBytes, start: number, end: number, dataType: number, count: number): Float64Array {
  const out: number[] = [];
  const want =
    dataType === 1 ? 4 : dataType === 11 ? 10 : dataType === 7 ? 7 : dataType === 12 || dataType === 13 ? 11 : 5;
  const readOne = (wire: number, p: number): [number, number] => {
    if (want === 4) return [new DataView(src.bytes(p, 4).slice().buffer).getFloat32(0, true), p + 4];
    if (want === 10) return [new DataView(src.bytes(p, 8).slice().buffer).getFloat64(0, true), p + 8];
    if (wire !== 0) throw new Malformed(`unexpected wire type ${wire} in integer data`);
    if (want === 7) {
      const [v, q] = varintBig(src, p);
      return [Number(v), q];
    }
    if (want === 11) {
      const [v, q] = varintBig(src, p);
      return [Number(BigInt.asUintN(64, v)), q];
    }
    const [v, q] = varintBig(src, p);
    return [Number(BigInt.asIntN(32, v)), q];
  };
  eachField(src, start, end, (f) => {
    if (f.no !== want) return;
    const elemWire = want === 4 ? 5 : want === 10 ? 1 : 0;
    if (f.wire === 2) {
      let p = f.start;
      while (p < f.end) {
        const [v, q] = readOne(elemWire, p);
        out.push(v);
        p = q;
      }
    } else {
      out.push(readOne(f.wire, f.wire === 0 ? f.start : f.start)[0]);
    }
  });
  if (out.length !== count) throw new Malformed(`typed data holds ${out.length} values but the shape needs ${count}`);
  const values = Float64Array.from(out);
  // FLOAT16 / BFLOAT16 travel as their 16 bit patterns inside int32_data.
  if (dataType === 10) for (let i = 0; i < count; i++) values[i] = halfToNumber(values[i]! & 0xffff);
  if (dataType === 16) for (let i = 0; i < count; i++) values[i] = bf16ToNumber(values[i]! & 0xffff);
  if (dataType === 9) for (let i = 0; i < count; i++) values[i] = values[i] ? 1 : 0;
  return values;
}
