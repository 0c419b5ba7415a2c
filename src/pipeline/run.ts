// The driver: plan -> (resume check, reuse) -> executor -> chunk files + manifest.
// Nothing here depends on which executor runs the chunks or in what order they
// finish: each chunk file is a function of the chunk alone.
import { existsSync, readFileSync, statSync, rmSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunConfig } from './config.js';
import { ConfigError, changedKeys } from './config.js';
import type { EnsembleChunk as Chunk } from './plan.js';
import type { Executor } from './executor.js';
import { withMatrixIndex } from './tasks.js';
import {
  type Manifest,
  type ChunkRecord,
  CHUNK_DIR,
  hashedConfig,
  identityKey,
  newManifest,
  readManifest,
  runConfigHash,
  writeManifest,
} from './manifest.js';
import { encodeChunk, decodeChunk, sha256, writeFileAtomic, cleanTemporaries, FORMAT_VERSION, StoreError, type ChunkMeta } from './store.js';
import { acquireLock } from './lock.js';

/** Minimum time between two manifest writes while chunks finish. */
export const MANIFEST_INTERVAL_MS = 1000;

export type RunEvent =
  | { type: 'start'; total: number; done: number; toCompute: number }
  | { type: 'chunk'; id: string; done: number; total: number }
  | { type: 'retry'; id: string; attempt: number; error: string }
  | { type: 'failed'; id: string; error: string }
  | { type: 'note'; message: string };

export interface RunOptions {
  outDir: string;
  executor: Executor;
  fresh?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
}

export interface RunSummary {
  outDir: string;
  total: number;
  computed: number;
  resumed: number;
  reused: number;
  recomputed: { id: string; reason: string }[];
  failed: { id: string; error: string }[];
  interrupted: boolean;
  manifest: Manifest;
}

export function chunkMeta(chunk: Chunk, identity: Record<string, string>): ChunkMeta {
  const extra: Record<string, string> = {};
  if (chunk.kind === 'ensemble' && chunk.method === 'bristol') {
    extra.reproduction_only = 'true: bristol recipe; its COE/CSE are not circular ensembles';
  }
  return { kind: 'eigenphases', identity, extra };
}

/**
 * Testing hooks (environment variables, read per chunk; never set them in real runs):
 *   ERGO_FAIL_CHUNK=<id>[:<k>][,...]  the chunk throws on its first k attempts (every attempt
 *                                    without :k), to exercise retries and failure records;
 *   ERGO_CHUNK_DELAY_MS=<ms>          wait this long before each chunk, so a test can kill or
 *                                    interrupt a run mid-sweep on any machine speed.
 */
async function testingHooks(id: string, attempt: number): Promise<void> {
  const delay = Number(process.env.ERGO_CHUNK_DELAY_MS ?? 0);
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  for (const spec of (process.env.ERGO_FAIL_CHUNK ?? '').split(',')) {
    const [failId, times] = spec.trim().split(':');
    if (failId === id && (times === undefined || attempt <= Number(times))) {
      throw new Error(`injected failure (ERGO_FAIL_CHUNK) on attempt ${attempt}`);
    }
  }
}

/** Why a finished chunk file cannot be trusted, or undefined if it is intact. */
export function verifyChunkFile(dir: string, rec: ChunkRecord, checkSum = true): string | undefined {
  const path = join(dir, rec.file);
  if (!existsSync(path)) return 'file missing';
  const bytes = readFileSync(path);
  if (rec.bytes !== undefined && bytes.length !== rec.bytes) return `size ${bytes.length} bytes, expected ${rec.bytes}`;
  if (checkSum && rec.sha256 && sha256(bytes) !== rec.sha256) return 'checksum mismatch';
  let meta: Map<string, string>;
  try {
    meta = decodeChunk(bytes, path).metadata;
  } catch (e) {
    return (e as Error).message;
  }
  if (meta.get('ergo.format') !== FORMAT_VERSION) return `format ${meta.get('ergo.format') ?? 'absent'}, expected ${FORMAT_VERSION}`;
  for (const [k, v] of Object.entries(rec.identity)) {
    if (meta.get(`ergo.${k}`) !== v) return `metadata ${k} is ${meta.get(`ergo.${k}`) ?? 'absent'}, expected ${v}`;
  }
  return undefined;
}

