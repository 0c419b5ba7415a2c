// What a worker computes for one chunk. Pure function of the chunk (its seed and
// parameters): this is what makes results independent of scheduling.
import { createStream } from '../../rng/index.js';
import { deterministicBackend, withBackend } from '../../linalg/index.js';
import { sampleEigenphases, circularMixedLayer, gaussianLayerMatrix, mmeMember } from '../../ensembles/index.js';
import { layerEigenvalues, vanillaEigenvalues } from '../../spectral/pse.js';
import type { Chunk, LayerChunk } from './chunk.js';
import type { ChunkData } from './arrow.js';

/** Values of one chunk, matrix after matrix (what crosses the thread boundary). A layer chunk loads its matrix first. */
export async function runChunk(chunk: Chunk): Promise<Float64Array> {
  if (chunk.kind !== 'layer') return computeChunkValues(chunk);
  // The weight readers and the GC hook load with the first layer chunk: a worker thread that
  // draws ensemble matrices starts about 20 ms sooner without them.
  const [{ loadLayer }, { collectGarbage }] = await Promise.all([import('./layersource.js'), import('./gc.js')]);
  const values = layerValues(chunk, await loadLayer(chunk.source, chunk.n, chunk.m, chunk.hash));
  collectGarbage(chunk.n * chunk.m); // the matrix is garbage now: free it before the next layer is loaded
  return values;
}

/** Eigenvalues of a layer chunk from its matrix A (n x m, row-major). */
export function layerValues(chunk: LayerChunk, data: Float64Array): Float64Array {
  const a = { rows: chunk.n, cols: chunk.m, data };
  return chunk.vanilla ? vanillaEigenvalues(a, chunk.semantics) : layerEigenvalues(a, chunk.semantics);
}

/** Values of a chunk that needs no input file (random draws). */
export function computeChunkValues(chunk: Exclude<Chunk, LayerChunk>): Float64Array {
  switch (chunk.kind) {
    case 'ensemble': {
      const stream = createStream(chunk.seed);
      const mats = sampleEigenphases(chunk.ensemble, chunk.method, chunk.n, chunk.count, stream);
      const per = mats[0]?.length ?? 0;
      const values = new Float64Array(per * mats.length);
      mats.forEach((m: Float64Array, i: number) => values.set(m, i * per));
      return values;
    }
    case 'reference': {
      const stream = createStream(chunk.seed);
      const data = chunk.family === 'gaussian' ? gaussianLayerMatrix(chunk.n, chunk.m, stream) : circularMixedLayer(chunk.n, stream);
      // Random reference matrices stay on the reproducible kernels, never native BLAS (linalg/backend.ts).
      return withBackend(deterministicBackend(), () => layerEigenvalues({ rows: chunk.n, cols: chunk.family === 'gaussian' ? chunk.m : chunk.n, data }, 'definition'));
    }
    case 'member': {
      const a = mmeMember(chunk.ensemble, chunk.method, chunk.n, createStream(chunk.seed));
      // Ensemble members are random draws: reproducible kernels only, like the reference draws.
      return withBackend(deterministicBackend(), () => layerEigenvalues({ rows: a.rows, cols: a.rows, data: a.data }, chunk.semantics));
    }
    default: {
      const unknown: never = chunk;
      throw new Error(`unknown chunk kind ${(unknown as { kind: string }).kind}`);
    }
  }
}

/** Values with their matrix index column (derived, so only the values cross threads). */
export function chunkData(chunk: Chunk, values: Float64Array): ChunkData {
  const matrix = new Int32Array(values.length);
  if (chunk.kind !== 'ensemble') return { values, matrix }; // one matrix per chunk
  const per = values.length / chunk.count;
  if (!Number.isInteger(per)) throw new Error(`chunk ${chunk.id}: ${values.length} values do not split into ${chunk.count} matrices`);
  for (let i = 0; i < chunk.count; i++) matrix.fill(chunk.firstMatrix + i, i * per, (i + 1) * per);
  return { values, matrix };
}
