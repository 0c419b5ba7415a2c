// Corrupt and truncated Keras (.h5, .keras) and GGUF files: every seeded mutant of each fixture
// is either read (all its layers load) or refused with a WeightsError naming the file; never
// another exception, never a hang (each test has a time limit). ERGO_FUZZ_MUTANTS raises the
// number of mutants per fixture (default 200).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWeights, layerMatrices, WeightsError } from '../src/weights/index.js';
import { mutants } from './helpers/mutate-keras-gguf.js';

const fromSource = import.meta.url.endsWith('.ts');
const FIX = fileURLToPath(new URL(fromSource ? './fixtures/weights/' : '../../test/fixtures/weights/', import.meta.url));
const COUNT = Number(process.env.ERGO_FUZZ_MUTANTS ?? 200);

const FIXTURES = ['keras2-model.h5', 'keras2-weights.h5', 'keras3-model.keras', 'gguf-q4_k.gguf', 'gguf-q6_k.gguf', 'gguf-q8_0.gguf', 'gguf-f16.gguf'];

for (const fixture of FIXTURES) {
  test(`mutated ${fixture}: read or one WeightsError naming the file, ${COUNT} mutants`, { timeout: 300_000 }, async () => {
    const original = new Uint8Array(readFileSync(join(FIX, fixture)));
    const dir = mkdtempSync(join(tmpdir(), 'ergo-fuzz-'));
    const ext = fixture.slice(fixture.lastIndexOf('.'));
    const tally = { read: 0, refused: 0 };
    // the .keras reader extracts model.weights.h5 into a temporary folder: none may be left behind
    const privateTmp = mkdtempSync(join(tmpdir(), 'ergo-fuzz-tmp-'));
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    try {
      for (const m of mutants(original, COUNT, `fuzz:${fixture}`)) {
        const p = join(dir, `mutant-${m.index}${ext}`);
        writeFileSync(p, m.bytes);
        try {
          const layers = layerMatrices(await openWeights(p));
          for (const l of layers) await l.load();
          tally.read++;
        } catch (e) {
          if (!(e instanceof WeightsError)) {
            assert.fail(`mutant ${m.index} (${m.kind}) of ${fixture}: ${(e as Error)?.name}: ${(e as Error)?.message}`);
          }
          assert.ok(e.message.includes(p), `mutant ${m.index} (${m.kind}): the message names the file: ${e.message}`);
          assert.ok(!e.message.includes('\n'), `mutant ${m.index} (${m.kind}): one line: ${e.message}`);
          tally.refused++;
        }
        rmSync(p, { force: true });
      }
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
      rmSync(dir, { recursive: true, force: true });
    }
    const left = readdirSync(privateTmp);
    rmSync(privateTmp, { recursive: true, force: true });
    assert.deepEqual(left, [], 'no temporary files left behind');
    assert.equal(tally.read + tally.refused, COUNT);
    assert.ok(tally.refused > 0, 'some mutants must be refused (otherwise the test proves nothing)');
  });
}
