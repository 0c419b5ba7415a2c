// Format detection: which reader a weights file needs, from its first bytes (magic numbers)
// first and its name second. Only the signatures live here, so that telling the format loads no
// reader: `openWeights` then imports the one reader it needs (start-up of `ergo layers`).
//   \x93NUMPY               -> .npy
//   PK\x03\x04 / PK\x05\x06   -> .npz (ZIP)
//   u64 header length + '{'  -> safetensors
//   '[' / '{' JSON           -> TF.js model.json or bare weights manifest
//   0x08 (ir_version)        -> ONNX (also any *.onnx)
//   a directory              -> Hugging Face folder (index / model files), else its .npy files
//   PK zip with <dir>/data.pkl, or the legacy pickle magic -> PyTorch checkpoint
//   *.index.json             -> Hugging Face shard index
//   GGUF                     -> GGUF (llama.cpp)
//   \x89HDF\r\n\x1a\n          -> Keras HDF5 (.h5: Keras 2, or a Keras 3 .weights.h5)
//   a ZIP named *.keras      -> Keras 3 archive
//   *.js / *.min.js          -> TF.js model inside a JS bundle (nsfwjs), parsed, never run
import { open as fsOpen, stat } from 'node:fs/promises';
import { WeightsError } from './errors.js';
import type { WeightsFormat } from './formats.js';

/** safetensors: a little-endian u64 header length that fits the file, then '{'. */
export function isSafetensorsHeader(head: Uint8Array, fileSize: number): boolean {
  if (head.length < 10) return false;
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const h = dv.getBigUint64(0, true);
  return h > 0n && h <= BigInt(fileSize - 8) && head[8] === 0x7b; // '{'
}

/** ONNX: a ModelProto almost always starts with ir_version (field 1, varint: 0x08). */
export function looksLikeOnnx(head: Uint8Array): boolean {
  return head.length > 2 && head[0] === 0x08 && head[1]! > 0 && head[1]! < 0x20;
}

/** The pickle that starts a legacy (pre-zip) torch.save file: protocol 2 and its magic number. */
export function isLegacyTorchHeader(h: Uint8Array): boolean {
  const sig = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
  return h.length >= sig.length && sig.every((b, i) => h[i] === b);
}

/** A POSIX tar header: "ustar" at byte 257. */
export function isTar(h: Uint8Array): boolean {
  return h.length >= 262 && String.fromCharCode(...h.subarray(257, 262)) === 'ustar';
}

export function isGgufHeader(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x47 && head[1] === 0x47 && head[2] === 0x55 && head[3] === 0x46; // "GGUF"
}

/** HDF5 signature at offset 0 (files with a user block put it at 512, 1024, ...: also checked by h5wasm itself). */
export function isHdf5Header(head: Uint8Array): boolean {
  const sig = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  return head.length >= 8 && sig.every((b, i) => head[i] === b);
}

export function isKerasZipName(path: string): boolean {
  return path.toLowerCase().endsWith('.keras');
}

/** A JavaScript bundle that may hold a TF.js model (nsfwjs): parsed, never run. */
export const looksLikeBundle = (path: string): boolean => /\.(m|c)?js$/i.test(path);

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
  if (st.isDirectory()) {
    const { isHuggingFaceFolder } = await import('./huggingface.js');
    return (await isHuggingFaceFolder(path)) ? 'huggingface' : 'npy-dir';
  }
  let h: Uint8Array;
  try {
    h = await head(path, 16);
  } catch (e) {
    throw new WeightsError(path, undefined, `cannot read: ${(e as Error).message}`, { cause: e });
  }
  const lower = path.toLowerCase();
  const isTorchZip = async (): Promise<boolean> => (await import('./pytorch.js')).isTorchZip(path);
  const isTorchTar = async (): Promise<boolean> => (await import('./pytorch.js')).isTorchTar(path);
  if (lower.endsWith('.index.json')) return 'huggingface';
  if (isLegacyTorchHeader(h) || (h[0] === 0x80 && TORCH_EXT.test(lower))) return 'pytorch';
  if (h[0] === 0x50 && h[1] === 0x4b && (TORCH_EXT.test(lower) || (!lower.endsWith('.npz') && (await isTorchZip())))) return 'pytorch';
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
  if (TORCH_EXT.test(lower) && (await isTorchTar())) return 'pytorch';
  if (lower.endsWith('.gguf')) return 'gguf';
  if (lower.endsWith('.h5') || lower.endsWith('.hdf5')) return 'keras-h5';
  if (lower.endsWith('.keras')) return 'keras';
  throw new WeightsError(path, undefined, 'unrecognised weights format (expected safetensors, .npy, .npz, ONNX, TF.js model.json or weights manifest, PyTorch checkpoint, GGUF, Keras .h5 or .keras)');
}
