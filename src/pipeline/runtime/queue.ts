// The queue executor: the coordinator side of a distributed run (`--queue redis://...`).
// Each chunk the driver hands it becomes a BullMQ job on the run's queue (queueproto.ts:
// name from the plan, job id from the chunk's identity); `ergo worker` processes on any
// machine compute it and send its values back through Redis; `run()` resolves to them and the
// sweep driver stores them as for a local run (atomic chunk files, manifest, progress).
//   - Resume: a job already on the queue (waiting, running, or finished while no coordinator
//     was there) is adopted, not added again: BullMQ ignores an add with an existing job id.
//   - A finished job is removed once the driver has stored its values; a failed one is removed and
//     reported as a failed attempt (the driver's `retries` add it again).
//   - The run's registry entry (the version and format workers must have) is removed when the
//     run completes; an interrupted run leaves its jobs, which the workers go on computing.
//   - Redis gone for REDIS_GRACE_MS: every pending `run()` rejects with QueueDownError, which
//     stops the driver at once (ExecutorLostError), keeping every chunk already stored.
import type { EventEmitter } from 'node:events';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { TOOL_VERSION } from '../version.js';
import type { Chunk } from './chunk.js';
import type { Executor } from './executor.js';
import {
  CHUNK_FORMAT, RUNS_SET, QueueError, decodeResult, jobData, jobId, queueTimings, redisOptions, runKey, watchRedis, withTimeout,
  type JobData, type JobResult, type QueueDownError, type QueueUrl,
} from './queueproto.js';
import { serverOptions } from './queueurl.js';

/** How long one wait for a job lasts before its state is looked at again (a job removed by hand is added again). */
const WAIT_POLL_MS = 15_000;
const CLOSE_TIMEOUT_MS = 3_000;
/** Longest blocking read of the queue's event stream (one idle round trip per period). */
const EVENTS_BLOCK_MS = 2_000;

/** Fails with one line when Redis cannot be reached at all (instead of waiting for it forever). */
export async function checkReachable(q: QueueUrl, who: string): Promise<void> {
  const client = new Redis({ ...serverOptions(q), lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null });
  let why = '';
  client.on('error', (e: Error) => (why ||= (e as NodeJS.ErrnoException).code ?? e.message));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    throw new QueueError(`${who ? `${who}: ` : ''}cannot reach Redis at ${q.url} (${why || (e as Error).message}); start redis-server there, or check the URL`);
  } finally {
    client.disconnect();
  }
}

export class QueueExecutor implements Executor {
  /** Every pending chunk is on the queue at once; the workers decide how many run. */
  readonly concurrency = 1 << 20;
  readonly description: string;
  /** Jobs found on the queue already (queued or finished before this coordinator started). */
  adopted = 0;
  private readonly queue: Queue<JobData, JobResult>;
  private readonly events: QueueEvents;
  /** Registry commands (queueproto.ts RUNS_SET, runKey). */
  private readonly client: Redis;
  private readonly watch: { stop: () => void };
  private down: QueueDownError | undefined;
  private readonly downPromise: Promise<never>;

  private constructor(private readonly q: QueueUrl, readonly name: string, graceMs: number) {
    this.description = `queue ${name} on ${q.url}`;
    const connection = redisOptions(q);
    this.queue = new Queue<JobData, JobResult>(name, { connection });
    // Each blocking read of the event stream lasts at most EVENTS_BLOCK_MS (BullMQ's default is
    // 10 s): BullMQ guards a read with a timer of that length plus 1 s, which a dropped
    // connection cannot cancel, so it bounds how long the process stays after Redis is lost.
    this.events = new QueueEvents(name, { connection, blockingTimeout: EVENTS_BLOCK_MS });
    // The reply mapping named: left to inference, new Redis() is Redis<ReplyMappingMode>, and
    // relating that to the field's Redis<'legacy'> costs tsc about 2 s (ioredis 6's types).
    this.client = new Redis<'legacy'>(connection);
    this.client.on('error', () => {});
    // BullMQ reports connection trouble as 'error' events; the watchdog decides when it is fatal.
    this.queue.on('error', () => {});
    this.events.on('error', () => {});
    this.events.setMaxListeners(0);
    this.queue.setMaxListeners(0);
    let fail: (e: QueueDownError) => void = () => {};
    this.downPromise = new Promise<never>((_, reject) => (fail = reject));
    this.downPromise.catch(() => {});
    this.watch = watchRedis(q, '', (e) => {
      this.down = e;
      fail(e);
    }, graceMs);
  }

