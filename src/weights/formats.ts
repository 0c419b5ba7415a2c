// The weights formats ergo reads, by the names `--format` and `format:` accept. open.ts
// dispatches on them; the CLI takes its choices from this list.
export const WEIGHTS_FORMATS = ['safetensors', 'npy', 'npz', 'npy-dir', 'onnx', 'tfjs', 'pytorch', 'huggingface', 'gguf', 'keras-h5', 'keras', 'tfjs-bundle'] as const;
export type WeightsFormat = (typeof WEIGHTS_FORMATS)[number];
