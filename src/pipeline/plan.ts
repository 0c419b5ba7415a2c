// Plan: a run config becomes an ordered list of chunks, each with its own seed.
// Plan order (also the order in which an explicit `seeds` list is consumed):
// ensembles in config order, then sizes ascending, then chunk index.
import { chunkSeed } from '../rng/index.js';
import type { RunConfig, EnsembleName, MethodName, Semantics } from './config.js';
import { ConfigError } from './config.js';

export interface EnsembleChunk {
  kind: 'ensemble';
  /** Stable, file-name-safe id, e.g. CUE-spectral-N0064-c003. */
  id: string;
  ensemble: EnsembleName;
  method: MethodName;
  n: number;
  /** Chunk index within (ensemble, method, n). */
  chunk: number;
  /** Matrices per full chunk (the identity uses it: it fixes which matrices share a stream). */
  chunkSize: number;
  /** Matrices in this chunk (the last chunk may be smaller). */
  count: number;
  /** Global index of this chunk's first matrix within (ensemble, method, n). */
  firstMatrix: number;
  seed: string;
  semantics: Semantics;
}

/** One layer of a network: eigenvalues of X = A A^T (A travels with the task, transferred). */
export interface LayerChunk {
  kind: 'layer';
  id: string;
  n: number;
  m: number;
  semantics: Semantics;
  /** Matrices given directly (the reference's vanilla entry): eigenvalues of M M^T in both semantics. */
  vanilla?: boolean;
  data: Float64Array;
}

/**
 * One random reference layer for CSD: eigenvalues of A A^T with
 * circular-mixed: A = |U| (n x n), U from CUE(n); gaussian: A (n x m) with N(0, 1/m) entries.
 */
export type ReferenceFamily = 'circular-mixed' | 'gaussian';
export interface ReferenceChunk {
  kind: 'reference';
  id: string;
  family: ReferenceFamily;
  n: number;
  m: number;
  seed: string;
}

export type Chunk = EnsembleChunk | LayerChunk | ReferenceChunk;

export interface Plan {
  chunks: EnsembleChunk[];
}

export function ensembleChunkId(ensemble: string, method: string, n: number, chunk: number): string {
  return `${ensemble}-${method}-N${String(n).padStart(4, '0')}-c${String(chunk).padStart(3, '0')}`;
}

/** Identity of a chunk's data: equal identities mean equal eigenvalues, whoever computed them. */
export function chunkIdentity(c: EnsembleChunk): Record<string, string> {
  return {
    ensemble: c.ensemble,
    method: c.method,
    n: String(c.n),
    chunk: String(c.chunk),
    chunk_size: String(c.chunkSize),
    count: String(c.count),
    first_matrix: String(c.firstMatrix),
    seed: c.seed,
    semantics: c.semantics,
  };
}

export function planRun(cfg: RunConfig): Plan {
  const perSize = Math.ceil(cfg.matrices / cfg.chunk);
  const total = cfg.ensembles.length * cfg.sizes.length * perSize;
  if (cfg.seeds && cfg.seeds.length !== total) {
    throw new ConfigError(
      `seeds: the list has ${cfg.seeds.length} entries but the plan has ${total} chunks ` +
        `(${cfg.ensembles.length} ensembles x ${cfg.sizes.length} sizes x ${perSize} chunks of up to ${cfg.chunk} matrices); ` +
        `give one seed per chunk or remove the list`,
    );
  }
  const chunks: EnsembleChunk[] = [];
  for (const { ensemble, method } of cfg.ensembles) {
    for (const n of cfg.sizes) {
      for (let c = 0; c < perSize; c++) {
        const firstMatrix = c * cfg.chunk;
        const count = Math.min(cfg.chunk, cfg.matrices - firstMatrix);
        const seed = cfg.seeds
          ? String(cfg.seeds[chunks.length])
          : chunkSeed(cfg.seed, [ensemble, method, n, cfg.chunk], c);
        chunks.push({
          kind: 'ensemble',
          id: ensembleChunkId(ensemble, method, n, c),
          ensemble,
          method,
          n,
          chunk: c,
          chunkSize: cfg.chunk,
          count,
          firstMatrix,
          seed,
          semantics: cfg.semantics,
        });
      }
    }
  }
  return { chunks };
}
