// Chunks: the unit of work of every experiment. A chunk is plain, serialisable data (it
// crosses thread boundaries now and machine boundaries with a job queue later) and its
// identity says which numbers it produces: equal identities mean equal values, whoever
// computed them. Identities are what the manifest, resume, `reuse:` and the spectrum cache
// compare; they hold only what decides the values.
import type { EnsembleName, Method, DenseMethod } from '../../ensembles/index.js';
import { REPRODUCTION_ONLY_METHODS } from '../../ensembles/index.js';
import type { Semantics } from '../../spectral/semantics.js';
import { activeBackend } from '../../linalg/index.js';
import type { ChunkMeta } from './arrow.js';
import type { LayerRef } from './layersource.js';

/** `count` matrices of a circular ensemble at order n, drawn from one seeded stream. */
export interface EnsembleChunk {
  kind: 'ensemble';
  /** Stable, file-name-safe id, e.g. CUE-spectral-N0064-c003. */
  id: string;
  ensemble: EnsembleName;
  method: Method;
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

/** One layer of a network: eigenvalues of X = A A^T (the chunk names the layer; the executor loads it). */
export interface LayerChunk {
  kind: 'layer';
  id: string;
  n: number;
  m: number;
  semantics: Semantics;
  /** Matrices given directly (the reference's vanilla entry): eigenvalues of M M^T in both semantics. */
  vanilla: boolean;
  /** sha256 of the float64 matrix and its shape (layerHash). */
  hash: string;
  /** Where the matrix is read from (layersource.ts); not part of the identity. */
  source: LayerRef;
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

/** One member of a mixed matrix ensemble: eigenvalues of A A^T, A = |U|, U from the ensemble at order n. */
export interface MemberChunk {
  kind: 'member';
  id: string;
  ensemble: EnsembleName;
  method: DenseMethod;
  n: number;
  seed: string;
  semantics: Semantics;
}

export type Chunk = EnsembleChunk | LayerChunk | ReferenceChunk | MemberChunk;

export function ensembleChunkId(ensemble: string, method: string, n: number, chunk: number): string {
  return `${ensemble}-${method}-N${String(n).padStart(4, '0')}-c${String(chunk).padStart(3, '0')}`;
}

/** A name made safe for a file name (chunk ids become file names). */
export function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** Identity of a chunk's data (string values; stored as `ergo.<key>` in its Arrow metadata). */
export function chunkIdentity(c: Chunk): Record<string, string> {
  switch (c.kind) {
    case 'ensemble':
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
    case 'layer':
      return { kind: 'layer', hash: c.hash, n: String(c.n), m: String(c.m), semantics: c.semantics, mode: c.vanilla ? 'vanilla' : 'model' };
    case 'reference':
      return { kind: c.family, n: String(c.n), m: String(c.m), seed: c.seed };
    case 'member':
      return { kind: 'mme-member', ensemble: c.ensemble, method: c.method, n: String(c.n), seed: c.seed, semantics: c.semantics };
  }
}

/** Arrow metadata of a chunk file: its identity plus descriptive extras. */
export function chunkMeta(c: Chunk): ChunkMeta {
  // A layer's spectrum records the linalg backend that computed it (not part of its identity:
  // backends agree to 1e-12, and any backend's entry is reused). Random draws never use native.
  if (c.kind === 'layer') return { kind: 'eigenvalues', identity: chunkIdentity(c), extra: { backend: activeBackend() } };
  if (c.kind !== 'ensemble') return { kind: 'eigenvalues', identity: chunkIdentity(c) };
  const extra: Record<string, string> = {};
  if (REPRODUCTION_ONLY_METHODS.includes(c.method)) extra.reproduction_only = `true: ${c.method} recipe; its COE/CSE are not circular ensembles`;
  return { kind: 'eigenphases', identity: chunkIdentity(c), extra };
}

/**
 * Relative cost of a chunk in flops (for progress and ETA): eigenphases of a CMV matrix
 * ~ n^2, of a dense unitary ~ n^3; a layer's Gram n*n*m plus n^3 for its eigenvalues.
 */
export function chunkCost(c: Chunk): number {
  switch (c.kind) {
    case 'ensemble':
      return c.count * (c.method === 'spectral' ? c.n * c.n : c.n ** 3);
    case 'layer':
    case 'reference':
      return c.n * c.n * c.m + c.n ** 3;
    case 'member':
      return (c.ensemble === 'CSE' ? 8 : 1) * c.n ** 3;
  }
}
