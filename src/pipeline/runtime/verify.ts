// Whether a chunk file on disk can be trusted for a chunk record: size and checksum as
// recorded, readable Arrow, this format, the identity in its metadata, and the values
// checksum the file carries (arrow.ts): required, so a file adopted without a manifest, or
// taken from the cache, is verified by its own content.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../files.js';
import { decodeChunk, valuesProblem, FORMAT_VERSION, type DecodedChunk } from './arrow.js';
import type { ChunkRecord } from './manifest.js';

/** Why the file at `path` cannot serve as `rec`'s data, or undefined if it can. */
export function fileProblem(path: string, rec: Pick<ChunkRecord, 'identity' | 'bytes' | 'sha256'>, checkSum = true): string | undefined {
  if (!existsSync(path)) return 'file missing';
  const bytes = readFileSync(path);
  if (rec.bytes !== undefined && bytes.length !== rec.bytes) return `size ${bytes.length} bytes, expected ${rec.bytes}`;
  if (checkSum && rec.sha256 && sha256(bytes) !== rec.sha256) return 'checksum mismatch';
  let chunk: DecodedChunk;
  try {
    chunk = decodeChunk(bytes, path);
  } catch (e) {
    return (e as Error).message;
  }
  const meta = chunk.metadata;
  if (meta.get('ergo.format') !== FORMAT_VERSION) return `format ${meta.get('ergo.format') ?? 'absent'}, expected ${FORMAT_VERSION}`;
  for (const [k, v] of Object.entries(rec.identity)) {
    if (meta.get(`ergo.${k}`) !== v) return `metadata ${k} is ${meta.get(`ergo.${k}`) ?? 'absent'}, expected ${v}`;
  }
  return valuesProblem(chunk);
}

/** Why a finished chunk file of run directory `dir` cannot be trusted, or undefined if it is intact. */
export function verifyChunkFile(dir: string, rec: ChunkRecord, checkSum = true): string | undefined {
  return fileProblem(join(dir, rec.file), rec, checkSum);
}
