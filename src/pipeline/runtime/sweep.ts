// The sweep driver, one named step each: bounds (before the lock: does it fit?), reconcile (manifest vs config), resume (verify
// what is there), reuse (chunks of other datasets), cache (the spectrum cache), then
// schedule.ts computes the rest. Nothing here depends on which executor runs the chunks
// or in what order they finish: each chunk file is a function of the chunk alone.
// The caller (runExperiment) holds the directory lock.
import { existsSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunConfig } from '../config/types.js';
import { ConfigError } from '../config/schema.js';
import { writeFileAtomic, cleanTemporaries, sha256, StoreError } from '../files.js';
import { FORMAT_VERSION } from './arrow.js';
import type { Chunk } from './chunk.js';
import { cacheFile } from './cache.js';
import { type Manifest, type ChunkRecord, CHUNK_DIR, MANIFEST, dataConfig, changedKeys, identityKey, newManifest, readManifest, writeManifest } from './manifest.js';
import { fileProblem, verifyChunkFile } from './verify.js';
import { schedule, type ScheduleOptions } from './schedule.js';
import { checkRunFits } from './bounds.js';
import type { RunEvent, RunSummary } from './events.js';
import { clearPreviousOutputs, hasOutputList } from './outputs.js';

export interface SweepOptions extends ScheduleOptions {
  outDir: string;
  /** Discard whatever the directory holds and start over. */
  fresh?: boolean;
  /** The directory holds a run of another config: refuse (default, naming the changed keys) or replace it. */
  onConfigChange?: 'refuse' | 'replace';
  /** Spectrum cache (cache.ts) to take layer and reference chunks from and add them to. */
  cacheDir?: string;
  /** Group label per chunk id (status shows them). */
  groups?: ReadonlyMap<string, string>;
}

type Emit = (e: RunEvent) => void;

/** Step 0, before anything is written: refuse a run that does not fit this machine (bounds.ts). */
export function bounds(outDir: string, chunks: readonly Chunk[], workers: number): void {
  const dir = resolve(outDir);
  checkRunFits(chunks, workers, dir, (c) => existsSync(join(dir, CHUNK_DIR, `${c.id}.arrow`)));
}

/** Step 1: the manifest for this config, merged with what the directory already records. */
export function reconcile(dir: string, cfg: RunConfig, chunks: readonly Chunk[], opts: SweepOptions, emit: Emit): Manifest {
  let old: Manifest | undefined;
  try {
    old = readManifest(dir);
  } catch (e) {
    // An unreadable manifest can only be discarded; --fresh is the way to say so.
    if (!(opts.fresh && e instanceof StoreError)) throw e;
  }
  let discard = !!opts.fresh && (!!old || existsSync(join(dir, MANIFEST)));
  if (old && !discard) {
    const keys = changedKeys(dataConfig(old.config), dataConfig(cfg));
    if (keys.length && opts.onConfigChange !== 'replace') {
      throw new ConfigError(`${dir} holds a run of a different config (changed: ${keys.join(', ')}); use another --out directory, or --fresh to discard the old results`);
    }
    if (keys.length) {
      emit({ type: 'note', message: `${dir} held a run of other inputs (changed: ${keys.join(', ')}); replacing it` });
      discard = true;
    }
  }
  if (discard) {
    // Old chunks and old results must not outlive the run they belong to; of results/ and
    // plots/ only the files the last run listed go (outputs.ts), never the user's own.
    rmSync(join(dir, CHUNK_DIR), { recursive: true, force: true });
    if (!hasOutputList(dir)) for (const sub of ['results', 'plots']) rmSync(join(dir, sub), { recursive: true, force: true }); // written before the list existed
    clearPreviousOutputs(dir);
    old = undefined;
  }
  const manifest = newManifest(cfg, chunks, opts.groups);
  if (old) {
    const byId = new Map(old.chunks.map((r) => [r.id, r]));
    manifest.created = old.created;
    manifest.chunks = manifest.chunks.map((r) => {
      const o = byId.get(r.id);
      return o ? { ...o, identity: r.identity, file: r.file, ...(r.group ? { group: r.group } : {}) } : r;
    });
  }
  mkdirSync(join(dir, CHUNK_DIR), { recursive: true });
  cleanTemporaries(join(dir, CHUNK_DIR));
  return manifest;
}

export function markPending(rec: ChunkRecord): void {
  Object.assign(rec, { state: 'pending', attempts: 0 });
  delete rec.sha256;
  delete rec.bytes;
  delete rec.error;
}

export function adopt(rec: ChunkRecord, bytes: Uint8Array, source: ChunkRecord['source']): void {
  Object.assign(rec, { state: 'done', sha256: sha256(bytes), bytes: bytes.length, source });
  delete rec.error;
}

/** Step 2: keep intact finished chunks, adopt files renamed into place but not recorded, reset the rest. */
export function resume(dir: string, manifest: Manifest, summary: RunSummary, emit: Emit): void {
  for (const rec of manifest.chunks) {
    if (rec.state !== 'done') {
      adoptFile(dir, rec, summary, emit);
      continue;
    }
    const problem = verifyChunkFile(dir, rec);
    if (!problem) {
      summary.resumed++;
      continue;
    }
    summary.recomputed.push({ id: rec.id, reason: problem });
    emit({ type: 'note', message: `chunk ${rec.id}: ${problem}; recomputing it` });
    rmSync(join(dir, rec.file), { force: true });
    markPending(rec);
  }
}

