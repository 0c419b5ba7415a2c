// What every experiment is made of: a plan (chunks, plain data) and an aggregate over the
// finished chunks' values. runExperiment (index.ts) runs the plan through the sweep driver.
import type { Chunk } from '../runtime/chunk.js';

/** The values of a finished chunk by id (from a run directory, or computed in memory). */
export type ChunkValues = (id: string) => Float64Array;

export interface Planned {
  chunks: readonly Chunk[];
  /** Group label per chunk id (status shows them). */
  groups?: ReadonlyMap<string, string>;
}
