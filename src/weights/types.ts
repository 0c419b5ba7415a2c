// Shared shapes of the weights layer: readers produce TensorEntry lists,
// layerMatrices() turns them into LayerInfo (SPEC section 5).

/**
 * Where the output units of a tensor sit, as the reader knows it from the
 * format and from the layer/node that uses the tensor.
 * - `axis`: the output axis `axis` (0 = first, -1 = last, -2 = second to last)
 *   becomes the rows; the remaining axes, in stored order, the columns.
 * - `depthwise`: TF depthwise kernel [kh, kw, C, mult]: rows C*mult (TF channel
 *   order c*mult + j), columns kh*kw.
 * - `convTranspose`: ONNX ConvTranspose [Cin, Cout/g, k...] with `groups`:
 *   rows Cout, columns (Cin/g)*prod(k), as PyTorch's regular conv layout.
 * - `recurrent`: ONNX LSTM/GRU/RNN [directions, gates*hidden, in]: one layer
 *   per direction, rows gates*hidden.
 * - `skip`: known not to be a weight matrix (a bias or state that happens to be
 *   rank 2, e.g. ONNX LSTM B [directions, 2*gates*hidden]); never a layer.
 * - `unknown`: the layout cannot be told; the tensor is reported, not used.
 */
export type LayoutHint =
  | { kind: 'axis'; axis: number; rule: string }
  | { kind: 'depthwise'; rule: string }
  | { kind: 'convTranspose'; groups: number; rule: string }
  | { kind: 'recurrent'; rule: string }
  | { kind: 'skip'; rule: string }
  | { kind: 'unknown'; rule: string };

export interface TensorEntry {
  name: string;
  shape: number[];
  /** dtype as the file names it (e.g. F32, float16, uint8->float32). */
  dtype: string;
  layout: LayoutHint;
  /** Decoded values, row-major as stored, float64. Throws WeightsError on bad data or NaN/Inf. */
  load(): Promise<Float64Array>;
}

export interface WeightSource {
  format: string;
  path: string;
  tensors: TensorEntry[];
  /** Notes the reader could not avoid (unplaced tensors, missing topology, ...). */
  warnings: string[];
  /**
   * Alternative sub-networks the file holds, of which only one runs per call (ONNX `If`
   * branches, e.g. one per sample rate). layerMatrices() warns when the layers it selects come
   * from more than one branch of a group.
   */
  alternatives?: AlternativeGroup[];
}

import type { RealMatrix } from '../linalg/types.js';

export interface AlternativeGroup {
  /** What holds the alternatives, e.g. "ONNX If node 'If_0'". */
  where: string;
  branches: { name: string; tensors: string[] }[];
}

export interface LayerInfo {
  /** 0-based position in the network order. */
  index: number;
  name: string;
  /** Shape of the tensor as stored. */
  shape: number[];
  /** Rows of A: output units/channels. */
  rows: number;
  /** Columns of A. */
  cols: number;
  dtype: string;
  format: string;
  /** Human-readable layout rule applied. */
  layout: string;
  /** A's entries, rows x cols row-major, output units first. */
  load(): Promise<Float64Array>;
  /** A as a RealMatrix (the shape every spectral function takes): { rows, cols, data: await load() }. */
  matrix(): Promise<RealMatrix>;
}

export type LayerList = LayerInfo[] & { warnings: string[] };
