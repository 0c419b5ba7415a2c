// Piscina worker entry: computes one chunk and transfers (not copies) the result buffer.
// After a layer chunk the worker runs a full garbage collection: the layer matrix it loaded
// (hundreds of MB for an LLM layer) lives in external memory that V8's heuristics would keep,
// dead, while the next layer is loaded. That keeps a run at one layer per worker
// (docs/performance.md).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Piscina } from 'piscina';
import { runChunk } from './tasks.js';
import type { Chunk } from './chunk.js';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as (() => void) | undefined;

export default async function run(chunk: Chunk): Promise<unknown> {
  const values = await runChunk(chunk);
  if (chunk.kind === 'layer') collect?.();
  return Piscina.move(values);
}
