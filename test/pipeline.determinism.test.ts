// Eigenvalue files must be byte-identical for 1 or 2 workers and whatever order chunks finish in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../src/pipeline/config/index.js';
import type { Chunk } from '../src/pipeline/runtime/chunk.js';
import { InlineExecutor, PoolExecutor, type Executor } from '../src/pipeline/runtime/executor.js';
import { planRun, sweep } from './helpers/sweep.js';
import { tempDir } from './helpers/cli.js';

const yaml = `
name: det
seed: 99
ensembles:
  - { ensemble: CUE, method: qr }
  - { ensemble: COE, method: spectral }
  - { ensemble: CSE, method: spectral }
sizes: [8, 12]
matrices: 9
chunk: 2
`;

/** Runs chunks inline but completes them in a scrambled order (later chunks first). */
class ScrambledExecutor implements Executor {
  readonly concurrency = 4;
  readonly description = 'scrambled';
  private inner = new InlineExecutor();
  private n = 0;
  async run(chunk: Chunk): Promise<Float64Array> {
    const delay = [30, 5, 20, 0][this.n++ % 4]!;
    await new Promise((r) => setTimeout(r, delay));
    return this.inner.run(chunk);
  }
  async close(): Promise<void> {}
}

function chunkBytes(dir: string): Map<string, Buffer> {
  const d = join(dir, 'chunks');
  return new Map(readdirSync(d).sort().map((f) => [f, readFileSync(join(d, f))]));
}

test('chunk files are byte-identical for inline, 2 workers and scrambled completion order', async () => {
  const cfg = parseConfig(yaml, 'det.yaml');
  const plan = planRun(cfg);
  assert.equal(plan.chunks.length, 3 * 2 * 5);
  const dirs: string[] = [];
  const executors: Executor[] = [new InlineExecutor(), new PoolExecutor(2), new ScrambledExecutor()];
  for (const ex of executors) {
    const dir = tempDir();
    const order: string[] = [];
    try {
      const s = await sweep(cfg, { outDir: dir, executor: ex, onEvent: (e) => e.type === 'chunk' && order.push(e.id) });
      assert.equal(s.computed, plan.chunks.length);
      assert.equal(s.failed.length, 0);
    } finally {
      await ex.close();
    }
    dirs.push(dir);
    if (ex instanceof ScrambledExecutor) assert.notDeepEqual(order, plan.chunks.map((c) => c.id), 'completion order was not scrambled');
  }
  const [a, b, c] = dirs.map(chunkBytes);
  assert.equal(a!.size, plan.chunks.length);
  for (const [name, bytes] of a!) {
    assert.ok(bytes.equals(b!.get(name)!), `${name} differs between inline and 2 workers`);
    assert.ok(bytes.equals(c!.get(name)!), `${name} differs between inline and scrambled order`);
  }
  assert.ok(!existsSync(join(dirs[0]!, 'run.lock')), 'lock released');
});

test('explicit seed list: one seed per chunk, same seeds give same files, different seeds differ', async () => {
  const base = `name: s\nensembles: [CUE]\nmethod: spectral\nsizes: [6]\nmatrices: 4\nchunk: 2\n`;
  const cfg1 = parseConfig(base + 'seeds: [11, 12]\n', 's.yaml');
  const cfg2 = parseConfig(base + 'seeds: [11, 13]\n', 's.yaml');
  assert.throws(() => planRun(parseConfig(base + 'seeds: [11]\n', 's.yaml')), /1 entries but the plan has 2 chunks/);
  const run = async (cfg: typeof cfg1) => {
    const dir = tempDir();
    await sweep(cfg, { outDir: dir, executor: new InlineExecutor() });
    return chunkBytes(dir);
  };
  const r1 = await run(cfg1), r1b = await run(cfg1), r2 = await run(cfg2);
  const names = [...r1.keys()];
  assert.ok(r1.get(names[0]!)!.equals(r1b.get(names[0]!)!));
  assert.ok(r1.get(names[0]!)!.equals(r2.get(names[0]!)!), 'first chunk has the same seed in both');
  assert.ok(!r1.get(names[1]!)!.equals(r2.get(names[1]!)!), 'second chunk seed differs');
});
