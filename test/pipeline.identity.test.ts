// The restructured pipeline computes the same eigenvalues as before it: the sha256 of every
// ensemble chunk's values and matrix columns, read back from the Arrow files of a run, in
// plan order, is pinned. Pinned regression: the digests were computed on commit 5dfdc3f
// (before the pipeline was split into config/runtime/experiments/report) by hashing, per
// chunk of planRun(config), the chunk id, then the float64 bytes of `values` and the int32
// bytes of `matrix` (tasks.ts computeChunkValues + withMatrixIndex), with the WebAssembly
// kernels and with ERGO_NO_WASM=1 alike. The full 2017 sweep (sizes up to 1024) gave
// ef0fa0df6f73d865906b856226ebe22a4f3aec9aeb918e8a9238b2f414e9fb5e the same way; it takes
// ~10 s, so the test pins a reduced form of it (sizes 64..256, 20 matrices).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '../src/pipeline/config/index.js';
import type { RunConfig } from '../src/pipeline/config/types.js';
import { runExperiment } from '../src/pipeline/experiments/index.js';
import { openDataset, readChunk } from '../src/pipeline/runtime/dataset.js';
import { InlineExecutor } from '../src/pipeline/runtime/executor.js';
import { repoRoot, tempDir } from './helpers/cli.js';

async function chunkDigest(cfg: RunConfig): Promise<string> {
  const out = tempDir('ergo-identity-');
  const r = await runExperiment(cfg, { outDir: out, executor: new InlineExecutor(), htmlReport: false, plots: false });
  assert.equal(r.summary.failed.length, 0);
  const ds = openDataset(out);
  const h = createHash('sha256');
  for (const rec of ds.manifest.chunks) {
    const c = readChunk(ds, rec);
    h.update(rec.id);
    h.update(new Uint8Array(c.values.buffer, c.values.byteOffset, c.values.byteLength));
    h.update(new Uint8Array(c.matrix.buffer, c.matrix.byteOffset, c.matrix.byteLength));
  }
  return h.digest('hex');
}

test('config/quickstart.yaml: chunk values and matrix columns are byte-identical to before the restructuring', async () => {
  const cfg = loadConfig(join(repoRoot, 'config', 'quickstart.yaml'));
  assert.equal(await chunkDigest(cfg), 'b3073dc42433b05685204a0a9175b99a4c64c9c57f5c0b36e6099405dfed31e1');
});

test('the 2017 sweep (sizes 64, 128, 256; 20 matrices): chunk data byte-identical to before the restructuring', async () => {
  const cfg = loadConfig(join(repoRoot, 'config', 'spectral-ergodicity-2017.yaml'));
  assert.equal(cfg.experiment, 'spectral-ergodicity');
  if (cfg.experiment !== 'spectral-ergodicity') return;
  const reduced = { ...cfg, sizes: [64, 128, 256], matrices: 20, plot: { ...cfg.plot, eigenphaseSize: 128 } };
  assert.equal(await chunkDigest(reduced), 'ec60278d4dc9b9727642c24936092133a3fd54c7c1fab770257678381f8dbf21');
});
