// Flags of distributed runs (--queue, --shard; docs/distributed.md), apart from parsers.ts so
// that `ergo --help` and the commands without them load nothing of the pipeline.
import { parseQueueUrl, type QueueUrl } from '../pipeline/runtime/queueurl.js';
import { UsageError } from './errors.js';
import type { Parser } from './parsers.js';

/** --queue redis://HOST:PORT[/DB]. */
export const queueUrl: Parser<QueueUrl> = (v) => {
  try {
    return parseQueueUrl('--queue', v);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
};

/** --shard I/N: shard I (0 <= I < N) of N. */
export const shard: Parser<{ index: number; count: number }> = (v) => {
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count) throw new UsageError(`--shard: expected I/N with 0 <= I < N (e.g. 0/4 ... 3/4, or $SLURM_ARRAY_TASK_ID/4), got "${v}"`);
  return { index, count };
};

/** `--workers` given on the command line together with `--queue`, where it means nothing. */
export function workersWithQueue(given: boolean, queue: unknown): void {
  if (given && queue) throw new UsageError('--workers has no meaning with --queue: the coordinator computes nothing; give `ergo worker --threads N` to each worker instead');
}
