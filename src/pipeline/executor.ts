// Executors run chunks. The driver only sees this interface, so another executor
// (remote machines, a job queue) can be added without touching plan, store or aggregate.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Chunk } from './plan.js';
import { computeChunkValues } from './tasks.js';

export interface Executor {
  /** How many chunks it runs at once (the driver keeps this many in flight). */
  readonly concurrency: number;
  readonly description: string;
  run(chunk: Chunk): Promise<Float64Array>;
  close(): Promise<void>;
}

/** Runs chunks on the calling thread, one at a time (tests, tiny runs, debugging). */
export class InlineExecutor implements Executor {
  readonly concurrency = 1;
  readonly description = 'inline (main thread)';
  async run(chunk: Chunk): Promise<Float64Array> {
    return computeChunkValues(chunk);
  }
  async close(): Promise<void> {}
}

/** Piscina thread pool; one worker thread per core by default. */
export class PoolExecutor implements Executor {
  readonly concurrency: number;
  readonly description: string;
  private readonly pool: Piscina;
  constructor(workers = availableParallelism()) {
    this.concurrency = Math.max(1, workers);
    this.description = `thread pool (${this.concurrency} worker${this.concurrency > 1 ? 's' : ''})`;
    // Compiled runs use worker.js; runs from sources under tsx use worker.ts (execArgv is inherited).
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    this.pool = new Piscina({
      filename: new URL(`./worker${ext}`, import.meta.url).href,
      minThreads: this.concurrency,
      maxThreads: this.concurrency,
      idleTimeout: 60_000,
      // Piscina first tries require() on the worker file; Node 20.19+'s require(esm) path
      // intermittently aborts the process (CreateRequiredModuleFacade assertion). Disabling it
      // makes Piscina fall back to import(), which is stable.
      execArgv: [...process.execArgv, '--no-experimental-require-module'],
    });
  }
  async run(chunk: Chunk): Promise<Float64Array> {
    // A layer's matrix is moved to the worker, not cloned (it can be hundreds of MB).
    const transferList = chunk.kind === 'layer' ? [chunk.data.buffer as ArrayBuffer] : undefined;
    return (await this.pool.run(chunk, transferList ? { transferList } : {})) as Float64Array;
  }
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

export function createExecutor(workers: number): Executor {
  return workers <= 0 ? new InlineExecutor() : new PoolExecutor(workers);
}
