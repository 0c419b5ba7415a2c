// The queue protocol without a server (src/pipeline/runtime/queueproto.ts): URLs, names,
// the size limits (refused with a message naming the chunk and the limit), the version check,
// the exact round trip of a chunk's float64 values through the job result, and the waits
// (ERGO_QUEUE_* variables).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CHUNK_FORMAT, LOCK_DURATION_MS, MAX_PAYLOAD_BYTES, MAX_RESULT_BYTES, POLL_MS, QueueError, REDIS_GRACE_MS, STALLED_INTERVAL_MS, decodeResult, encodeResult, jobData, jobId, parseQueueUrl, queueName, queueTimings, versionProblem,
} from '../src/pipeline/runtime/queueproto.js';
import { TOOL_VERSION } from '../src/pipeline/version.js';
import type { EnsembleChunk, LayerChunk } from '../src/pipeline/runtime/chunk.js';

const chunk = (over: Partial<EnsembleChunk> = {}): EnsembleChunk => ({
  kind: 'ensemble', id: 'CUE-qr-N0016-c000', ensemble: 'CUE', method: 'qr', n: 16, chunk: 0, chunkSize: 2, count: 2, firstMatrix: 0, seed: 's', semantics: 'definition', ...over,
});

test('parseQueueUrl: host, port, db and password; anything else refused naming the flag', () => {
  assert.deepEqual(parseQueueUrl('--queue', 'redis://10.0.0.5:6380/3'), { url: 'redis://10.0.0.5:6380/3', host: '10.0.0.5', port: 6380, db: 3 });
  assert.deepEqual(parseQueueUrl('--queue', 'redis://h'), { url: 'redis://h', host: 'h', port: 6379, db: 0 });
  const p = parseQueueUrl('--queue', 'redis://:s3cret@h:1/0');
  assert.equal(p.password, 's3cret');
  assert.doesNotMatch(p.url, /s3cret/, 'the password is never printed');
  for (const bad of ['http://h:1', 'redis://h:1/x', 'h:1', 'redis://h:1/0?a=b']) assert.throws(() => parseQueueUrl('--queue', bad), (e: Error) => e instanceof QueueError && /^--queue: expected redis:\/\/HOST:PORT\[\/DB\]/.test(e.message), bad);
});

test('queue names follow the plan (chunk identities); job ids follow the chunk identity', () => {
  const a = [chunk(), chunk({ id: 'CUE-qr-N0016-c001', chunk: 1, firstMatrix: 2 })];
  assert.match(queueName(a), /^ergo-[0-9a-f]{20}$/);
  assert.equal(queueName(a), queueName(a.map((c) => ({ ...c }))));
  assert.notEqual(queueName(a), queueName([a[0]!, { ...a[1]!, seed: 'other' }]));
  assert.notEqual(jobId(a[0]!), jobId({ ...a[0]!, seed: 'other' }), 'same id, other identity: another job');
  assert.doesNotMatch(jobId(a[0]!), /:/, 'BullMQ job ids may not hold colons');
});

test('size limits: a payload above MAX_PAYLOAD_BYTES and a result above MAX_RESULT_BYTES are refused, naming the chunk and the limit', () => {
  assert.throws(() => jobData(chunk({ seed: 'x'.repeat(MAX_PAYLOAD_BYTES) })), new RegExp(`chunk CUE-qr-N0016-c000: its job would be \\d+ bytes, above the queue's limit of ${MAX_PAYLOAD_BYTES} bytes`));
  assert.equal(jobData(chunk()).version, TOOL_VERSION);
  const big = new Float64Array(MAX_RESULT_BYTES / 8 + 1);
  assert.throws(() => encodeResult('c1', big), new RegExp(`chunk c1: its result is ${big.byteLength} bytes, above the queue's limit of ${MAX_RESULT_BYTES} bytes`));
  assert.doesNotThrow(() => encodeResult('c1', big.subarray(1)));
  const huge = { version: TOOL_VERSION, format: CHUNK_FORMAT, values: 'A'.repeat(Math.ceil(MAX_RESULT_BYTES / 3) * 4 + 4) };
  assert.throws(() => decodeResult('c2', huge), /chunk c2: its result is above the queue's limit/);
});

test('a layer held in memory never goes through the queue', () => {
  const layer: LayerChunk = { kind: 'layer', id: 'l', n: 2, m: 2, semantics: 'definition', vanilla: false, hash: 'h', source: { data: new Float64Array(4) } };
  assert.throws(() => jobData(layer), /a layer given in memory cannot go through the queue/);
});

test('results round-trip bit for bit (NaN payloads, -0, subnormals); a result of another version is refused', () => {
  const v = new Float64Array([Math.PI, -0, 5e-324, Number.NaN, -Infinity, 1 / 3]);
  const back = decodeResult('c', encodeResult('c', v));
  assert.deepEqual(new Uint8Array(back.buffer), new Uint8Array(v.buffer));
  assert.throws(() => decodeResult('c', { ...encodeResult('c', v), version: '0.0.0-other' }), /chunk c: refused a result computed by another ergo: the run needs ergo 0\.0\.0-other/);
  assert.throws(() => decodeResult('c', { version: TOOL_VERSION, format: CHUNK_FORMAT, values: 'AAAA' }), /3 bytes, not whole float64 values/);
  assert.equal(versionProblem({ version: TOOL_VERSION, format: CHUNK_FORMAT }), undefined);
  assert.match(versionProblem({ version: TOOL_VERSION, format: '0/0' })!, /chunk format 0\/0\), this worker is ergo/);
});

test('queueTimings: today\'s waits by default, each ERGO_QUEUE_* variable changes one, a bad value is refused naming the variable', () => {
  assert.deepEqual(queueTimings({}), { lockMs: LOCK_DURATION_MS, stalledMs: STALLED_INTERVAL_MS, graceMs: REDIS_GRACE_MS, pollMs: POLL_MS });
  assert.deepEqual([LOCK_DURATION_MS, STALLED_INTERVAL_MS, REDIS_GRACE_MS, POLL_MS], [10_000, 5_000, 5_000, 1_000], 'the defaults docs/distributed.md states');
  assert.deepEqual(queueTimings({ ERGO_QUEUE_LOCK_MS: '2000', ERGO_QUEUE_STALLED_MS: '500', ERGO_QUEUE_GRACE_MS: '1500', ERGO_QUEUE_POLL_MS: '200' }), { lockMs: 2000, stalledMs: 500, graceMs: 1500, pollMs: 200 });
  assert.equal(queueTimings({ ERGO_QUEUE_LOCK_MS: '' }).lockMs, LOCK_DURATION_MS, 'empty: the default');
  for (const bad of ['0', '99', '1.5', '-100', '5s', '3600001']) {
    assert.throws(() => queueTimings({ ERGO_QUEUE_STALLED_MS: bad }), (e: Error) => e instanceof QueueError && e.message === `ERGO_QUEUE_STALLED_MS: expected whole milliseconds from 100 to 3600000, got ${JSON.stringify(bad)}`, bad);
  }
});
