// Hugging Face model folders and shard indexes.
//
// A folder as `save_pretrained` writes it (config.json optional): `model.safetensors`, or
// shards `model-0000k-of-0000n.safetensors` + `model.safetensors.index.json`; older ones
// `pytorch_model.bin` or `pytorch_model-0000k-of-0000n.bin` + `pytorch_model.bin.index.json`.
// An index is JSON {"metadata": {...}, "weight_map": {tensor name: shard file}}. A path to an
// index file is read the same way. Every shard named by an index goes through `resolveInside`
// (no absolute paths, no `..`, no symlinks out of the folder) before it is opened.
//
// Order: index keys and shards are alphabetical (`layers.10` before `layers.2`), not network
// order. The network order is recovered from the names by natural order: names are compared
// piecewise, runs of digits as numbers and other runs by code point, so `layers.2.*` comes
// before `layers.10.*`; tensors of one block keep the alphabetical order of their remaining
// names (the files do not record the order within a block). Each source says so in a warning.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { WeightsError } from './errors.js';
import { resolveInside, type ContainOptions } from './contain.js';
import { openSafetensors } from './safetensors.js';
import { openPytorch } from './pytorch.js';
import type { TensorEntry, WeightSource } from './types.js';

const INDEXES = ['model.safetensors.index.json', 'pytorch_model.bin.index.json'];
const SINGLES = ['model.safetensors', 'pytorch_model.bin'];
const SHARD_NAME = /^pytorch_model.*\.bin$|\.(pt|pth|ckpt)$/i;
const MAX_INDEX = 64 * 1024 * 1024;

export const ORDER_NOTE =
  'layer order recovered from tensor names (natural order: digit runs compared as numbers, so layers.2 before layers.10; within a block, alphabetical)';

/** Natural order: digit runs compared as numbers, other runs by code point. */
export function naturalCompare(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? [];
  const rb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i]!;
    const y = rb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      // compare as numbers without overflow: strip leading zeros, then length, then digits
      const nx = x.replace(/^0+(?=\d)/, '');
      const ny = y.replace(/^0+(?=\d)/, '');
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  return ra.length - rb.length || (a < b ? -1 : a > b ? 1 : 0);
}

function openShard(file: string): Promise<WeightSource> {
  return /\.safetensors$/i.test(file) ? openSafetensors(file) : openPytorch(file);
}

/** Which file(s) of a folder hold the model: an index, a single checkpoint, or shards. */
async function folderFiles(dir: string): Promise<{ index?: string; shards?: string[] }> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (e) {
    throw new WeightsError(dir, undefined, `cannot read the folder: ${(e as Error).message}`, { cause: e });
  }
  const has = new Set(names);
  for (const n of INDEXES) if (has.has(n)) return { index: join(dir, n) };
  for (const n of SINGLES) if (has.has(n)) return { shards: [n] };
  const otherIndex = names.find((n) => n.endsWith('.index.json'));
  if (otherIndex) return { index: join(dir, otherIndex) };
  const st = names.filter((n) => /\.safetensors$/i.test(n));
  if (st.length > 0) return { shards: st };
  // .bin alone is too common a name (TF.js shards), so only PyTorch-looking names count; and a
  // folder of .npy files stays one (openNpyDir) unless it holds one of the files above
  const pt = names.filter((n) => SHARD_NAME.test(n));
  if (pt.length > 0 && !names.some((n) => /\.npy$/i.test(n))) return { shards: pt };
  throw new WeightsError(dir, undefined, `no model files in the folder (expected ${INDEXES.join(', ')}, ${SINGLES.join(', ')}, *.safetensors or pytorch_model*.bin / *.pt / *.pth / *.ckpt shards)`);
}

/** True when a folder looks like a Hugging Face model folder (index, single file or shards). */
export async function isHuggingFaceFolder(dir: string): Promise<boolean> {
  try {
    await folderFiles(dir);
    return true;
  } catch {
    return false;
  }
}

async function readIndex(indexPath: string): Promise<Map<string, string[]>> {
  const size = (await stat(indexPath)).size;
  if (size > MAX_INDEX) throw new WeightsError(indexPath, undefined, `index file of ${size} bytes is too large`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(indexPath, 'utf8'));
  } catch (e) {
    throw new WeightsError(indexPath, undefined, `not valid JSON: ${(e as Error).message.replace(/\s+/g, ' ')}`, { cause: e });
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new WeightsError(indexPath, undefined, 'expected an object with a "weight_map" object {tensor name: shard file}');
  }
  const byShard = new Map<string, string[]>();
  for (const [name, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== 'string') throw new WeightsError(indexPath, name, `weight_map value ${JSON.stringify(shard)} is not a file name`);
    const list = byShard.get(shard) ?? [];
    list.push(name);
    byShard.set(shard, list);
  }
  if (byShard.size === 0) throw new WeightsError(indexPath, undefined, 'weight_map is empty');
  return byShard;
}

async function fromIndex(indexPath: string, opts: ContainOptions): Promise<{ tensors: TensorEntry[]; warnings: string[] }> {
  const dir = dirname(indexPath);
  const byShard = await readIndex(indexPath);
  const tensors: TensorEntry[] = [];
  const warnings: string[] = [];
  for (const [shard, names] of byShard) {
    const file = resolveInside(dir, shard, { file: indexPath, tensor: names[0] }, opts);
    const src = await openShard(file);
    const have = new Map(src.tensors.map((t) => [t.name, t]));
    for (const name of names) {
      const t = have.get(name);
      if (!t) throw new WeightsError(file, name, `listed in ${basename(indexPath)} but not in this shard`);
      tensors.push(t);
      have.delete(name);
    }
    if (have.size > 0) warnings.push(`${basename(file)}: ${have.size} tensor(s) not listed in ${basename(indexPath)} were left out`);
    warnings.push(...src.warnings);
  }
  return { tensors, warnings };
}

async function fromShards(dir: string, shards: string[], opts: ContainOptions): Promise<{ tensors: TensorEntry[]; warnings: string[] }> {
  const tensors: TensorEntry[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const shard of shards) {
    const file = resolveInside(dir, shard, { file: dir }, opts);
    const src = await openShard(file);
    for (const t of src.tensors) {
      if (seen.has(t.name)) throw new WeightsError(file, t.name, 'tensor name appears in more than one shard');
      seen.add(t.name);
      tensors.push(t);
    }
    warnings.push(...src.warnings);
  }
  return { tensors, warnings };
}

/** Open a Hugging Face model folder or a shard index file. */
export async function openHuggingFace(path: string, opts: ContainOptions = {}): Promise<WeightSource> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw new WeightsError(path, undefined, `cannot read: ${(e as Error).message}`, { cause: e });
  }
  const files = st.isDirectory() ? await folderFiles(path) : { index: path };
  const read = files.index !== undefined ? await fromIndex(files.index, opts) : await fromShards(path, files.shards!, opts);
  const single = files.shards?.length === 1;
  // One file keeps its own order (its header / pickle order); shards and indexes do not have one.
  const tensors = single ? read.tensors : read.tensors.slice().sort((a, b) => naturalCompare(a.name, b.name));
  const warnings = single ? read.warnings : [...read.warnings, ORDER_NOTE];
  return { format: 'huggingface', path, tensors, warnings };
}
