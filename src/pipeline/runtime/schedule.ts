// The compute step of a sweep: pending chunks to the executor, `concurrency` in flight,
// retries, each result written atomically (to the spectrum cache first, then the run
// directory) and recorded in the manifest, which is saved at most once a second. A full
// disk or a permission problem (ioerrors.ts) stops the sweep at once, without retries:
// finished chunks are kept and the error says to rerun the same command. So does an executor
// that lost its server (ExecutorLostError: the queue's Redis stopped answering).
//
// Memory-aware scheduling: on an executor whose workers share this process's memory
// (Executor.sharesMemory, the thread pool), a large layer chunk (working set, bounds.ts, of
// at least LARGE_LAYER_BYTES) never starts while another large layer chunk runs; smaller
// chunks run beside it as usual. A lane whose next chunk is large waits for the running one.
// Alone, a big layer still uses every core (native BLAS threads: linalg/native.ts; the split
// Gram on WebAssembly/TypeScript: linalg/gramsplit.ts), so little is lost, and peak memory is
// one large layer, not one per worker (docs/performance.md, memory). Results do not depend
// on the order chunks run in.
import { join } from 'node:path';
import { writeFileAtomic, sha256 } from '../files.js';
import { encodeChunk } from './arrow.js';
import { chunkCost, chunkMeta, type Chunk } from './chunk.js';
import { cacheFile } from './cache.js';
import { chunkWorkingSet } from './bounds.js';
import { ExecutorLostError, type Executor } from './executor.js';
import { writeManifest, type ChunkRecord } from './manifest.js';
import { isIoFailure, ioUserError } from '../ioerrors.js';
import { chunkData } from './tasks.js';
import type { RunEvent, RunSummary } from './events.js';

/** Minimum time between two manifest writes while chunks finish. */
export const MANIFEST_INTERVAL_MS = 1000;

/**
 * Test hooks, called before every attempt of a chunk: a test can wait (to kill or interrupt
 * a run mid-sweep on any machine speed) or throw (to exercise retries and failure records).
 * Never used by the command line.
 */
export interface SweepHooks {
  beforeChunk?: (id: string, attempt: number) => void | Promise<void>;
  /** Before each chunk or cache file is written (after its temporary file is open); may throw an errno error (a full disk). */
  beforeWrite?: (path: string) => void;
}

export interface ScheduleOptions {
  executor: Executor;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  hooks?: SweepHooks;
  cacheDir?: string;
  /** false: write chunk files only, never manifest.json (a shard: shard.ts). Default true. */
  recordManifest?: boolean;
}

/** Saves the manifest at most once per MANIFEST_INTERVAL_MS; `flush` writes now. */
function throttledSaver(dir: string, summary: RunSummary): { save: () => void; flush: () => void; error: () => unknown } {
  // The manifest grows with the plan (~1.5 MB and ~20 ms for 3000 chunks, more than a small
  // chunk costs). Chunks finished since the last write are not lost in a crash: their files
  // are complete (atomic rename) and resume adopts them after checking their metadata.
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  let failure: unknown;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    try {
      writeManifest(dir, summary.manifest);
    } catch (e) {
      failure ??= e;
    }
    last = Date.now();
  };
  const save = (): void => {
    if (timer) return;
    const wait = last + MANIFEST_INTERVAL_MS - Date.now();
    if (wait <= 0) flush();
    else timer = setTimeout(flush, wait);
  };
  return { save, flush, error: () => failure };
}

/** Working set (bounds.ts chunkWorkingSet) from which a layer chunk counts as large: 256 MiB. */
export const LARGE_LAYER_BYTES = 256 * 1024 ** 2;

/** Whether a chunk is a large layer chunk (runs alone among large ones; header). */
export function isLargeLayer(c: Chunk): boolean {
  return c.kind === 'layer' && chunkWorkingSet(c) >= LARGE_LAYER_BYTES;
}

