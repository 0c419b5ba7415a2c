// Corrupt and truncated PyTorch checkpoints and Hugging Face folders: seeded mutants of the
// fixtures (test/helpers/mutate-torch.ts: byte/bit flips, truncations, ZIP field and pickle
// opcode edits, JSON edits of indexes). Every mutant must either read (open + load every layer)
// or fail with a WeightsError: one line, starting with the mutated file (or folder), naming the
// tensor when the failure is in a tensor's load(); never another exception, never a hang (each
// mutant has a time limit). ERGO_FUZZ_MUTANTS sets the mutants per fixture (default 100);
// ERGO_FUZZ_SEED changes the seed.
//
// Why 100 (it was 200): seven parser bugs were planted one at a time (pickle.ts: the bounds check
// in need() dropped, the stack-underflow check dropped, the memo-key check dropped; pytorch.ts:
// the view-reaches-past-storage check, the storage-member size check, the storage-offset check
// dropped; zipmembers.ts: the member-runs-past-the-end check dropped). At 200 mutants only the
// first was caught, first by mutant 25 of legacy.pth, 58 of views_legacy.pth and 145 of
// whole_module.pt (the others are caught by neither count: the other checks stand behind it);
// at 100 it is still caught (two fixtures fail). Four of the other six (view past the storage,
// short storage member, stack underflow, memo key) fail targeted cases in
// test/weights.pytorch.test.ts instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { openWeights, layerMatrices, WeightsError } from '../src/weights/index.js';
import { FIXTURES, PT_FIXTURES } from './helpers/torchfiles.js';
import { mutate, rngFor } from './helpers/mutate-torch.js';

const MUTANTS = Number(process.env.ERGO_FUZZ_MUTANTS ?? 100);
const SEED = process.env.ERGO_FUZZ_SEED ?? 'ergo-fuzz-pytorch';
const TIME_LIMIT_MS = 10_000;

let dir = '';
before(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'ergo-fuzz-torch-')));
});
after(() => rmSync(dir, { recursive: true, force: true }));

type Outcome = 'read' | 'refused';

/** Open, list and load every layer; classify; throw an AssertionError on a bad outcome. */
async function attempt(path: string, label: string): Promise<Outcome> {
  let loading: string | undefined;
  const run = (async (): Promise<Outcome> => {
    try {
      const layers = layerMatrices(await openWeights(path));
      for (const l of layers) {
        loading = l.name;
        await l.load();
      }
      return 'read';
    } catch (e) {
      assert.ok(e instanceof WeightsError, `${label}: not a WeightsError: ${(e as Error)?.stack ?? String(e)}`);
      assert.ok(!e.message.includes('\n'), `${label}: message spans lines: ${e.message}`);
      assert.ok(e.message.startsWith(path), `${label}: message does not start with the file: ${e.message}`);
      if (loading !== undefined) assert.ok(e.tensor !== undefined, `${label}: load() of '${loading}' failed without naming the tensor: ${e.message}`);
      return 'refused';
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new assert.AssertionError({ message: `${label}: no answer within ${TIME_LIMIT_MS} ms` })), TIME_LIMIT_MS);
  });
  try {
    return await Promise.race([run, limit]);
  } finally {
    clearTimeout(timer);
  }
}

const FILES = ['state_dict.pth', 'legacy.pth', 'whole_module.pt', 'lightning.ckpt', 'views.pth', 'views_legacy.pth', 'dtypes.pth'];

for (const f of FILES) {
  test(`fuzz: ${MUTANTS} mutants of pytorch/${f} read or fail with one clear WeightsError`, async (t) => {
    const pristine = new Uint8Array(readFileSync(join(PT_FIXTURES, f)));
    const target = join(dir, f);
    const counts = { read: 0, refused: 0 };
    for (let i = 0; i < MUTANTS; i++) {
      const r = rngFor(`${SEED}/${f}/${i}`);
      const m = mutate(pristine, r);
      writeFileSync(target, m.bytes);
      counts[await attempt(target, `${f} mutant ${i} (${m.what})`)]++;
    }
    t.diagnostic(`${f}: ${counts.read} read, ${counts.refused} refused`);
    assert.ok(counts.refused > 0, 'mutants that break the file are refused');
  });
}

const FOLDERS: [string, string[]][] = [
  ['hf-safetensors', ['model.safetensors.index.json', 'model-00001-of-00003.safetensors', 'model-00003-of-00003.safetensors']],
  ['hf-bin', ['pytorch_model.bin.index.json', 'pytorch_model-00002-of-00003.bin']],
];

for (const [folder, files] of FOLDERS) {
  test(`fuzz: ${MUTANTS} mutants of the ${folder} folder (index and shards) read or fail with one clear WeightsError`, async (t) => {
    const work = join(dir, folder);
    cpSync(join(FIXTURES, folder), work, { recursive: true });
    const counts = { read: 0, refused: 0 };
    for (let i = 0; i < MUTANTS; i++) {
      const r = rngFor(`${SEED}/${folder}/${i}`);
      const file = files[Math.floor(r() * files.length)]!;
      const pristine = new Uint8Array(readFileSync(join(FIXTURES, folder, file)));
      const m = mutate(pristine, r, file.endsWith('.json'));
      writeFileSync(join(work, file), m.bytes);
      counts[await attempt(work, `${folder}/${basename(file)} mutant ${i} (${m.what})`)]++;
      writeFileSync(join(work, file), pristine);
    }
    t.diagnostic(`${folder}: ${counts.read} read, ${counts.refused} refused`);
    assert.ok(counts.refused > 0, 'mutants that break the folder are refused');
  });
}