/** Done chunks of other dataset directories, by identity. */
function reuseIndex(dirs: string[], self: string, notify: (m: string) => void): Map<string, { dir: string; rec: ChunkRecord }> {
  const index = new Map<string, { dir: string; rec: ChunkRecord }>();
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

export async function executeRun(cfg: RunConfig, chunks: Chunk[], opts: RunOptions): Promise<RunSummary> {
  const dir = resolve(opts.outDir);
  const emit = opts.onEvent ?? (() => {});
  const lock = acquireLock(dir);
  try {
    if (lock.tookOver) emit({ type: 'note', message: `took over a stale lock of pid ${lock.tookOver.pid}` });
    let manifest: Manifest | undefined;
    try {
      manifest = readManifest(dir);
    } catch (e) {
      // An unreadable manifest can only be discarded; --fresh is the way to say so.
      if (!(opts.fresh && e instanceof StoreError)) throw e;
      manifest = undefined;
    }
    if (opts.fresh && (manifest || existsSync(join(dir, 'manifest.json')))) {
      // Old chunks and old results must not outlive the run they belong to.
      for (const sub of [CHUNK_DIR, 'results', 'plots']) rmSync(join(dir, sub), { recursive: true, force: true });
      manifest = undefined;
    }
    if (manifest && manifest.configHash !== runConfigHash(cfg)) {
      const keys = changedKeys(hashedConfig(manifest.config), hashedConfig(cfg));
      throw new ConfigError(
        `${dir} holds a run of a different config (changed: ${keys.join(', ')}); ` +
          `use another --out directory, or --fresh to discard the old results`,
      );
    }
    const fresh = newManifest(cfg, chunks);
    if (manifest) {
      const old = new Map(manifest.chunks.map((r) => [r.id, r]));
      fresh.created = manifest.created;
      fresh.chunks = fresh.chunks.map((r) => ({ ...r, ...(old.get(r.id) ?? {}), identity: r.identity, file: r.file }));
    }
    manifest = fresh;
    mkdirSync(join(dir, CHUNK_DIR), { recursive: true });
    cleanTemporaries(join(dir, CHUNK_DIR));

    const summary: RunSummary = {
      outDir: dir,
      total: chunks.length,
      computed: 0,
      resumed: 0,
      reused: 0,
      recomputed: [],
      failed: [],
      interrupted: false,
      manifest,
    };
    const records = new Map(manifest.chunks.map((r) => [r.id, r]));

    // 1. Resume: verify what is there.
    for (const rec of manifest.chunks) {
      if (rec.state === 'done') {
        const problem = verifyChunkFile(dir, rec);
        if (!problem) {
          summary.resumed++;
          continue;
        }
        summary.recomputed.push({ id: rec.id, reason: problem });
        emit({ type: 'note', message: `chunk ${rec.id}: ${problem}; recomputing it` });
        rmSync(join(dir, rec.file), { force: true });
      } else if (existsSync(join(dir, rec.file))) {
        // Renamed into place but the manifest update was lost (crash in between).
        const unchecked = { ...rec, sha256: undefined, bytes: undefined } as ChunkRecord;
        if (!verifyChunkFile(dir, unchecked, false)) {
          const bytes = readFileSync(join(dir, rec.file));
          Object.assign(rec, { state: 'done', sha256: sha256(bytes), bytes: bytes.length, source: 'computed' });
          delete rec.error;
          summary.resumed++;
          continue;
        }
        rmSync(join(dir, rec.file), { force: true });
      }
      Object.assign(rec, { state: 'pending', attempts: 0 });
      delete rec.sha256;
      delete rec.bytes;
      delete rec.error;
    }

    // 2. Reuse chunks from other datasets with the same identity.
    const index = reuseIndex(cfg.reuse, dir, (message) => emit({ type: 'note', message }));
    const reusedFrom = new Map<string, number>();
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
      Object.assign(rec, { state: 'done', sha256: sha256(bytes), bytes: bytes.length, source: 'reused' });
      delete rec.error;
      summary.reused++;
      reusedFrom.set(hit.dir, (reusedFrom.get(hit.dir) ?? 0) + 1);
    }
    for (const [from, k] of reusedFrom) emit({ type: 'note', message: `reused ${k} chunk${k === 1 ? '' : 's'} from ${from}` });
    writeManifest(dir, manifest);

    // 3. Compute the rest.
    const pending = chunks.filter((c) => records.get(c.id)!.state !== 'done');
    let done = chunks.length - pending.length;
    emit({ type: 'start', total: chunks.length, done, toCompute: pending.length });
    // The manifest is rewritten at most once per MANIFEST_INTERVAL_MS (it grows with the plan:
    // ~1.5 MB and ~20 ms for 3000 chunks, more than a small chunk costs). Chunks finished since
    // the last write are not lost in a crash: their files are complete (atomic rename) and
    // the resume adopts them after checking their metadata.
    let lastWrite = 0;
    let timer: NodeJS.Timeout | undefined;
    let writeError: unknown;
    const writeNow = (): void => {
      timer = undefined;
      try {
        writeManifest(dir, manifest!);
      } catch (e) {
        writeError ??= e;
      }
      lastWrite = Date.now();
    };
    const persist = (): void => {
      if (timer) return;
      const wait = lastWrite + MANIFEST_INTERVAL_MS - Date.now();
      if (wait <= 0) writeNow();
      else timer = setTimeout(writeNow, wait);
    };

    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < pending.length && !opts.signal?.aborted) {
        const chunk = pending[next++]!;
        const rec = records.get(chunk.id)!;
        for (;;) {
          rec.attempts++;
          try {
            await testingHooks(chunk.id, rec.attempts);
            const values = await opts.executor.run(chunk);
            const bytes = encodeChunk(withMatrixIndex(chunk, values), chunkMeta(chunk, rec.identity));
            writeFileAtomic(join(dir, rec.file), bytes);
            Object.assign(rec, { state: 'done', sha256: sha256(bytes), bytes: bytes.length, source: 'computed' });
            delete rec.error;
            summary.computed++;
            done++;
            emit({ type: 'chunk', id: chunk.id, done, total: chunks.length });
            break;
          } catch (e) {
            const error = (e as Error)?.message ?? String(e);
            if (rec.attempts <= cfg.retries && !opts.signal?.aborted) {
              emit({ type: 'retry', id: chunk.id, attempt: rec.attempts, error });
              continue;
            }
            if (rec.attempts <= cfg.retries) {
              // Interrupted before its retries were used up: leave it pending for the resume.
              Object.assign(rec, { state: 'pending', attempts: 0 });
              break;
            }
            Object.assign(rec, { state: 'failed', error });
            summary.failed.push({ id: chunk.id, error });
            emit({ type: 'failed', id: chunk.id, error });
            break;
          }
        }
        persist();
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(opts.executor.concurrency, pending.length) }, worker));
    } finally {
      if (timer) clearTimeout(timer);
      writeNow();
    }
    if (writeError) throw writeError;
    summary.interrupted = !!opts.signal?.aborted && done < chunks.length;
    return summary;
  } finally {
    lock.release();
  }
}

/** Read every done chunk of a run back, grouped by (ensemble, method, n), in matrix order. */
export function loadChunkValues(dir: string, manifest: Manifest, ids: string[]): { values: Float64Array; matrix: Int32Array }[] {
  const byId = new Map(manifest.chunks.map((r) => [r.id, r]));
  return ids.map((id) => {
    const rec = byId.get(id);
    if (!rec || rec.state !== 'done') throw new Error(`chunk ${id} is not finished`);
    const path = join(dir, rec.file);
    if (statSync(path).size !== rec.bytes) throw new Error(`${path}: size differs from the manifest; rerun to repair`);
    return decodeChunk(readFileSync(path), path);
  });
}
