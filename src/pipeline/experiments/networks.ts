// Trained networks as chunks, shared by the cpse and csd experiments: open each network,
// list its layer matrices, load and hash each one (one at a time: the matrix is dropped once
// hashed), and make one layer chunk per distinct matrix (a layer repeated within or across
// networks is computed once). The chunk names the layer; the executor loads it again. In a
// batch of several networks, one that cannot be read (a UserError: bad file, no layers) is
// skipped and listed in `skipped`; the others still run. Only when none can be read is the
// first error thrown.
import { UserError } from '../../errors.js';
import { ioUserError } from '../ioerrors.js';
import type { Semantics } from '../../spectral/semantics.js';
import type { NetworkSpec } from '../config/types.js';
import { fileSafe, chunkIdentity, type LayerChunk } from '../runtime/chunk.js';
import { layerHash } from '../runtime/cache.js';
import { checkLayersFit } from '../runtime/bounds.js';
import { identityKey } from '../runtime/manifest.js';
import { openLayers, type LayerSourceSpec } from '../runtime/layersource.js';
import { collectGarbage } from '../runtime/gc.js';
import type { SkippedNetwork } from '../report/json.js';

/** A weights file with no usable layer matrix: the user picked the wrong file or filters. */
export class NoLayersError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'NoLayersError';
  }
}

export interface PlannedLayer {
  index: number;
  name: string;
  shape: number[];
  n: number;
  m: number;
  /** The chunk holding this layer's spectrum (shared by equal matrices). */
  chunkId: string;
}

export interface PlannedNetwork {
  spec: NetworkSpec;
  format: string;
  layers: PlannedLayer[];
  warnings: string[];
}

/** Chunks of a set of networks, deduplicated by identity, with the group label of each. */
export interface LayerPlan {
  chunks: LayerChunk[];
  groups: Map<string, string>;
  networks: PlannedNetwork[];
  /** Networks left out because they could not be read (never for a single network: that throws). */
  skipped?: SkippedNetwork[];
}

/** Open, list and load every layer of every network; one chunk per distinct layer matrix. */
export async function planLayers(specs: readonly NetworkSpec[], semantics: Semantics, vanilla: boolean, plan: LayerPlan = { chunks: [], groups: new Map(), networks: [] }): Promise<LayerPlan> {
  const byIdentity = new Map(plan.chunks.map((c) => [identityKey(chunkIdentity(c)), c.id]));
  const skipped: SkippedNetwork[] = [];
  let firstError: unknown;
  for (const spec of specs) {
    try {
      await planNetwork(spec, semantics, vanilla, plan, byIdentity);
    } catch (e) {
      const err = ioUserError(e) ?? e;
      if (!(err instanceof UserError)) throw e; // a bug, not a bad input
      firstError ??= err;
      skipped.push({ name: spec.name, path: spec.path, error: err.message });
    }
  }
  if (firstError !== undefined && skipped.length === specs.length) throw firstError;
  if (skipped.length) plan.skipped = [...(plan.skipped ?? []), ...skipped];
  return plan;
}

/** Plan one network into `plan`; nothing is added when it fails part-way. */
async function planNetwork(spec: NetworkSpec, semantics: Semantics, vanilla: boolean, plan: LayerPlan, byIdentity: Map<string, string>): Promise<void> {
  const sourceSpec: LayerSourceSpec = { path: spec.path };
  for (const key of ['format', 'include', 'exclude', 'allowPaths'] as const) if (spec[key] !== undefined) Object.assign(sourceSpec, { [key]: spec[key] });
  const { format, layers } = await openLayers(sourceSpec);
  if (layers.length === 0) {
    throw new NoLayersError(`${spec.path}: no layer matrices found (tensors of rank >= 2 with N, M > 1)${layers.warnings.length ? `; ${layers.warnings.join('; ')}` : ''}`);
  }
  checkLayersFit(spec.name, layers.map((l) => ({ name: l.name, n: l.rows, m: l.cols })), 1); // before any layer is loaded
  const planned: PlannedLayer[] = [];
  const added: { key: string; chunk: LayerChunk; group: string }[] = [];
  const local = new Map<string, string>();
  for (const [position, layer] of layers.entries()) {
    const hash = layerHash(await layer.load(), layer.rows, layer.cols);
    collectGarbage(layer.rows * layer.cols); // the matrix is dropped once hashed: free it before the next one
    const id = `${fileSafe(spec.name)}-L${String(layer.index).padStart(3, '0')}`;
    const source = { spec: sourceSpec, position, name: layer.name };
    const chunk: LayerChunk = { kind: 'layer', id, n: layer.rows, m: layer.cols, semantics, vanilla, hash, source };
    const key = identityKey(chunkIdentity(chunk));
    let chunkId = byIdentity.get(key) ?? local.get(key);
    if (chunkId === undefined) {
      chunkId = id;
      local.set(key, id);
      added.push({ key, chunk, group: `${spec.name} layer ${layer.index} ${layer.name}` });
    }
    planned.push({ index: layer.index, name: layer.name, shape: layer.shape, n: layer.rows, m: layer.cols, chunkId });
  }
  for (const a of added) {
    byIdentity.set(a.key, a.chunk.id);
    plan.chunks.push(a.chunk);
    plan.groups.set(a.chunk.id, a.group);
  }
  plan.networks.push({ spec, format, layers: planned, warnings: layers.warnings });
}

/**
 * Whether each reference to a chunk found its spectrum ready: not computed by this run, or
 * computed for an earlier reference (a repeated layer counts as cached, as it costs nothing).
 */
export function cachedFlags(refs: readonly string[], computed: ReadonlySet<string>, seen: Set<string>): boolean[] {
  return refs.map((id) => {
    const cached = !computed.has(id) || seen.has(id);
    seen.add(id);
    return cached;
  });
}
