// What the sweep driver reports while it runs, and what it returns.
import type { Manifest } from './manifest.js';

/**
 * Progress events. `cost` figures are relative work (chunk.ts chunkCost: ~n^3 per dense
 * eigenvalue problem), so an ETA weighs a 1024-wide layer far above a 16-wide one.
 */
export type RunEvent =
  | { type: 'start'; total: number; done: number; toCompute: number; totalCost?: number; doneCost?: number }
  | { type: 'chunk'; id: string; done: number; total: number; doneCost?: number; totalCost?: number }
  | { type: 'retry'; id: string; attempt: number; error: string }
  | { type: 'failed'; id: string; error: string }
  | { type: 'note'; message: string };

export interface RunSummary {
  outDir: string;
  total: number;
  computed: number;
  resumed: number;
  reused: number;
  /** Taken from the spectrum cache. */
  cached: number;
  /** Chunks computed by this invocation (the rest were resumed, reused or cached). */
  computedIds: Set<string>;
  recomputed: { id: string; reason: string }[];
  failed: { id: string; error: string }[];
  interrupted: boolean;
  manifest: Manifest;
}