/**
 * A chunk file in place that the manifest does not record as done (renamed into place but the
 * manifest update was lost, or written by a shard): adopted when the file's identity and
 * values checksum hold (fileProblem; the only check there is), else deleted; then pending.
 */
export function adoptFile(dir: string, rec: ChunkRecord, summary: RunSummary, emit: Emit): void {
  const path = join(dir, rec.file);
  if (existsSync(path)) {
    const problem = fileProblem(path, { identity: rec.identity }, false);
    if (!problem) {
      adopt(rec, readFileSync(path), 'computed');
      summary.resumed++;
      return;
    }
    summary.recomputed.push({ id: rec.id, reason: problem });
    emit({ type: 'note', message: `chunk ${rec.id}: ${problem}; recomputing it` });
    rmSync(path, { force: true });
  }
  markPending(rec);
}

/** Done chunks of other dataset directories, by identity. */
function reuseIndex(dirs: readonly string[], self: string, emit: Emit): Map<string, { dir: string; rec: ChunkRecord }> {
  const index = new Map<string, { dir: string; rec: ChunkRecord }>();
  const notify = (message: string): void => emit({ type: 'note', message });
  for (const d of dirs) {
    const dir = resolve(d);
    if (dir === self) continue; // the run's own chunks are handled by resume
    let m: Manifest | undefined;
    try {
      m = readManifest(dir);
    } catch (e) {
      notify(`reuse: skipping ${dir}: ${(e as Error).message}`);
      continue;
    }
    if (!m) {
      notify(`reuse: ${dir} has no manifest.json; nothing reused from it`);
      continue;
    }
    if (m.format !== FORMAT_VERSION) {
      notify(`reuse: ${dir} has dataset format ${m.format}, this ergo writes ${FORMAT_VERSION}; nothing reused from it`);
      continue;
    }
    for (const rec of m.chunks) {
      if (rec.state === 'done' && !index.has(identityKey(rec.identity))) index.set(identityKey(rec.identity), { dir, rec });
    }
  }
  return index;
}

/** Step 3: copy chunks with the same identity from the `reuse:` datasets. */
export function reuse(dir: string, from: readonly string[], manifest: Manifest, summary: RunSummary, emit: Emit): void {
  if (!from.length) return;
  const index = reuseIndex(from, dir, emit);
  const counts = new Map<string, number>();
  for (const rec of manifest.chunks) {
    if (rec.state === 'done') continue;
    const hit = index.get(identityKey(rec.identity));
    if (!hit) continue;
    const problem = verifyChunkFile(hit.dir, hit.rec);
    if (problem) {
      emit({ type: 'note', message: `reuse: ${join(hit.dir, hit.rec.file)}: ${problem}; computing chunk ${rec.id} instead` });
      continue;
    }
    // Copied through a temporary name like a computed file, so a crash never leaves half a copy.
    const bytes = readFileSync(join(hit.dir, hit.rec.file));
    writeFileAtomic(join(dir, rec.file), bytes);
    adopt(rec, bytes, 'reused');
    summary.reused++;
    counts.set(hit.dir, (counts.get(hit.dir) ?? 0) + 1);
  }
  for (const [d, k] of counts) emit({ type: 'note', message: `reused ${k} chunk${k === 1 ? '' : 's'} from ${d}` });
}

/** Step 4: take chunks from the spectrum cache; put resumed ones there if it lacks them. */
export function fromCache(dir: string, cacheDir: string | undefined, chunks: readonly Chunk[], manifest: Manifest, summary: RunSummary, emit: Emit = () => {}): void {
  if (!cacheDir) return;
  const records = new Map(manifest.chunks.map((r) => [r.id, r]));
  for (const chunk of chunks) {
    const file = cacheFile(cacheDir, chunk);
    const rec = records.get(chunk.id)!;
    if (!file) continue;
    if (rec.state === 'done') {
      if (!existsSync(file)) writeFileAtomic(file, readFileSync(join(dir, rec.file)));
      continue;
    }
    // Absent, of another identity, or damaged: computed and overwritten (a damaged entry is said).
    const problem = fileProblem(file, { identity: rec.identity }, false);
    if (problem) {
      if (problem !== 'file missing' && !problem.startsWith('metadata ')) emit({ type: 'note', message: `cache entry ${problem.startsWith(file) ? problem : `${file}: ${problem}`}; recomputing it` });
      continue;
    }
    const bytes = readFileSync(file);
    writeFileAtomic(join(dir, rec.file), bytes);
    adopt(rec, bytes, 'cached');
    summary.cached++;
  }
}

/** Reconcile, resume, reuse, cache, then compute the rest; returns what happened. */
export async function runSweep(cfg: RunConfig, chunks: readonly Chunk[], opts: SweepOptions): Promise<RunSummary> {
  const dir = resolve(opts.outDir);
  const emit: Emit = opts.onEvent ?? (() => {});
  const manifest = reconcile(dir, cfg, chunks, opts, emit);
  const summary: RunSummary = { outDir: dir, total: chunks.length, computed: 0, resumed: 0, reused: 0, cached: 0, computedIds: new Set(), recomputed: [], failed: [], interrupted: false, manifest };
  resume(dir, manifest, summary, emit);
  reuse(dir, cfg.reuse, manifest, summary, emit);
  fromCache(dir, opts.cacheDir, chunks, manifest, summary, emit);
  writeManifest(dir, manifest);
  await schedule(dir, cfg.retries, chunks, summary, { ...opts, ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}) });
  return summary;
}
