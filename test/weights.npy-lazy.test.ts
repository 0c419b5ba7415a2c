// The .npy and directory-of-.npy readers open a file by its header and read the payload on
// load(), streamed into float64 (src/weights/npy.ts readNpyPayload, src/weights/npyfiles.ts).
// Checks: streamed values equal the whole-file decoder's across several read steps (8 MB each),
// for float32 and float64; a file changed or cut after open fails on load with a WeightsError
// naming the file and tensor; a bad file still fails at open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openNpyDir, openNpy } from '../src/weights/npyfiles.js';
import { readNpy } from '../src/weights/npy.js';
import { WeightsError } from '../src/weights/errors.js';
import { tempDir } from './helpers/cli.js';

/** A version 1.0 .npy file of `descr` (C order) with the header padded to 64 bytes, as numpy writes it. */
function npyBytes(descr: '<f4' | '<f8', shape: number[], values: Float32Array | Float64Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + values.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), 10 + header.length);
  return out;
}

/** Deterministic values with every float32 bit pattern class that matters (signs, small, large). */
function values(count: number): Float64Array {
  const v = new Float64Array(count);
  for (let i = 0; i < count; i++) v[i] = Math.sin(i * 0.7311) * 10 ** ((i % 9) - 4);
  return v;
}

test('streamed float32 and float64 payloads equal the whole-file decode (3 read steps)', async () => {
  const dir = tempDir('ergo-npylazy-');
  const n = 1536, m = 2048; // float32: 12 MiB, float64: 24 MiB (steps of 8 MiB)
  const v = values(n * m);
  writeFileSync(join(dir, 'a.npy'), npyBytes('<f4', [n, m], Float32Array.from(v)));
  writeFileSync(join(dir, 'b.npy'), npyBytes('<f8', [n, m], v));
  const src = await openNpyDir(dir);
  assert.deepEqual(src.tensors.map((t) => [t.name, t.shape, t.dtype]), [['a', [n, m], '<f4'], ['b', [n, m], '<f8']]);
  for (const [k, f] of ['a.npy', 'b.npy'].entries()) {
    const streamed = await src.tensors[k]!.load();
    const whole = readNpy(readFileSync(join(dir, f)), f).data;
    assert.equal(streamed.length, n * m);
    assert.ok(Buffer.from(streamed.buffer).equals(Buffer.from(whole.buffer)), `${f}: streamed bytes differ`);
  }
  const single = await openNpy(join(dir, 'a.npy'));
  assert.ok(Buffer.from((await single.tensors[0]!.load()).buffer).equals(Buffer.from((await src.tensors[0]!.load()).buffer)));
});

test('a file cut or rewritten after open fails on load, naming file and tensor', async () => {
  const dir = tempDir('ergo-npylazy-');
  const file = join(dir, 'w.npy');
  writeFileSync(file, npyBytes('<f4', [4, 8], Float32Array.from(values(32))));
  const src = await openNpyDir(dir);
  truncateSync(file, 200); // header 128 bytes, payload 128: cut in the payload
  await assert.rejects(src.tensors[0]!.load(), (e: unknown) => e instanceof WeightsError && /w\.npy/.test(e.message) && /\[tensor 'w'\]/.test(e.message) && /truncated/.test(e.message));
  writeFileSync(file, npyBytes('<f4', [8, 4], Float32Array.from(values(32))));
  await assert.rejects(src.tensors[0]!.load(), (e: unknown) => e instanceof WeightsError && /changed since it was opened/.test(e.message));
});

test('a truncated file in a directory still fails at open', async () => {
  const dir = tempDir('ergo-npylazy-');
  const bytes = npyBytes('<f8', [4, 4], values(16));
  writeFileSync(join(dir, 'x.npy'), bytes.subarray(0, bytes.length - 8));
  await assert.rejects(openNpyDir(dir), (e: unknown) => e instanceof WeightsError && /x\.npy/.test(e.message) && /truncated data/.test(e.message));
});