  /** Connect, and register the run so workers know which ergo it needs (`graceMs`: default from ERGO_QUEUE_GRACE_MS, queueTimings). */
  static async open(q: QueueUrl, name: string, runName: string, graceMs?: number): Promise<QueueExecutor> {
    const grace = graceMs ?? queueTimings().graceMs;
    await checkReachable(q, '');
    const ex = new QueueExecutor(q, name, grace);
    try {
      await ex.guard(ex.events.waitUntilReady());
      const client = ex.client;
      await ex.guard(client.hset(runKey(name), { version: TOOL_VERSION, format: CHUNK_FORMAT, name: runName, since: new Date().toISOString() }));
      await ex.guard(client.sadd(RUNS_SET, name));
    } catch (e) {
      await ex.close();
      throw e;
    }
    return ex;
  }

  /** `p`, or the QueueDownError if Redis goes away first. */
  private guard<T>(p: Promise<T>): Promise<T> {
    if (this.down) return Promise.reject(this.down);
    return Promise.race([p, this.downPromise]);
  }

  /** The chunk's job: the one already on the queue, or a new one (a failed leftover is replaced). */
  private async adopt(chunk: Chunk, data: JobData, first: boolean): Promise<Job<JobData, JobResult>> {
    const id = jobId(chunk);
    const existing = await this.guard(this.queue.getJob(id));
    if (existing) {
      const state = await this.guard(existing.getState());
      if (state !== 'failed') {
        if (first) this.adopted++;
        return existing;
      }
      await this.guard(existing.remove());
    }
    return this.guard(this.queue.add(chunk.id, data, { jobId: id, attempts: 1, removeOnComplete: false, removeOnFail: false }));
  }

  async run(chunk: Chunk): Promise<Float64Array> {
    const data = jobData(chunk);
    for (let first = true; ; first = false) {
      const job = await this.adopt(chunk, data, first);
      try {
        const result = await this.guard(job.waitUntilFinished(this.events, WAIT_POLL_MS));
        return this.take(chunk, result);
      } catch (e) {
        if (this.down) throw this.down;
        const now = await this.guard(this.queue.getJob(job.id!));
        if (!now) continue; // removed meanwhile: add it again
        const state = await this.guard(now.getState());
        if (state === 'completed') return this.take(chunk, now.returnvalue);
        if (state === 'failed') {
          await this.guard(now.remove()).catch(() => {});
          throw new Error(`worker: ${now.failedReason || (e as Error).message}`);
        }
        // still waiting or running: wait again
      }
    }
  }

  /** The job's values, checked. */
  private take(chunk: Chunk, result: unknown): Float64Array {
    return decodeResult(chunk.id, result);
  }

  /** The values are stored: remove the job (finished jobs do not pile up in Redis). */
  async stored(chunk: Chunk): Promise<void> {
    const job = await this.guard(this.queue.getJob(jobId(chunk)));
    await this.guard(job?.remove() ?? Promise.resolve());
  }

  /** The run is complete: remove its queue and registry entry, so workers drop it. */
  async retire(): Promise<void> {
    const client = this.client;
    await this.guard(client.srem(RUNS_SET, this.name));
    await this.guard(client.del(runKey(this.name)));
    await this.guard(this.queue.obliterate({ force: true }));
  }

  async close(): Promise<void> {
    this.watch.stop();
    // Settle every job wait still pending. Job.waitUntilFinished gives up on the queue's
    // 'closing' event, which BullMQ's Queue never emits itself; each pending wait holds a
    // WAIT_POLL_MS timer, which kept a coordinator alive for up to 15 s after Redis was lost.
    (this.queue as unknown as EventEmitter).emit('closing', 'the run closed its queue');
    if (this.down) {
      // No server to close against: drop every connection now, without waiting for the
      // answers (they cannot come; waiting for them delayed the error line by 3 s).
      this.client.disconnect();
      for (const part of [this.events, this.queue]) part.disconnect().catch(() => {});
      return;
    }
    this.client.disconnect();
    for (const part of [this.events, this.queue]) {
      const closed = await withTimeout(part.close().then(() => true, () => false), CLOSE_TIMEOUT_MS);
      // Redis gone: drop the connections (their promises may never settle without a server).
      if (closed !== true) await withTimeout(part.disconnect().catch(() => {}), CLOSE_TIMEOUT_MS);
    }
  }
}
