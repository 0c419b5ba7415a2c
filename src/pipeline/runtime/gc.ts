// A full garbage collection after each large layer matrix (hundreds of MB for an LLM layer):
// the matrix lives in external memory, which V8's heuristics keep, dead, while the next layer
// is loaded. Collecting after each one keeps a network run at one layer per thread (the planner
// hashing layers on the main thread, each worker computing them; docs/performance.md).
// A small matrix is not worth a full collection (tens to hundreds of milliseconds each in a
// process with a large heap): below GC_MIN_BYTES V8's own accounting of external memory frees
// it soon enough, and the one-layer bound is unaffected where it matters.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (() => void) | undefined;

/** Matrices (float64) smaller than this are left to V8: 16 MiB, a 1024 x 2048 layer. */
export const GC_MIN_BYTES = 16 * 2 ** 20;

/** Collect after dropping a layer of `elements` float64 values, when it is large enough to matter. */
export function collectGarbage(elements: number): void {
  if (elements * 8 >= GC_MIN_BYTES) gc?.();
}
