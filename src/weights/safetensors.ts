// safetensors reader. File = u64 LE header length H, H bytes of JSON
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}},
// then the data block; offsets are relative to the start of the data block.
// Checks: known dtypes, valid shapes, data_offsets spanning exactly shape x item size, the
// tensors tiling the data block (no overlap, no hole, no trailing bytes), unique names.
// Order: the order the names are written in the header text (JSON.parse would
// move integer-like keys such as "0" first, so the keys are scanned directly).
import { WeightsError } from './errors.js';
import { BYTES, checkFinite, checkShape, decodeElements, fileSize, lookup, product, readElements, readRange, shown, type StoredType } from './decode.js';
import type { TensorEntry, WeightSource } from './types.js';

const DTYPES: Record<string, StoredType> = {
  F64: 'f64', F32: 'f32', F16: 'f16', BF16: 'bf16', I64: 'i64', I32: 'i32', I16: 'i16', I8: 'i8',
  U64: 'u64', U32: 'u32', U16: 'u16', U8: 'u8', BOOL: 'bool',
};

/** Header sizes above this are treated as corruption rather than allocated. */
const MAX_HEADER = 100 * 1024 * 1024;

/** Top-level keys of a JSON object text, in written order. */
export function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      // find the end of this string literal, honouring escapes
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        keys.push(JSON.parse(text.slice(i, j + 1)) as string);
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      if (depth === 1 && c === '{') expectKey = true;
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}


/**
 * The safetensors format requires the tensors to tile the data block exactly: no overlap, no
 * hole, nothing after the last tensor. Overlapping offsets would make two tensors share bytes,
 * and unaccounted bytes mean the header does not describe the data.
 */
function checkCoverage(path: string, spans: { name: string; begin: number; end: number }[], dataLen: number): void {
  const sorted = [...spans].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const s of sorted) {
    if (s.begin < at) throw new WeightsError(path, s.name, `data_offsets [${s.begin}, ${s.end}] overlap another tensor's bytes`);
    if (s.begin > at) throw new WeightsError(path, s.name, `bytes ${at}..${s.begin} of the data block belong to no tensor (the header does not describe the data)`);
    at = s.end;
  }
  if (at !== dataLen) throw new WeightsError(path, undefined, `the tensors cover ${at} bytes of the data block, which has ${dataLen} (the header does not describe the data)`);
}

export async function openSafetensors(path: string): Promise<WeightSource> {
  const size = await fileSize(path);
  if (size < 8) throw new WeightsError(path, undefined, `too short for a safetensors file (${size} bytes)`);
  const lenBytes = await readRange(path, 0, 8);
  const h64 = new DataView(lenBytes.buffer).getBigUint64(0, true);
  if (h64 === 0n || h64 > BigInt(Math.min(size - 8, MAX_HEADER))) {
    throw new WeightsError(path, undefined, `bad safetensors header length ${h64} (file has ${size} bytes)`);
  }
  const hLen = Number(h64);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(await readRange(path, 8, hLen));
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new WeightsError(path, undefined, `safetensors header is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new WeightsError(path, undefined, 'safetensors header is not a JSON object');
  }
  const dataStart = 8 + hLen;
  const dataLen = size - dataStart;
  const tensors: TensorEntry[] = [];
  const spans: { name: string; begin: number; end: number }[] = [];
  const seen = new Set<string>();
  for (const name of topLevelKeys(text)) {
    if (seen.has(name)) throw new WeightsError(path, name, 'the name appears twice in the header');
    seen.add(name);
    if (name === '__metadata__') continue;
    const info = header[name] as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | undefined;
    if (!info || typeof info !== 'object') throw new WeightsError(path, name, 'header entry is not an object');
    const type = lookup(DTYPES, info.dtype);
    if (!type) throw new WeightsError(path, name, `unknown or unsupported dtype '${shown(info.dtype)}'`);
    const shape = checkShape(info.shape, path, name);
    const off = info.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && x >= 0) || off[1] < off[0]) {
      throw new WeightsError(path, name, `invalid data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    const count = product(shape);
    const need = count * BYTES[type];
    if (end - begin !== need) {
      throw new WeightsError(path, name, `data_offsets span ${end - begin} bytes but shape ${JSON.stringify(shape)} of ${info.dtype} needs ${need}`);
    }
    if (end > dataLen) {
      throw new WeightsError(path, name, `data ends at byte ${end} of the data block, which has only ${dataLen} bytes (truncated file?)`);
    }
    spans.push({ name, begin, end });
    tensors.push({
      name,
      shape,
      dtype: info.dtype as string,
      layout: { kind: 'axis', axis: 0, rule: 'tensor file: [out, ...] as stored (PyTorch convention)' },
      load: async () => checkFinite(await readElements(path, dataStart + begin, type, count, name), path, name),
    });
  }
  checkCoverage(path, spans, dataLen);
  return { format: 'safetensors', path, tensors, warnings: [] };
}