/** Compute every chunk not yet done; fills `summary`. */
export async function schedule(dir: string, retries: number, chunks: readonly Chunk[], summary: RunSummary, opts: ScheduleOptions): Promise<void> {
  const emit = opts.onEvent ?? (() => {});
  const records = new Map<string, ChunkRecord>(summary.manifest.chunks.map((r) => [r.id, r]));
  const pending = chunks.filter((c) => records.get(c.id)!.state !== 'done');
  const totalCost = chunks.reduce((s, c) => s + chunkCost(c), 0);
  let doneCost = totalCost - pending.reduce((s, c) => s + chunkCost(c), 0);
  let done = chunks.length - pending.length;
  emit({ type: 'start', total: chunks.length, done, toCompute: pending.length, totalCost, doneCost });
  const saver = opts.recordManifest === false ? { save: () => {}, flush: () => {}, error: () => undefined } : throttledSaver(dir, summary);
  let ioFailure: unknown;

  const store = (chunk: Chunk, rec: ChunkRecord, values: Float64Array): void => {
    const bytes = encodeChunk(chunkData(chunk, values), chunkMeta(chunk));
    const cached = opts.cacheDir ? cacheFile(opts.cacheDir, chunk) : undefined;
    const hook = opts.hooks?.beforeWrite;
    if (cached) writeFileAtomic(cached, bytes, hook);
    writeFileAtomic(join(dir, rec.file), bytes, hook);
    Object.assign(rec, { state: 'done', sha256: sha256(bytes), bytes: bytes.length, source: 'computed' });
    delete rec.error;
  };

  const attempt = async (chunk: Chunk, rec: ChunkRecord): Promise<void> => {
    for (;;) {
      rec.attempts++;
      try {
        await opts.hooks?.beforeChunk?.(chunk.id, rec.attempts);
        store(chunk, rec, await opts.executor.run(chunk));
        await opts.executor.stored?.(chunk).catch(() => {}); // best effort: a leftover job is adopted or cleared later
        summary.computed++;
        summary.computedIds.add(chunk.id);
        done++;
        doneCost += chunkCost(chunk);
        emit({ type: 'chunk', id: chunk.id, done, total: chunks.length, doneCost, totalCost });
        return;
      } catch (e) {
        if (isIoFailure(e) || e instanceof ExecutorLostError) {
          ioFailure ??= ioUserError(e) ?? e;
          Object.assign(rec, { state: 'pending', attempts: 0 });
          return;
        }
        const error = (e as Error)?.message ?? String(e);
        if (rec.attempts <= retries && !opts.signal?.aborted) {
          emit({ type: 'retry', id: chunk.id, attempt: rec.attempts, error });
          continue;
        }
        if (rec.attempts <= retries) {
          // Interrupted before its retries were used up: leave it pending for the resume.
          Object.assign(rec, { state: 'pending', attempts: 0 });
          return;
        }
        Object.assign(rec, { state: 'failed', error });
        summary.failed.push({ id: chunk.id, error });
        emit({ type: 'failed', id: chunk.id, error });
        return;
      }
    }
  };

  let next = 0;
  const gate = opts.executor.sharesMemory === true && opts.executor.concurrency > 1;
  let large: Promise<void> | null = null; // the large layer chunk running now, if any
  const lane = async (): Promise<void> => {
    while (next < pending.length && !opts.signal?.aborted && !ioFailure) {
      const chunk = pending[next++]!;
      if (gate && isLargeLayer(chunk)) {
        while (large) await large;
        let release!: () => void;
        large = new Promise<void>((r) => { release = r; });
        try {
          await attempt(chunk, records.get(chunk.id)!);
        } finally {
          large = null;
          release();
        }
      } else {
        await attempt(chunk, records.get(chunk.id)!);
      }
      saver.save();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(opts.executor.concurrency, pending.length) }, lane));
  } finally {
    saver.flush();
  }
  if (ioFailure) throw ioFailure;
  if (saver.error()) throw saver.error();
  summary.interrupted = !!opts.signal?.aborted && done < chunks.length;
}
