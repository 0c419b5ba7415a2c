// Sharded runs (`ergo run <config> --shard I/N`, e.g. one Slurm array task each): a shard
// computes only the chunks whose position in the plan is I mod N, writes their files into the
// shared run directory (atomically, like any chunk file) and aggregates nothing. It never
// writes manifest.json except to create it, all pending, when the directory has none, so
// `ergo status` knows the run; shards never write the same file, so any number run at once
// (each holds its own lock, lock.ts). A plain `ergo run <config>` afterwards adopts every
// shard's files through the usual resume (each file's identity and values checksum are
// checked), computes whatever is missing and aggregates.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunConfig } from '../config/types.js';
import { ConfigError } from '../config/schema.js';
import type { Chunk } from './chunk.js';
import { CHUNK_DIR, changedKeys, dataConfig, newManifest, readManifest, writeManifest } from './manifest.js';
import { schedule } from './schedule.js';
import { adoptFile, type SweepOptions } from './sweep.js';
import type { RunSummary } from './events.js';

export interface Shard {
  /** 0 <= index < count. */
  index: number;
  count: number;
}

/** The chunks of shard `index` of `count`: plan positions congruent to index mod count. */
export function shardChunks<C>(chunks: readonly C[], shard: Shard): C[] {
  return chunks.filter((_, i) => i % shard.count === shard.index);
}

/** Compute this shard's chunks that have no intact file yet; no manifest updates, no aggregation. */
export async function runShard(cfg: RunConfig, chunks: readonly Chunk[], shard: Shard, opts: SweepOptions): Promise<RunSummary> {
  const dir = resolve(opts.outDir);
  const old = readManifest(dir);
  if (old) {
    const keys = changedKeys(dataConfig(old.config), dataConfig(cfg));
    if (keys.length) throw new ConfigError(`${dir} holds a run of a different config (changed: ${keys.join(', ')}); use another --out directory for this run's shards`);
  } else {
    writeManifest(dir, newManifest(cfg, chunks, opts.groups)); // identical for every shard: a concurrent write is harmless
  }
  mkdirSync(join(dir, CHUNK_DIR), { recursive: true });
  const mine = shardChunks(chunks, shard);
  const manifest = newManifest(cfg, mine, opts.groups); // in memory only: this shard's records
  const summary: RunSummary = { outDir: dir, total: mine.length, computed: 0, resumed: 0, reused: 0, cached: 0, computedIds: new Set(), recomputed: [], failed: [], interrupted: false, manifest };
  // Only this shard writes these files: a damaged one is ours to replace.
  for (const rec of manifest.chunks) adoptFile(dir, rec, summary, (e) => opts.onEvent?.(e));
  await schedule(dir, cfg.retries, mine, summary, { ...opts, recordManifest: false });
  return summary;
}
