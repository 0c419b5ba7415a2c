// Public surface of the weights layer.
export { WeightsError } from './errors.js';
export type { LayoutHint, TensorEntry, WeightSource, LayerInfo, LayerList } from './types.js';
export { openWeights, detectFormat, type OpenOptions, type WeightsFormat } from './open.js';
export { layerMatrices, moveAxisFirst, convTransposeToRows, type LayerOptions } from './layers.js';
export { openSafetensors } from './safetensors.js';
export { openOnnx } from './onnx.js';
export { openTfjs } from './tfjs.js';
export { openGguf, dequantize as dequantizeGguf, GGUF_BLOCKS } from './gguf.js';
export { openKeras, openKerasH5 } from './keras.js';
export { openTfjsBundle, bundleExport } from './jsbundle.js';
export { openNpy, openNpz, openNpyDir } from './npyfiles.js';
export { halfToNumber, bf16ToNumber } from './decode.js';
export { readNpy, readNpyFile, readNpz, NpyFormatError } from './npy.js';
export { resolveInside, type ContainOptions } from './contain.js';
export { openPytorch } from './pytorch.js';
export { openHuggingFace, naturalCompare } from './huggingface.js';
export { unpickle, PickleError, type PickleOptions, type PickleResult } from './pickle.js';
