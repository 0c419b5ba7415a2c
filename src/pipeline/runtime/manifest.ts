// Run directory manifest: the config and the hash of its data keys, the plan, the tool
// version, and per chunk its identity, state and the checksum of its file. Always replaced
// atomically, so a crash leaves the previous version. All hashing of configs and chunk
// identities lives here: only what decides the data is hashed (config/types.ts DATA_KEYS),
// so presentation keys never block a resume.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_KEYS, type RunConfig } from '../config/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { writeFileAtomic, sha256, StoreError } from '../files.js';
import { FORMAT_VERSION } from './arrow.js';
import { chunkIdentity, type Chunk } from './chunk.js';

export type ChunkState = 'pending' | 'done' | 'failed';

export interface ChunkRecord {
  id: string;
  file: string;
  identity: Record<string, string>;
  /** Human label of the data group (ensemble and size, network and layer) for status. */
  group?: string;
  state: ChunkState;
  sha256?: string;
  bytes?: number;
  attempts: number;
  error?: string;
  /** How the file came to be: computed here, copied from a reused dataset, or from the spectrum cache. */
  source?: 'computed' | 'reused' | 'cached';
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

/** JSON with sorted keys (undefined members dropped): equal values give equal text. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The part of a config that decides the chunk data (DATA_KEYS of its experiment), as a nested object. */
export function dataConfig(cfg: RunConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of DATA_KEYS[cfg.experiment] ?? []) {
    const path = key.split('.');
    let v: unknown = cfg;
    for (const p of path) v = (v as Record<string, unknown> | undefined)?.[p];
    if (v === undefined) continue;
    let o = out;
    for (const p of path.slice(0, -1)) o = (o[p] ??= {}) as Record<string, unknown>;
    o[path[path.length - 1]!] = v;
  }
  return out;
}

export function configHash(cfg: RunConfig): string {
  return sha256(stableStringify(dataConfig(cfg)));
}

/** Dotted key paths whose values differ between two configs (for the resume refusal). */
export function changedKeys(a: unknown, b: unknown, prefix = ''): string[] {
  if (stableStringify(a) === stableStringify(b)) return [];
  const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedKeys(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return [prefix || '(whole config)'];
}

export function identityKey(identity: Record<string, string>): string {
  return stableStringify(identity);
}

export function newManifest(cfg: RunConfig, chunks: readonly Chunk[], groups?: ReadonlyMap<string, string>): Manifest {
  const now = new Date().toISOString();
  return {
    format: FORMAT_VERSION,
    tool: TOOL_NAME,
    toolVersion: TOOL_VERSION,
    configHash: configHash(cfg),
    config: cfg,
    created: now,
    updated: now,
    chunks: chunks.map((c) => ({
      id: c.id,
      file: `${CHUNK_DIR}/${c.id}.arrow`,
      identity: chunkIdentity(c),
      ...(groups?.has(c.id) ? { group: groups.get(c.id)! } : {}),
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
