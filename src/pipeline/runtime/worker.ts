// Piscina worker entry: computes one chunk and transfers (not copies) the result buffer.
import { Piscina } from 'piscina';
import { computeChunkValues } from './tasks.js';
import type { Chunk } from './chunk.js';

export default function run(chunk: Chunk): unknown {
  return Piscina.move(computeChunkValues(chunk));
}
