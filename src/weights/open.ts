// Format detection: file content first (magic bytes), extension second.
//   \x93NUMPY            -> .npy
//   PK\x03\x04 / PK\x05\x06 -> .npz (ZIP)
//   u64 header length + '{' -> safetensors
//   '[' / '{' JSON        -> TF.js model.json or bare weights manifest
//   0x08 (ir_version)     -> ONNX (also any *.onnx)
//   a directory           -> Hugging Face folder (index / model files), else its .npy files
//   PK zip with <dir>/data.pkl, or the legacy pickle magic -> PyTorch checkpoint
//   *.index.json          -> Hugging Face shard index
//   GGUF                  -> GGUF (llama.cpp)
//   \x89HDF\r\n\x1a\n       -> Keras HDF5 (.h5: Keras 2, or a Keras 3 .weights.h5)
//   a ZIP named *.keras   -> Keras 3 archive
//   *.js / *.min.js       -> TF.js model inside a JS bundle (nsfwjs), parsed, never run
import { open as fsOpen, stat } from 'node:fs/promises';
import { WeightsError } from './errors.js';
import { isSafetensorsHeader, openSafetensors } from './safetensors.js';
import { looksLikeOnnx, openOnnx } from './onnx.js';
import { openTfjs } from './tfjs.js';
import { openNpy, openNpyDir, openNpz } from './npyfiles.js';
import { isLegacyTorchHeader, isTorchTar, isTorchZip, openPytorch } from './pytorch.js';
import { isHuggingFaceFolder, openHuggingFace } from './huggingface.js';
import { isGgufHeader, openGguf } from './gguf.js';
import { isHdf5Header, isKerasZipName, openKeras, openKerasH5 } from './keras.js';
import { looksLikeBundle, openTfjsBundle } from './jsbundle.js';
import type { WeightSource } from './types.js';
import type { ContainOptions } from './contain.js';

import type { WeightsFormat } from './formats.js';
export { WEIGHTS_FORMATS, type WeightsFormat } from './formats.js';

export interface OpenOptions extends ContainOptions {
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

/** Extensions PyTorch checkpoints are saved under. */
const TORCH_EXT = /\.(pt|pth|bin|ckpt|tar)$/;

export async function detectFormat(path: string): Promise<WeightsFormat> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw new WeightsError(path, undefined, `cannot read: ${(e as Error).message}`, { cause: e });
  }
  if (st.isDirectory()) return (await isHuggingFaceFolder(path)) ? 'huggingface' : 'npy-dir';
  let h: Uint8Array;
  try {
    h = await head(path, 16);
  } catch (e) {
    throw new WeightsError(path, undefined, `cannot read: ${(e as Error).message}`, { cause: e });
  }
  const lower = path.toLowerCase();
  if (lower.endsWith('.index.json')) return 'huggingface';
  if (isLegacyTorchHeader(h) || (h[0] === 0x80 && TORCH_EXT.test(lower))) return 'pytorch';
  if (h[0] === 0x50 && h[1] === 0x4b && (TORCH_EXT.test(lower) || (!lower.endsWith('.npz') && (await isTorchZip(path))))) return 'pytorch';
  if (h.length >= 6 && h[0] === 0x93 && String.fromCharCode(...h.subarray(1, 6)) === 'NUMPY') return 'npy';
  if (isGgufHeader(h)) return 'gguf';
  if (isHdf5Header(h)) return 'keras-h5';
  if (h.length >= 4 && h[0] === 0x50 && h[1] === 0x4b && (h[2] === 3 || h[2] === 5)) return isKerasZipName(path) ? 'keras' : 'npz';
  if (isSafetensorsHeader(h, st.size)) return 'safetensors';
  const first = h.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (first === 0x5b || first === 0x7b) return 'tfjs';
  if (looksLikeBundle(lower)) return 'tfjs-bundle';
  if (lower.endsWith('.onnx') || looksLikeOnnx(h)) return 'onnx';
  if (lower.endsWith('.safetensors')) return 'safetensors';
  if (lower.endsWith('.npz')) return 'npz';
  if (lower.endsWith('.npy')) return 'npy';
  if (lower.endsWith('.json')) return 'tfjs';
  if (TORCH_EXT.test(lower) && (await isTorchTar(path))) return 'pytorch';
  if (lower.endsWith('.gguf')) return 'gguf';
  if (lower.endsWith('.h5') || lower.endsWith('.hdf5')) return 'keras-h5';
  if (lower.endsWith('.keras')) return 'keras';
  throw new WeightsError(path, undefined, 'unrecognised weights format (expected safetensors, .npy, .npz, ONNX, TF.js model.json or weights manifest, PyTorch checkpoint, GGUF, Keras .h5 or .keras)');
}

/**
 * Open a weights file (or a directory of .npy files) and list its tensors lazily. Files the model
 * refers to (TF.js shards, ONNX external data, a folder's .npy files) are read only from inside
 * the model's own folder or from `opts.allowDirs` (see contain.ts).
 */
export async function openWeights(path: string, opts: OpenOptions = {}): Promise<WeightSource> {
  const format = opts.format ?? (await detectFormat(path));
  switch (format) {
    case 'safetensors': return openSafetensors(path);
    case 'npy': return openNpy(path);
    case 'npz': return openNpz(path);
    case 'npy-dir': return openNpyDir(path, opts);
    case 'onnx': return openOnnx(path, opts);
    case 'tfjs': return openTfjs(path, opts);
    case 'pytorch': return openPytorch(path);
    case 'huggingface': return openHuggingFace(path, opts);
    case 'gguf': return openGguf(path);
    case 'keras-h5': return openKerasH5(path);
    case 'keras': return openKeras(path);
    case 'tfjs-bundle': return openTfjsBundle(path, opts);
    default: throw new WeightsError(path, undefined, `unknown format '${String(format)}'`);
  }
}
