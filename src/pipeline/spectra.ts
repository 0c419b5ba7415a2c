// Spectra of network layers and of their conjugate circular matrices, as pipeline chunks:
// each layer (or circular draw of one order) is a task for the executor, and each result
// is cached as an Arrow file keyed by what determines it, so a second analysis of the same
// network computes nothing and an interrupted one resumes where it stopped.
//   layers:   key = sha256 of the layer matrix A (float64 bytes) and its shape + semantics
//   reference (circular-mixed, gaussian): key = (shape, seed); seed = f(run seed, shape, draw, occurrence)
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { deriveSeed } from '../rng/index.js';
import type { LayerInfo } from '../weights/types.js';
import type { Semantics } from './config.js';
import type { Executor } from './executor.js';
import type { LayerChunk, ReferenceChunk, ReferenceFamily } from './plan.js';
import { encodeChunk, decodeChunk, writeFileAtomic } from './store.js';

export function defaultCacheDir(): string {
  return process.env.ERGO_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ergo');
}

export type SpectraEvent =
  | {
      type: 'layer'; network: string; index: number; name: string; cached: boolean; done: number; total: number;
      /** Estimated work (layerCost) of this layer, of the layers finished so far, and of all layers. */
      cost: number; costDone: number; costTotal: number;
    }
  | { type: 'reference'; family: ReferenceFamily; n: number; draw: number; cached: boolean; done: number; total: number };

export interface SpectraContext {
  executor: Executor;
  cacheDir: string;
  semantics: Semantics;
  /** Layers are matrices given directly (eigenvalues of M M^T), not weights A (see spectral/pse.ts). */
  vanilla?: boolean;
  onEvent?: (e: SpectraEvent) => void;
  signal?: AbortSignal;
}

export interface LayerSpectrum {
  index: number;
  name: string;
  n: number;
  m: number;
  hash: string;
  cached: boolean;
  eigenvalues: Float64Array;
}

export class InterruptedError extends Error {
  constructor() {
    super('interrupted');
    this.name = 'InterruptedError';
  }
}

function readCached(path: string, identity: Record<string, string>): Float64Array | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const chunk = decodeChunk(readFileSync(path), path);
    for (const [k, v] of Object.entries(identity)) if (chunk.metadata.get(`ergo.${k}`) !== v) return undefined;
    return chunk.values;
  } catch {
    return undefined; // damaged cache entry: recompute and overwrite
  }
}

function writeCached(path: string, values: Float64Array, identity: Record<string, string>): void {
  const matrix = new Int32Array(values.length); // one matrix per cache file
  writeFileAtomic(path, encodeChunk({ values, matrix }, { kind: 'eigenvalues', identity }));
}

export function layerHash(a: Float64Array, n: number, m: number): string {
  return createHash('sha256').update(`${n}x${m}:`).update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
}

/**
 * Estimated floating-point work of one layer's spectrum, for progress and ETA: the Gram of the
 * smaller side k = min(n, m) (k^2 max(n, m)) plus the symmetric eigenvalues of a k x k matrix
 * (about 4/3 k^3, Householder tridiagonalisation). bristol semantics square an n x n Gram.
 */
export function layerCost(n: number, m: number, semantics: Semantics = 'definition'): number {
  if (semantics === 'bristol') return n * n * m + n * n * n + (4 / 3) * n * n * n;
  const k = Math.min(n, m);
  return k * k * Math.max(n, m) + (4 / 3) * k * k * k;
}

/**
 * Eigenvalues of every layer's X = A A^T (or per `semantics`), in layer order. Streams: at most
 * `executor.concurrency` layers are loaded at a time, and a layer's matrix is dropped once its
 * spectrum is computed (only the eigenvalues are kept).
 */
