// Memory-aware scheduling (src/pipeline/runtime/schedule.ts header): on an executor whose
// workers share the process's memory, two large layer chunks never run at the same time;
// small chunks still run beside a large one, and executors on other machines are not gated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { schedule, isLargeLayer, LARGE_LAYER_BYTES } from '../src/pipeline/runtime/schedule.js';
import { chunkWorkingSet } from '../src/pipeline/runtime/bounds.js';
import type { Chunk, LayerChunk } from '../src/pipeline/runtime/chunk.js';
import type { Executor } from '../src/pipeline/runtime/executor.js';
import type { Manifest } from '../src/pipeline/runtime/manifest.js';
import type { RunSummary } from '../src/pipeline/runtime/events.js';
import { tempDir } from './helpers/cli.js';

function layer(id: string, n: number, m: number): LayerChunk {
  return { kind: 'layer', id, n, m, semantics: 'definition', vanilla: false, hash: id.padEnd(64, '0'), source: { data: new Float64Array(0) } };
}

/** Records how many chunks, and how many large layer chunks, run at once; computes nothing. */
class CountingExecutor implements Executor {
  readonly concurrency = 2;
  readonly description = 'counting';
  running = 0;
  runningLarge = 0;
  maxLarge = 0;
  maxRunning = 0;
  constructor(readonly sharesMemory: boolean) {}
  async run(chunk: Chunk): Promise<Float64Array> {
    const large = isLargeLayer(chunk);
    this.running++;
    if (large) this.runningLarge++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.maxLarge = Math.max(this.maxLarge, this.runningLarge);
    await new Promise((r) => setTimeout(r, large ? 40 : 5));
    this.running--;
    if (large) this.runningLarge--;
    return new Float64Array(chunk.n).fill(1);
  }
  async close(): Promise<void> {}
}

async function runAll(chunks: Chunk[], ex: Executor): Promise<RunSummary> {
  const dir = tempDir('ergo-schedmem-');
  mkdirSync(join(dir, 'chunks'));
  const manifest = { chunks: chunks.map((c) => ({ id: c.id, file: `chunks/${c.id}.arrow`, identity: {}, state: 'pending', attempts: 0 })) } as unknown as Manifest;
  const summary: RunSummary = { outDir: dir, total: chunks.length, computed: 0, resumed: 0, reused: 0, cached: 0, computedIds: new Set(), recomputed: [], failed: [], interrupted: false, manifest };
  await schedule(dir, 0, chunks, summary, { executor: ex, recordManifest: false });
  return summary;
}

// VGG-11's two big classifier layers (large) and a conv layer (small), as planned.
const big1 = layer('big1', 4096, 25088), big2 = layer('big2', 4096, 4096), small = layer('small', 512, 4608);

test('large layer chunks: the threshold against the working set of bounds.ts', () => {
  assert.ok(chunkWorkingSet(big2) >= LARGE_LAYER_BYTES && isLargeLayer(big2));
  assert.ok(chunkWorkingSet(small) < LARGE_LAYER_BYTES && !isLargeLayer(small));
});

test('two large layers never run at once on a shared-memory executor; small ones run beside them', async () => {
  const ex = new CountingExecutor(true);
  const chunks = [big1, big2, layer('big3', 4096, 8192), small, layer('small2', 256, 256), layer('small3', 128, 512)];
  const s = await runAll(chunks, ex);
  assert.equal(s.computed, chunks.length);
  assert.equal(ex.maxLarge, 1);
  // Without the rule the same run puts two large layers in flight (the test can fail).
  const free = new CountingExecutor(false);
  await runAll(chunks, free);
  assert.equal(free.maxLarge, 2);
});

test('a small chunk runs while a large one waits for the running large one', async () => {
  const ex = new CountingExecutor(true);
  await runAll([big1, small, big2, layer('small4', 64, 64)], ex);
  assert.equal(ex.maxLarge, 1);
  assert.equal(ex.maxRunning, 2);
});
