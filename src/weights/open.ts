// Format detection: file content first (magic bytes), extension second.
//   \x93NUMPY            -> .npy
//   PK\x03\x04 / PK\x05\x06 -> .npz (ZIP)
//   u64 header length + '{' -> safetensors
//   '[' / '{' JSON        -> TF.js model.json or bare weights manifest
//   0x08 (ir_version)     -> ONNX (also any *.onnx)
//   *.js / *.min.js       -> TF.js model inside a JS bundle (nsfwjs), parsed, never run
//   a directory           -> its .npy files
import { open as fsOpen, stat } from 'node:fs/promises';
import { WeightsError } from './errors.js';
import { isSafetensorsHeader, openSafetensors } from './safetensors.js';
import { looksLikeOnnx, openOnnx } from './onnx.js';
import { openTfjs } from './tfjs.js';
import { openNpy, openNpyDir, openNpz } from './npyfiles.js';
import { looksLikeBundle, openTfjsBundle } from './jsbundle.js';
import type { WeightSource } from './types.js';

export type WeightsFormat = 'safetensors' | 'npy' | 'npz' | 'npy-dir' | 'onnx' | 'tfjs' | 'tfjs-bundle';

export interface OpenOptions {
  /** Skip detection and use this reader. */
  format?: WeightsFormat;
}

async function head(path: string, n: number): Promise<Uint8Array> {
  const fh = await fsOpen(path, 'r');
  try {
    const buf = new Uint8Array(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export async function detectFormat(path: string): Promise<WeightsFormat> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw new WeightsError(path, undefined, `cannot read: ${(e as Error).message}`, { cause: e });
  }
  if (st.isDirectory()) return 'npy-dir';
  const h = await head(path, 16);
  const lower = path.toLowerCase();
  if (h.length >= 6 && h[0] === 0x93 && String.fromCharCode(...h.subarray(1, 6)) === 'NUMPY') return 'npy';
  if (h.length >= 4 && h[0] === 0x50 && h[1] === 0x4b && (h[2] === 3 || h[2] === 5)) return 'npz';
  if (isSafetensorsHeader(h, st.size)) return 'safetensors';
  const first = h.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (first === 0x5b || first === 0x7b) return 'tfjs';
  if (looksLikeBundle(lower)) return 'tfjs-bundle';
  if (lower.endsWith('.onnx') || looksLikeOnnx(h)) return 'onnx';
  if (lower.endsWith('.safetensors')) return 'safetensors';
  if (lower.endsWith('.npz')) return 'npz';
  if (lower.endsWith('.npy')) return 'npy';
  if (lower.endsWith('.json')) return 'tfjs';
  throw new WeightsError(path, undefined, 'unrecognised weights format (expected safetensors, .npy, .npz, ONNX, TF.js model.json or weights manifest)');
}

/** Open a weights file (or a directory of .npy files) and list its tensors lazily. */
export async function openWeights(path: string, opts: OpenOptions = {}): Promise<WeightSource> {
  const format = opts.format ?? (await detectFormat(path));
  switch (format) {
    case 'safetensors': return openSafetensors(path);
    case 'npy': return openNpy(path);
    case 'npz': return openNpz(path);
    case 'npy-dir': return openNpyDir(path);
    case 'onnx': return openOnnx(path);
    case 'tfjs': return openTfjs(path);
    case 'tfjs-bundle': return openTfjsBundle(path);
    default: throw new WeightsError(path, undefined, `unknown format '${String(format)}'`);
  }
}
