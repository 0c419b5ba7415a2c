// Piscina worker entry: computes one chunk and transfers (not copies) the result buffer.
import { Piscina } from 'piscina';
import { runChunk } from './tasks.js';
import type { Chunk } from './chunk.js';

export default async function run(chunk: Chunk): Promise<unknown> {
  return Piscina.move(await runChunk(chunk));
}
