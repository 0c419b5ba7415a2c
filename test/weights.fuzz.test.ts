// Seeded mutation fuzzer for every weights reader (targets: test/helpers/fuzztargets.ts, helpers:
// test/helpers/mutate.ts). Each mutant (byte flips, truncations, boundary integers, chunk edits,
// format-aware header edits, path games) is written to disk and opened, and every tensor and
// layer loaded, in a worker thread. The only acceptable outcomes are a successful read or a
// one-line WeightsError; another exception, a hang (no answer within the time limit: the worker
// is terminated), or the death of the worker (e.g. out of memory) fails the test, and so does a
// path game whose hostile reference was followed. CI runs ERGO_FUZZ_MUTANTS (default 250) mutants
// per format; ERGO_FUZZ_SEED changes the seed (default 1). Counts per format are printed as test
// diagnostics.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUZZ_TARGETS } from './helpers/mutate.js';
import './helpers/fuzztargets.js';
import type { MutantResult } from './helpers/fuzzworker.js';

const MUTANTS = Number(process.env.ERGO_FUZZ_MUTANTS ?? 250);
const SEED = Number(process.env.ERGO_FUZZ_SEED ?? 1);
/** Per mutant: generous, since the machine may be busy; a real hang never answers. */
const LIMIT_MS = Number(process.env.ERGO_FUZZ_LIMIT_MS ?? 15_000);
const WORKER = new URL('./helpers/fuzzworker.js', import.meta.url);

const root = mkdtempSync(join(tmpdir(), 'ergo-fuzz-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface Counts {
  read: number;
  refused: number;
  failures: string[];
}

/** Run mutants [from, to) of one target in a worker; restart after a hang or a death. */
function runRange(target: string, from: number, to: number, dir: string, counts: Counts): Promise<void> {
  return new Promise((resolve) => {
    let current = from;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const worker = new Worker(WORKER, {
      workerData: { target, from, to, seed: SEED, root: dir },
      resourceLimits: { maxOldGenerationSizeMb: 512 },
      stdout: true,
      stderr: true,
    });
    const finish = (next?: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (next !== undefined && next < to) resolve(runRange(target, next, to, dir, counts));
      else resolve();
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        counts.failures.push(`${target} #${current}: no answer within ${LIMIT_MS} ms (hang); seed ${SEED}`);
        void worker.terminate();
        finish(current + 1);
      }, LIMIT_MS);
    };
    arm();
    worker.on('message', (m: { start: number } | MutantResult) => {
      if ('start' in m) {
        current = m.start;
        arm();
        return;
      }
      if (m.outcome === 'read') counts.read++;
      else if (m.outcome === 'refused') counts.refused++;
      else counts.failures.push(`${target} #${m.done} (${m.op}): ${m.detail}; seed ${SEED}`);
    });
    worker.on('error', (e) => {
      counts.failures.push(`${target} #${current}: the worker died: ${e.message}; seed ${SEED}`);
      finish(current + 1);
    });
    worker.on('exit', (code) => {
      if (!settled && code !== 0) counts.failures.push(`${target} #${current}: the worker exited with code ${code}; seed ${SEED}`);
      finish();
    });
  });
}

test(`every reader refuses or reads ${MUTANTS} mutants per format cleanly (seed ${SEED})`, async (t) => {
  assert.ok(FUZZ_TARGETS.length >= 8, 'all current readers are registered');
  const all: string[] = [];
  const shallow: string[] = [];
  let total = 0;
  for (const target of FUZZ_TARGETS) {
    const counts: Counts = { read: 0, refused: 0, failures: [] };
    const started = Date.now();
    await runRange(target.name, 0, MUTANTS, join(root, target.name), counts);
    const n = counts.read + counts.refused + counts.failures.length;
    total += n;
    t.diagnostic(`${target.name}: ${n} mutants, ${counts.read} read, ${counts.refused} refused (WeightsError), ${counts.failures.length} failures, ${Date.now() - started} ms`);
    all.push(...counts.failures);
    // the mutations must reach past the first check: some mutants read, most are refused
    if (MUTANTS >= 50 && (counts.refused === 0 || counts.read === 0)) shallow.push(`${target.name} (${counts.read} read, ${counts.refused} refused)`);
  }
  assert.deepEqual(all.slice(0, 20), [], `${all.length} mutant(s) ended in something other than a read or a WeightsError`);
  assert.equal(total, MUTANTS * FUZZ_TARGETS.length, 'every mutant gave an outcome');
  assert.deepEqual(shallow, [], 'every format has mutants that read and mutants that are refused');
});
