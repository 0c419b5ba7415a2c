// Helper thread of ./gramsplit.ts: computes the second column half's Gram product into
// shared memory and wakes the caller. Never throws: a failure is reported in the status word.
import { parentPort, workerData } from 'node:worker_threads';
import { gramTS } from './gram.js';
import { releaseWasmKernels, wasmKernels } from './wasm/index.js';

interface Job { input: Float64Array; output: Float64Array; status: Int32Array; n: number; w: number; kernel: 'wasm' | 'ts' }

const RELEASE_BYTES = 256 * 1024 * 1024;
const ready = workerData as Int32Array;
Atomics.store(ready, 0, 1);
Atomics.notify(ready, 0);

parentPort!.on('message', (job: Job) => {
  let code = 2;
  try {
    const k = job.kernel === 'wasm' ? wasmKernels() : null;
    if (job.kernel === 'wasm' && !k) throw new Error('no WebAssembly kernels in the helper');
    job.output.set(k ? k.gram(job.input, job.n, job.w) : gramTS(job.input, job.n, job.w));
    if (k && k.memoryBytes() > RELEASE_BYTES) releaseWasmKernels(); // do not keep a big linear memory alive between layers
    code = 1;
  } finally {
    Atomics.store(job.status, 0, code);
    Atomics.notify(job.status, 0);
  }
});
