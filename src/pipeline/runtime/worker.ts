// Piscina worker entry: computes one chunk and transfers (not copies) the result buffer.
// After a layer chunk the worker drops its reference to the layer matrix and runs a full
// garbage collection: the matrix (hundreds of MB for an LLM layer) arrived by transfer, so
// this thread's heap never saw it allocated and would otherwise keep it, dead, while the next
// layer is computed. That keeps a run at one layer per worker (docs/performance.md).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Piscina } from 'piscina';
import { computeChunkValues } from './tasks.js';
import type { Chunk } from './chunk.js';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as (() => void) | undefined;

export default function run(chunk: Chunk): unknown {
  const values = computeChunkValues(chunk);
  if (chunk.kind === 'layer') {
    (chunk as { data?: Float64Array }).data = undefined;
    collect?.();
  }
  return Piscina.move(values);
}
