// What the coordinator (queue.ts) and `ergo worker` (queueworker.ts) agree on when chunks go
// through a BullMQ queue on Redis:
//   - the Redis URL (redis://HOST:PORT[/DB]) and the run's queue name, `ergo-<hash>` with the
//     hash of the plan's chunk identities (what decides the values), so two runs on one Redis
//     never mix and the same run, restarted, finds its queue again;
//   - a registry: the set `ergo:runs` lists the queues of runs in progress, the hash
//     `ergo:run:<queue>` says which ergo version and chunk format each needs (workers read it
//     before taking any job of that run);
//   - a job: id = the chunk's identity (so adding it again never duplicates it), data = the
//     chunk (plain data; a layer chunk names its model file and tensor, never the matrix) with
//     the coordinator's version and format; at most MAX_PAYLOAD_BYTES of JSON;
//   - a result: the chunk's float64 values, little-endian, base64, at most MAX_RESULT_BYTES;
//   - liveness: a separate connection pings Redis every second; REDIS_GRACE_MS without an
//     answer and the process gives up with one line (QueueDownError), keeping what it finished;
//   - the waits (lock, stalled-job check, Redis grace, worker poll): the constants below by
//     default, each changeable through an ERGO_QUEUE_* variable (queueTimings; docs/distributed.md).
// BullMQ (retries, stalled-job detection, at-least-once delivery) and ioredis do the rest.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { TOOL_VERSION } from '../version.js';
import { FORMAT_VERSION } from './arrow.js';
import { chunkIdentity, type Chunk } from './chunk.js';
import { ExecutorLostError } from './executor.js';
import { QueueError, serverOptions, type QueueUrl } from './queueurl.js';

export { QueueError, parseQueueUrl, type QueueUrl } from './queueurl.js';
import { identityKey } from './manifest.js';

/** Job payload format; bump when the job's data or result encoding changes. */
export const JOB_FORMAT = '1';
/** The chunk format a worker must share with the coordinator: Arrow chunk format / job format. */
export const CHUNK_FORMAT = `${FORMAT_VERSION}/${JOB_FORMAT}`;

/** Largest job payload (the chunk as JSON): chunks are a few hundred bytes; a matrix never goes here. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** Largest result (the chunk's float64 values before base64): 4 Mi values, e.g. 10 matrices of order 1024 x 400. */
export const MAX_RESULT_BYTES = 32 * 1024 * 1024;

/** BullMQ lock of a job a worker holds; renewed every half of it while the worker lives. */
export const LOCK_DURATION_MS = 10_000;
/** How often workers look for jobs whose lock expired (their worker died) and requeue them. */
export const STALLED_INTERVAL_MS = 5_000;
/** A job found stalled more often than this fails (a chunk that kills every worker it meets). */
export const MAX_STALLED_COUNT = 3;
/** Redis unreachable this long: coordinator and workers stop with one line. */
export const REDIS_GRACE_MS = 5_000;

/** How often a worker looks for new runs on the server. */
export const POLL_MS = 1000;

/** The waits of a distributed run, in milliseconds. */
export interface QueueTimings {
  /** BullMQ lock of a job a worker holds (ERGO_QUEUE_LOCK_MS; default LOCK_DURATION_MS). */
  lockMs: number;
  /** Stalled-job check interval (ERGO_QUEUE_STALLED_MS; default STALLED_INTERVAL_MS). */
  stalledMs: number;
  /** Redis unreachable this long stops the process (ERGO_QUEUE_GRACE_MS; default REDIS_GRACE_MS). */
  graceMs: number;
  /** A worker looks for new runs this often (ERGO_QUEUE_POLL_MS; default POLL_MS). */
  pollMs: number;
}

const TIMING_VARS: readonly [keyof QueueTimings, string, number][] = [
  ['lockMs', 'ERGO_QUEUE_LOCK_MS', LOCK_DURATION_MS],
  ['stalledMs', 'ERGO_QUEUE_STALLED_MS', STALLED_INTERVAL_MS],
  ['graceMs', 'ERGO_QUEUE_GRACE_MS', REDIS_GRACE_MS],
  ['pollMs', 'ERGO_QUEUE_POLL_MS', POLL_MS],
];

/** The waits from the environment: each ERGO_QUEUE_* variable unset keeps its default; a bad value is refused in one line. */
export function queueTimings(env: NodeJS.ProcessEnv = process.env): QueueTimings {
  const t = {} as QueueTimings;
  for (const [key, name, fallback] of TIMING_VARS) {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      t[key] = fallback;
      continue;
    }
    const v = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || v < 100 || v > 3_600_000) throw new QueueError(`${name}: expected whole milliseconds from 100 to 3600000, got ${JSON.stringify(raw)}`);
    t[key] = v;
  }
  return t;
}

export const RUNS_SET = 'ergo:runs';
export const runKey = (queue: string): string => `ergo:run:${queue}`;

/** Redis stopped answering: the run stops (finished chunks are kept) instead of waiting forever. */
export class QueueDownError extends ExecutorLostError {
  constructor(message: string) {
    super(message);
    this.name = 'QueueDownError';
  }
}

