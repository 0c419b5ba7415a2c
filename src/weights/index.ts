// Public surface of the weights layer.
export { WeightsError } from './errors.js';
export type { LayoutHint, TensorEntry, WeightSource, LayerInfo, LayerList } from './types.js';
export { openWeights, detectFormat, type OpenOptions, type WeightsFormat } from './open.js';
export { layerMatrices, moveAxisFirst, convTransposeToRows, type LayerOptions } from './layers.js';
export { openSafetensors } from './safetensors.js';
export { openOnnx } from './onnx.js';
export { openTfjs } from './tfjs.js';
export { openTfjsBundle, bundleExport } from './jsbundle.js';
export { openNpy, openNpz, openNpyDir } from './npyfiles.js';
export { halfToNumber, bf16ToNumber } from './decode.js';
export { readNpy, readNpyFile, readNpz, writeNpy, writeNpz, encodeNpy, encodeNpz, NpyFormatError } from './npy.js';
export { resolveInside, type ContainOptions } from './contain.js';
