// Opening a weights file: detect its format (detect.ts, signatures only) and load the one
// reader it needs. Readers are imported on demand, so that a command touching one format does
// not pay for parsing the modules (and libraries) of the other eleven.
import { WeightsError } from './errors.js';
import { detectFormat } from './detect.js';
import type { WeightSource } from './types.js';
import type { ContainOptions } from './contain.js';

import type { WeightsFormat } from './formats.js';
export { WEIGHTS_FORMATS, type WeightsFormat } from './formats.js';
export { detectFormat } from './detect.js';

export interface OpenOptions extends ContainOptions {
  /** Skip detection and use this reader. */
  format?: WeightsFormat;
}

/**
 * Open a weights file (or a directory of .npy files) and list its tensors lazily. Files the model
 * refers to (TF.js shards, ONNX external data, a folder's .npy files) are read only from inside
 * the model's own folder or from `opts.allowDirs` (see contain.ts).
 */
export async function openWeights(path: string, opts: OpenOptions = {}): Promise<WeightSource> {
  const format = opts.format ?? (await detectFormat(path));
  switch (format) {
    case 'safetensors': return (await import('./safetensors.js')).openSafetensors(path);
    case 'npy': return (await import('./npyfiles.js')).openNpy(path);
    case 'npz': return (await import('./npyfiles.js')).openNpz(path);
    case 'npy-dir': return (await import('./npyfiles.js')).openNpyDir(path, opts);
    case 'onnx': return (await import('./onnx.js')).openOnnx(path, opts);
    case 'tfjs': return (await import('./tfjs.js')).openTfjs(path, opts);
    case 'pytorch': return (await import('./pytorch.js')).openPytorch(path);
    case 'huggingface': return (await import('./huggingface.js')).openHuggingFace(path, opts);
    case 'gguf': return (await import('./gguf.js')).openGguf(path);
    case 'keras-h5': return (await import('./keras.js')).openKerasH5(path);
    case 'keras': return (await import('./keras.js')).openKeras(path);
    case 'tfjs-bundle': return (await import('./jsbundle.js')).openTfjsBundle(path, opts);
    default: throw new WeightsError(path, undefined, `unknown format '${String(format)}'`);
  }
}