/** Connection options for BullMQ and ioredis (maxRetriesPerRequest null: BullMQ workers require it). */
export function redisOptions(q: QueueUrl): ReturnType<typeof serverOptions> & { maxRetriesPerRequest: null } {
  return { ...serverOptions(q), maxRetriesPerRequest: null };
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The run's queue: named after what decides its values (the chunks' identities), nothing else. */
export function queueName(chunks: readonly Chunk[]): string {
  return `ergo-${sha(chunks.map((c) => identityKey(chunkIdentity(c))).join('\n')).slice(0, 20)}`;
}

/** A job's id: the chunk's identity (file-safe id for people, identity hash for uniqueness). */
export function jobId(chunk: Chunk): string {
  return `${chunk.id.replace(/[^A-Za-z0-9._-]/g, '_')}-${sha(identityKey(chunkIdentity(chunk))).slice(0, 16)}`;
}

export interface JobData {
  version: string;
  format: string;
  chunk: Chunk;
}

export interface JobResult {
  version: string;
  format: string;
  /** float64 values, little-endian, base64. */
  values: string;
}

/** The job for a chunk; refuses a chunk that cannot or must not go through Redis. */
export function jobData(chunk: Chunk): JobData {
  if (chunk.kind === 'layer' && 'data' in chunk.source) throw new QueueError(`chunk ${chunk.id}: a layer given in memory cannot go through the queue (layer matrices are never sent through Redis; workers read the model file)`);
  const data: JobData = { version: TOOL_VERSION, format: CHUNK_FORMAT, chunk };
  const bytes = Buffer.byteLength(JSON.stringify(data));
  if (bytes > MAX_PAYLOAD_BYTES) throw new QueueError(`chunk ${chunk.id}: its job would be ${bytes} bytes, above the queue's limit of ${MAX_PAYLOAD_BYTES} bytes`);
  return data;
}

/** Why this process must not compute a job made by another ergo (undefined: it may). */
export function versionProblem(their: { version?: unknown; format?: unknown }): string | undefined {
  if (their.version === TOOL_VERSION && their.format === CHUNK_FORMAT) return undefined;
  return `the run needs ergo ${String(their.version)} (chunk format ${String(their.format)}), this worker is ergo ${TOOL_VERSION} (chunk format ${CHUNK_FORMAT}); run the same ergo version on every machine`;
}

export function encodeResult(chunkId: string, values: Float64Array): JobResult {
  if (values.byteLength > MAX_RESULT_BYTES) throw new QueueError(`chunk ${chunkId}: its result is ${values.byteLength} bytes, above the queue's limit of ${MAX_RESULT_BYTES} bytes; run it locally (without --queue) or with --shard`);
  // Float64Array bytes are the platform's order; every platform Node runs on is little-endian.
  return { version: TOOL_VERSION, format: CHUNK_FORMAT, values: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64') };
}

/** A worker's result, checked before anything is written (a bad one is a failed attempt). */
export function decodeResult(chunkId: string, r: unknown): Float64Array {
  const res = r as Partial<JobResult> | null;
  if (!res || typeof res !== 'object' || typeof res.values !== 'string') throw new Error(`chunk ${chunkId}: the worker returned no values`);
  const problem = versionProblem(res);
  if (problem) throw new QueueError(`chunk ${chunkId}: refused a result computed by another ergo: ${problem}`);
  if (res.values.length > Math.ceil(MAX_RESULT_BYTES / 3) * 4) throw new QueueError(`chunk ${chunkId}: its result is above the queue's limit of ${MAX_RESULT_BYTES} bytes`);
  const bytes = Buffer.from(res.values, 'base64');
  if (bytes.length % 8 !== 0) throw new Error(`chunk ${chunkId}: the worker returned ${bytes.length} bytes, not whole float64 values`);
  const out = new Float64Array(bytes.length / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/**
 * Pings Redis every second (every fifth of `graceMs` when that is shorter) on its own
 * connection; after `graceMs` without an answer, calls `onDown` once with a QueueDownError
 * naming the server. `stop()` ends it.
 */
export function watchRedis(q: QueueUrl, who: string, onDown: (e: QueueDownError) => void, graceMs = REDIS_GRACE_MS): { stop: () => void } {
  const client = new Redis({ ...serverOptions(q), lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => 500 });
  let lastError = '';
  client.on('error', (e: Error) => (lastError = (e as NodeJS.ErrnoException).code ?? e.message));
  let lastOk = Date.now();
  let fired = false;
  const timer = setInterval(() => {
    client.ping().then(
      () => (lastOk = Date.now()),
      (e: Error) => (lastError ||= e.message),
    );
    if (!fired && Date.now() - lastOk > graceMs) {
      fired = true;
      onDown(new QueueDownError(`${who ? `${who}: ` : ''}lost Redis at ${q.url} (${lastError || 'no answer'} for ${graceMs / 1000} s); finished chunks are kept: start Redis again and rerun the same command`));
    }
  }, Math.min(1000, Math.max(20, Math.floor(graceMs / 5))));
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      client.disconnect();
    },
  };
}

/** Resolves after `ms`, or with `value` of the promise first (close() must not hang on a dead Redis). */
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
