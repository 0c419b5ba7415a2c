// Run directory manifest: the normalised config and its hash, the plan, the tool
// version, and per chunk its state and the checksum of its file. Always replaced
// atomically (write temporary, rename), so a crash leaves the previous version.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig } from './config.js';
import { configHash, stableStringify } from './config.js';
import type { EnsembleChunk as Chunk } from './plan.js';
import { chunkIdentity } from './plan.js';
import { writeFileAtomic, TOOL_VERSION, FORMAT_VERSION, StoreError } from './store.js';

export type ChunkState = 'pending' | 'done' | 'failed';

export interface ChunkRecord {
  id: string;
  file: string;
  identity: Record<string, string>;
  state: ChunkState;
  sha256?: string;
  bytes?: number;
  attempts: number;
  error?: string;
  /** How the file came to be: computed here, or copied from a reused dataset. */
  source?: 'computed' | 'reused';
}

export interface Manifest {
  format: string;
  tool: 'ergo';
  toolVersion: string;
  configHash: string;
  config: RunConfig;
  created: string;
  updated: string;
  chunks: ChunkRecord[];
}

export const MANIFEST = 'manifest.json';
export const CHUNK_DIR = 'chunks';

/** The part of a config that decides what is computed (retries and reuse do not). */
export function hashedConfig(cfg: RunConfig): Omit<RunConfig, 'retries' | 'reuse'> {
  const { retries: _r, reuse: _u, ...rest } = cfg;
  return rest;
}

export function runConfigHash(cfg: RunConfig): string {
  return configHash(hashedConfig(cfg) as RunConfig);
}

export function identityKey(identity: Record<string, string>): string {
  return stableStringify(identity);
}

export function newManifest(cfg: RunConfig, chunks: Chunk[]): Manifest {
  const now = new Date().toISOString();
  return {
    format: FORMAT_VERSION,
    tool: 'ergo',
    toolVersion: TOOL_VERSION,
    configHash: runConfigHash(cfg),
    config: cfg,
    created: now,
    updated: now,
    chunks: chunks.map((c) => ({
      id: c.id,
      file: `${CHUNK_DIR}/${c.id}.arrow`,
      identity: chunkIdentity(c),
      state: 'pending',
      attempts: 0,
    })),
  };
}

export function readManifest(dir: string): Manifest | undefined {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return undefined;
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    if (m.tool !== 'ergo' || !Array.isArray(m.chunks)) throw new Error('not an ergo manifest');
    return m;
  } catch (e) {
    throw new StoreError(`${path}: unreadable manifest (${(e as Error).message}); move the directory aside or run with --fresh`);
  }
}

export function writeManifest(dir: string, m: Manifest): void {
  m.updated = new Date().toISOString();
  writeFileAtomic(join(dir, MANIFEST), JSON.stringify(m, null, 1) + '\n');
}
