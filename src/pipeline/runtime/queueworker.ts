// `ergo worker`: takes chunk jobs from every run registered on a Redis server (queueproto.ts),
// computes them on this machine's thread pool (PoolExecutor, the same code a local run uses)
// and sends their values back through Redis. It writes no file: the coordinator stores.
//   - A run whose ergo version or chunk format differs from this worker's is refused (one line,
//     no job taken); a job that says another version is failed, unrecoverably, uncomputed.
//   - Stalled jobs: BullMQ locks each job for LOCK_DURATION_MS, renewed while this process
//     lives; every STALLED_INTERVAL_MS each worker requeues jobs whose lock expired (their
//     worker died), so a killed worker costs the chunks it held and nothing else. (These
//     waits, the Redis grace and the poll for new runs: `timings`, queueproto.ts queueTimings.)
//   - First SIGINT/SIGTERM (`stop`): take no new job, finish the ones held, exit 0. Second
//     (`force`): release them at once (they go back to the queue after the lock expires).
//   - Redis gone for REDIS_GRACE_MS: one line (QueueDownError), exit 2.
import { Worker, UnrecoverableError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { TOOL_VERSION } from '../version.js';
import { PoolExecutor } from './executor.js';
import { checkReachable } from './queue.js';
import {
  CHUNK_FORMAT, MAX_STALLED_COUNT, POLL_MS, RUNS_SET, encodeResult, queueTimings, redisOptions, runKey, versionProblem, watchRedis, withTimeout,
  type JobData, type JobResult, type QueueDownError, type QueueTimings, type QueueUrl,
} from './queueproto.js';

export { POLL_MS };
const CLOSE_TIMEOUT_MS = 3000;

export interface WorkerServiceOptions {
  queue: QueueUrl;
  threads: number;
  /** One line of what the worker does. */
  log: (line: string) => void;
  /** Aborted: finish the jobs held, then return. */
  stop: AbortSignal;
  /** Aborted: return at once, releasing the jobs held. */
  force: AbortSignal;
  /** Test hook (schedule.ts SweepHooks): awaited before each job is computed; never set by the command line. */
  beforeChunk?: (id: string, attempt: number) => void | Promise<void>;
  /** Lock, stalled-job check, Redis grace and poll (default: queueTimings() of process.env). */
  timings?: QueueTimings;
}

/** Serve until stopped; resolves when every job held is finished or released; throws QueueDownError when Redis goes away. */
export async function serveQueue(o: WorkerServiceOptions): Promise<{ computed: number; failed: number }> {
  const timings = o.timings ?? queueTimings();
  await checkReachable(o.queue, 'worker');
  const pool = new PoolExecutor(o.threads);
  const client = new Redis(redisOptions(o.queue));
  client.on('error', () => {}); // the watchdog decides when it is fatal
  const workers = new Map<string, Worker<JobData, JobResult>>();
  const refused = new Set<string>();
  const stats = { computed: 0, failed: 0 };
  let down: QueueDownError | undefined;
  let wake: () => void = () => {};
  const watch = watchRedis(o.queue, 'worker', (e) => {
    down = e;
    wake();
  }, timings.graceMs);
  o.stop.addEventListener('abort', () => wake());
  o.force.addEventListener('abort', () => wake());

  const compute = async (job: Job<JobData, JobResult>): Promise<JobResult> => {
    const { chunk } = job.data;
    const problem = versionProblem(job.data);
    if (problem) {
      o.log(`refused job ${job.id}: ${problem}; nothing computed`);
      throw new UnrecoverableError(problem);
    }
    const t0 = Date.now();
    o.log(`computing ${chunk.id} (run ${job.queueName})`);
    try {
      await o.beforeChunk?.(chunk.id, job.attemptsMade + 1);
      const result = encodeResult(chunk.id, await pool.run(chunk));
      stats.computed++;
      o.log(`done ${chunk.id} in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
      return result;
    } catch (e) {
      stats.failed++;
      o.log(`failed ${chunk.id}: ${(e as Error).message}`);
      throw e;
    }
  };

  const attach = (name: string, meta: Record<string, string>): void => {
    const problem = versionProblem(meta);
    if (problem) {
      if (!refused.has(name)) o.log(`refusing run ${meta.name ?? '?'} (queue ${name}): ${problem}; nothing computed`);
      refused.add(name);
      return;
    }
    const w = new Worker<JobData, JobResult>(name, compute, {
      connection: redisOptions(o.queue),
      concurrency: Math.max(1, o.threads),
      lockDuration: timings.lockMs,
      stalledInterval: timings.stalledMs,
      maxStalledCount: MAX_STALLED_COUNT,
    });
    w.on('error', () => {});
    workers.set(name, w);
    o.log(`serving run ${meta.name ?? '?'} (queue ${name})`);
  };

  const detach = async (name: string, force: boolean): Promise<void> => {
    const w = workers.get(name);
    if (!w) return;
    workers.delete(name);
    const closed = await withTimeout(w.close(force).then(() => true, () => false), force ? CLOSE_TIMEOUT_MS : 2 ** 31 - 1);
    if (closed !== true) await withTimeout(w.disconnect().catch(() => {}), CLOSE_TIMEOUT_MS);
  };

  const poll = async (): Promise<void> => {
    const names = new Set(await client.smembers(RUNS_SET));
    for (const name of names) {
      if (workers.has(name) || refused.has(name)) continue;
      attach(name, await client.hgetall(runKey(name)));
    }
    for (const name of [...workers.keys()]) {
      if (!names.has(name)) {
        o.log(`run of queue ${name} is complete`);
        await detach(name, false);
      }
    }
  };

  o.log(`ergo worker ${TOOL_VERSION} (chunk format ${CHUNK_FORMAT}) on ${o.queue.url}, ${pool.concurrency} thread${pool.concurrency > 1 ? 's' : ''}; stalled jobs requeued after ${timings.lockMs / 1000} s (checked every ${timings.stalledMs / 1000} s); waiting for runs`);
  try {
    while (!down && !o.stop.aborted && !o.force.aborted) {
      await Promise.race([poll().catch(() => {}), new Promise<void>((r) => (wake = r))]);
      if (down || o.stop.aborted || o.force.aborted) break;
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, timings.pollMs).unref();
      });
    }
    if (down) throw down;
    const force = o.force.aborted;
    const all = [...workers.keys()];
    o.log(force ? 'stopping now: jobs in flight go back to the queue' : `stopping: finishing the jobs in flight (${all.length} run${all.length === 1 ? '' : 's'} served; press again to release them at once)`);
    const held = [...workers.values()];
    const closing = Promise.all(all.map((n) => detach(n, force)));
    // A second signal while finishing: drop the connections; the jobs' locks expire and they are requeued.
    await Promise.race([closing, new Promise<void>((r) => (force ? r() : o.force.addEventListener('abort', () => r())))]);
    if (o.force.aborted && !force) await Promise.all(held.map((w) => withTimeout(w.disconnect().catch(() => {}), CLOSE_TIMEOUT_MS)));
    o.log(`stopped; ${stats.computed} chunk${stats.computed === 1 ? '' : 's'} computed, ${stats.failed} failed`);
    return stats;
  } finally {
    watch.stop();
    if (down) await Promise.all([...workers.keys()].map((n) => detach(n, true)));
    client.disconnect();
    await pool.close();
  }
}
