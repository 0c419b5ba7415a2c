// Executors run chunks. The sweep driver only sees the `Executor` interface, so another
// executor (a job queue across machines) is added without touching plans, store or
// aggregates. The contract an executor implements:
//   - `run(chunk)` resolves to `runChunk(chunk)` (tasks.ts), the chunk's values, computed
//     wherever it likes: a chunk is plain serialisable data (Chunk in chunk.ts; a layer
//     chunk names its model file and layer, never carries the matrix), so it can be sent as
//     JSON and computed elsewhere;
//   - it may reject (the driver retries per the config's `retries`); it must not write files:
//     the driver stores, checksums and records every result itself;
//   - `concurrency` is how many chunks the driver keeps in flight; `close()` frees workers;
//   - an ExecutorLostError (its server is gone) stops the driver at once, without retries:
//     finished chunks are kept, the rest stay pending for a rerun.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type { Piscina } from 'piscina';
import { UserError } from '../../errors.js';
import type { Chunk } from './chunk.js';
import { runChunk } from './tasks.js';

export interface Executor {
  /** How many chunks it runs at once (the driver keeps this many in flight). */
  readonly concurrency: number;
  readonly description: string;
  /** Its workers share this process's memory (threads): the driver runs large layers one at a time (schedule.ts). */
  readonly sharesMemory?: boolean;
  run(chunk: Chunk): Promise<Float64Array>;
  /** Optional: the driver has stored `chunk`'s values (a queue removes its job only now, so a crash in between loses nothing). */
  stored?(chunk: Chunk): Promise<void>;
  close(): Promise<void>;
}

/** The executor can run nothing more (e.g. its queue server stopped answering). */
export class ExecutorLostError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutorLostError';
  }
}

/** Runs chunks on the calling thread, one at a time (tests, tiny runs, debugging). */
export class InlineExecutor implements Executor {
  readonly concurrency = 1;
  readonly description = 'inline (main thread)';
  run(chunk: Chunk): Promise<Float64Array> {
    return runChunk(chunk);
  }
  async close(): Promise<void> {}
}

/** Piscina thread pool; one worker thread per core by default. */
export class PoolExecutor implements Executor {
  readonly concurrency: number;
  readonly sharesMemory = true;
  readonly description: string;
  private readonly pool: Piscina;
  constructor(workers = availableParallelism()) {
    this.concurrency = Math.max(1, workers);
    this.description = `thread pool (${this.concurrency} worker${this.concurrency > 1 ? 's' : ''})`;
    // Compiled runs use worker.js; runs from sources under tsx use worker.ts (execArgv is inherited).
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    // piscina (14 modules, about 28 ms to load) only when a pool is made: inline runs skip it.
    const { Piscina: Pool } = createRequire(import.meta.url)('piscina') as typeof import('piscina');
    this.pool = new Pool({
      filename: new URL(`./worker${ext}`, import.meta.url).href,
      // Threads start with the first chunks (Piscina adds one per queued chunk up to
      // maxThreads), not with the pool: a resumed run with nothing left, or one layer, does
      // not pay about 0.2 CPU-s per idle thread's start-up.
      minThreads: 0,
      maxThreads: this.concurrency,
      idleTimeout: 60_000,
      // Piscina first tries require() on the worker file; Node 20.19+'s require(esm) path
      // intermittently aborts the process (CreateRequiredModuleFacade assertion). Disabling it
      // makes Piscina fall back to import(), which is stable.
      execArgv: [...process.execArgv, '--no-experimental-require-module'],
    });
  }
  async run(chunk: Chunk): Promise<Float64Array> {
    return (await this.pool.run(chunk)) as Float64Array;
  }
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

export function createExecutor(workers: number): Executor {
  return workers <= 0 ? new InlineExecutor() : new PoolExecutor(workers);
}
