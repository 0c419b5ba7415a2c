// Where a layer chunk's matrix comes from: the model file (path, format, filters) and the
// layer's position in its layer list. A layer chunk carries this reference, never the matrix,
// so the planner holds one layer at a time (load, hash, drop) and the executor loads the layer
// again where it computes it (a worker thread now, another machine with a job queue later),
// checking it still has the hash the plan recorded. Memory stays at one layer per worker
// whatever the model's size.
import { openWeights, layerMatrices, type LayerList, type WeightsFormat } from '../../weights/index.js';
import { UserError } from '../../errors.js';
import type { NetworkSpec } from '../config/types.js';
import { layerHash } from './cache.js';

/** The subset of a network spec that decides which tensors are layers (serialisable). */
export type LayerSourceSpec = Pick<NetworkSpec, 'path' | 'format' | 'include' | 'exclude' | 'allowPaths'>;

/** A layer in a model file, or (library use, benchmarks) a matrix already in memory. */
export type LayerRef = FileLayerRef | { data: Float64Array };

export interface FileLayerRef {
  spec: LayerSourceSpec;
  /** Position in layerMatrices(spec) (not LayerInfo.index, which filters do not renumber). */
  position: number;
  name: string;
}

/** The layer matrices of a network, with its filters applied. */
export async function openLayers(spec: LayerSourceSpec): Promise<{ format: string; layers: LayerList }> {
  const source = await openWeights(spec.path, {
    ...(spec.format ? { format: spec.format as WeightsFormat } : {}),
    ...(spec.allowPaths ? { allowDirs: spec.allowPaths } : {}),
  });
  const layers = layerMatrices(source, {
    ...(spec.include !== undefined ? { include: new RegExp(spec.include) } : {}),
    ...(spec.exclude !== undefined ? { exclude: new RegExp(spec.exclude) } : {}),
  });
  return { format: source.format, layers };
}

/** The model changed between planning and computing: the plan's identity no longer holds. */
export class LayerChangedError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'LayerChangedError';
  }
}

// The last model opened by this thread: a worker computes many layers of one model in a row.
let last: { key: string; layers: Promise<{ format: string; layers: LayerList }> } | undefined;

/** Load a planned layer's matrix and check it is the one the plan hashed. */
export async function loadLayer(ref: LayerRef, n: number, m: number, hash: string): Promise<Float64Array> {
  if ('data' in ref) return ref.data;
  const key = JSON.stringify(ref.spec);
  if (last?.key !== key) last = { key, layers: openLayers(ref.spec) };
  let layers: LayerList;
  try {
    layers = (await last.layers).layers;
  } catch (e) {
    last = undefined;
    throw e;
  }
  const layer = layers[ref.position];
  if (!layer || layer.name !== ref.name || layer.rows !== n || layer.cols !== m) {
    throw new LayerChangedError(`${ref.spec.path}: layer ${ref.position} is no longer '${ref.name}' (${n} x ${m}); the model changed since the run was planned: rerun the same command`);
  }
  const data = await layer.load();
  if (layerHash(data, n, m) !== hash) {
    throw new LayerChangedError(`${ref.spec.path} [tensor '${ref.name}']: its values changed since the run was planned: rerun the same command`);
  }
  return data;
}