export async function layerSpectra(network: string, layers: readonly LayerInfo[], ctx: SpectraContext): Promise<LayerSpectrum[]> {
  const limit = pLimit(Math.max(1, ctx.executor.concurrency));
  let done = 0;
  let costDone = 0;
  const costs = layers.map((l) => layerCost(l.n, l.m, ctx.semantics));
  const costTotal = costs.reduce((a, b) => a + b, 0);
  return Promise.all(
    layers.map((layer, li) =>
      limit(async (): Promise<LayerSpectrum> => {
        if (ctx.signal?.aborted) throw new InterruptedError();
        const a = await layer.load();
        const hash = layerHash(a, layer.n, layer.m);
        const mode = ctx.vanilla ? 'vanilla' : 'model';
        const identity = { kind: 'layer', hash, n: String(layer.n), m: String(layer.m), semantics: ctx.semantics, mode };
        const path = join(ctx.cacheDir, 'layers', `${hash.slice(0, 40)}-${ctx.semantics}-${mode}.arrow`);
        let eigenvalues = readCached(path, identity);
        const cached = !!eigenvalues;
        if (!eigenvalues) {
          const chunk: LayerChunk = { kind: 'layer', id: `${network}#${layer.index}`, n: layer.n, m: layer.m, semantics: ctx.semantics, vanilla: !!ctx.vanilla, data: a };
          eigenvalues = await ctx.executor.run(chunk);
          writeCached(path, eigenvalues, identity);
        }
        costDone += costs[li]!;
        ctx.onEvent?.({ type: 'layer', network, index: layer.index, name: layer.name, cached, done: ++done, total: layers.length, cost: costs[li]!, costDone, costTotal });
        return { index: layer.index, name: layer.name, n: layer.n, m: layer.m, hash, cached, eigenvalues };
      }),
    ),
  );
}

/** Seeds of a reference ensemble for a list of layer shapes (equal shapes share chunks across networks). */
export function referenceSeeds(runSeed: string | number, family: ReferenceFamily, shapes: readonly { n: number; m: number }[], draw: number): string[] {
  const seen = new Map<string, number>();
  return shapes.map(({ n, m }) => {
    const shape = family === 'gaussian' ? `${n}x${m}` : `${n}`;
    const k = seen.get(shape) ?? 0;
    seen.set(shape, k + 1);
    return deriveSeed(runSeed, family, shape, draw, k);
  });
}

/**
 * Eigenvalues of the reference ensemble's matrices for every layer shape and draw:
 * result[draw][layer]. circular-mixed uses the orders n only; gaussian uses n x m.
 */
export async function referenceSpectra(
  family: ReferenceFamily,
  shapes: readonly { n: number; m: number }[],
  draws: number,
  runSeed: string | number,
  ctx: SpectraContext,
): Promise<Float64Array[][]> {
  const limit = pLimit(Math.max(1, ctx.executor.concurrency));
  const total = shapes.length * draws;
  let done = 0;
  const out: Float64Array[][] = [];
  const jobs: Promise<void>[] = [];
  for (let d = 0; d < draws; d++) {
    const row: Float64Array[] = new Array(shapes.length);
    out.push(row);
    referenceSeeds(runSeed, family, shapes, d).forEach((seed, l) => {
      const n = shapes[l]!.n;
      const m = family === 'gaussian' ? shapes[l]!.m : n;
      jobs.push(
        limit(async () => {
          if (ctx.signal?.aborted) throw new InterruptedError();
          const identity = { kind: family, n: String(n), m: String(m), seed };
          const path = join(ctx.cacheDir, family, `${n}x${m}-${seed}.arrow`);
          let values = readCached(path, identity);
          const cached = !!values;
          if (!values) {
            const chunk: ReferenceChunk = { kind: 'reference', id: `${family}-${n}x${m}-${seed}`, family, n, m, seed };
            values = await ctx.executor.run(chunk);
            writeCached(path, values, identity);
          }
          row[l] = values;
          ctx.onEvent?.({ type: 'reference', family, n, draw: d, cached, done: ++done, total });
        }),
      );
    });
  }
  await Promise.all(jobs);
  return out;
}
