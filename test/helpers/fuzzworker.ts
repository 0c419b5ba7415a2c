// Worker thread of the weights fuzzer: builds mutants of one target (deterministically from
// the seed and the mutant index), writes each to disk, opens it with the reader and loads every
// tensor and layer. It posts {start: i} before and {done: i, ...} after each mutant, so the
// parent can tell which mutant hung or killed the thread.
import { parentPort, workerData } from 'node:worker_threads';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openWeights, layerMatrices, WeightsError, type WeightsFormat } from '../../src/weights/index.js';
import { encodeFloats } from './weightfiles.js';
import {
  BYTE_MUTATIONS, FUZZ_TARGETS, HOSTILE_LINKS, OUTSIDE_FILE, below, editJsonFile, hostileRefs, mutantSeed, pick, rng, writeFixture,
  type Fixture, type FuzzTarget,
} from './mutate.js';
import './fuzztargets.js';

export interface MutantResult {
  done: number;
  outcome: 'read' | 'refused' | 'bad';
  op: string;
  detail?: string;
}

interface Job {
  target: string;
  from: number;
  to: number;
  seed: number;
  root: string;
}

/** Mutant `i` of target `t`: the fixture, what was done, and whether it must be refused. */
export function makeMutant(t: FuzzTarget, seed: number, i: number, outsideAbs: string): { fx: Fixture; op: string; mustRefuse: boolean } {
  const r = rng(mutantSeed(seed, t.name, i));
  if (t.refers && r() < 0.15) {
    const ref = pick(r, hostileRefs(outsideAbs));
    const fx = t.build(ref);
    return { fx: { ...fx, files: { ...HOSTILE_LINKS, ...fx.files } }, op: `path ${JSON.stringify(ref)}`, mustRefuse: true };
  }
  let fx = t.build();
  const ops: string[] = [];
  const rounds = r() < 0.2 ? 2 : 1;
  for (let k = 0; k < rounds; k++) {
    const edits = [...(t.edits ?? []), editJsonFile];
    if (r() < 0.4) {
      const e = below(r, edits.length);
      fx = edits[e]!(fx, r);
      ops.push(e === edits.length - 1 ? 'json-edit' : `edit${e}`);
    } else {
      const names = Object.keys(fx.files).filter((n) => fx.files[n] instanceof Uint8Array && (fx.files[n] as Uint8Array).length > 0);
      const name = names.includes(fx.entry) && r() < 0.6 ? fx.entry : pick(r, names);
      const m = pick(r, BYTE_MUTATIONS);
      fx = { ...fx, files: { ...fx.files, [name]: m.fn(fx.files[name] as Uint8Array, r) } };
      ops.push(`${m.name}(${name})`);
    }
  }
  return { fx, op: ops.join('+'), mustRefuse: false };
}

async function attempt(path: string, format: string | undefined): Promise<number> {
  const source = await openWeights(path, format ? { format: format as WeightsFormat } : {});
  let values = 0;
  for (const t of source.tensors) values += (await t.load()).length;
  for (const l of layerMatrices(source)) values += (await l.load()).length;
  return values;
}

async function main(job: Job): Promise<void> {
  const t = FUZZ_TARGETS.find((x) => x.name === job.target);
  if (!t) throw new Error(`no fuzz target '${job.target}'`);
  const outside = join(job.root, OUTSIDE_FILE);
  const modelDir = join(job.root, 'model');
  for (let i = job.from; i < job.to; i++) {
    parentPort!.postMessage({ start: i });
    const { fx, op, mustRefuse } = makeMutant(t, job.seed, i, outside);
    writeFixture(modelDir, fx);
    // The file outside holds what the reference should hold, so following it would succeed.
    mkdirSync(dirname(outside), { recursive: true });
    writeFileSync(outside, fx.refBytes ?? encodeFloats(new Float64Array(64).fill(1234), 'f32'));
    const r = rng(mutantSeed(job.seed, `${t.name}/format`, i));
    const format = t.format && r() < 0.75 ? t.format : undefined;
    let res: MutantResult;
    try {
      await attempt(join(modelDir, fx.entry), format);
      res = mustRefuse ? { done: i, outcome: 'bad', op, detail: 'a hostile reference was followed (read succeeded)' } : { done: i, outcome: 'read', op };
    } catch (e) {
      if (e instanceof WeightsError && !e.message.includes('\n') && e.file !== '') res = { done: i, outcome: 'refused', op };
      else res = { done: i, outcome: 'bad', op, detail: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    parentPort!.postMessage(res);
  }
}

await main(workerData as Job);
