// Child process of `npm run bench`: runs one case (JSON in argv[2]) and prints
// RESULT_MARKER + JSON on stdout. Only the measured call is inside the clock;
// inputs are generated (and, for the pool, copied) outside it. Warm-up calls
// run first on smaller problems and are not timed.
import { performance } from 'node:perf_hooks';
import { createStream, type RandomStream } from '../src/rng/index.js';
import { symmetricEigenvalues, gram, tridiagonalEigenvalues, withBackend } from '../src/linalg/index.js';
import { nativeKernels, nativeUnavailableReason } from '../src/linalg/native.js';
import { gramTS } from '../src/linalg/gram.js';
import { wasmKernels, wasmUnavailableReason } from '../src/linalg/wasm/index.js';
import { RESULT_MARKER, type ChildResult, type ErgoCase, type Impl } from './bench-cases.js';

function randomSymmetric(n: number, stream: RandomStream): Float64Array {
  const a = stream.fillNormal(new Float64Array(n * n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (a[i * n + j]! + a[j * n + i]!);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

function kernels(impl: Impl): {
  eig: (a: Float64Array, n: number) => Float64Array;
  gram: (a: Float64Array, n: number, m: number) => Float64Array;
  note: string;
} {
  if (impl === 'ts') {
    // The TS kernels from src/linalg; the driver sets ERGO_BACKEND=ts and ERGO_NO_WASM=1 so any dispatch inside stays on TS.
    return { eig: symmetricEigenvalues, gram: gramTS, note: 'TS kernels (ERGO_BACKEND=ts; gramTS: one thread)' };
  }
  if (impl === 'native') {
    // The addon's kernels; the driver fixes the BLAS thread count with ERGO_BLAS_THREADS.
    const nk = nativeKernels();
    if (!nk) throw new Error(`native backend unavailable: ${nativeUnavailableReason()}`);
    return { eig: (a, n) => nk.symmetricEigenvalues(a, n), gram: (a, n, m) => nk.gram(a, n, m), note: `native ${nk.library}, ERGO_BLAS_THREADS=${process.env['ERGO_BLAS_THREADS'] ?? '?'}` };
  }
  const k = wasmKernels(); // instantiates and warms up (outside the clock)
  if (!k) throw new Error(`WebAssembly kernels unavailable: ${wasmUnavailableReason()}`);
  return {
    eig: (a, n) => {
      const t = k.symmetricTridiagonalize(a, n);
      return tridiagonalEigenvalues(t.d, t.e);
    },
    gram: impl === 'wasm-split' ? (a, n, m) => withBackend('wasm', () => gram(a, n, m)) : (a, n, m) => k.gram(a, n, m),
    note: impl === 'wasm-split' ? 'gram() on the wasm backend (two threads above the split size)' : 'WASM SIMD kernels (wasmKernels())',
  };
}

async function timeIt(reps: number, fn: () => unknown | Promise<unknown>, before?: () => void): Promise<number[]> {
  const out: number[] = [];
  for (let r = 0; r < reps; r++) {
    before?.();
    const t0 = performance.now();
    await fn();
    out.push((performance.now() - t0) / 1000);
  }
  return out;
}

async function loadEnsembles(): Promise<typeof import('../src/ensembles/index.js')> {
  return import('../src/ensembles/index.js');
}

async function run(c: ErgoCase): Promise<{ times: number[]; note?: string }> {
  const stream = createStream(`bench-${c.kind}`);
  switch (c.kind) {
    case 'symeig': {
      const k = kernels(c.impl);
      const wn = Math.min(c.n, 512);
      const w = randomSymmetric(wn, stream);
      for (let i = 0; i < c.warm; i++) k.eig(w, wn);
      const a = randomSymmetric(c.n, stream);
      return { times: await timeIt(c.reps, () => k.eig(a, c.n)), note: k.note };
    }
    case 'gram': {
      const k = kernels(c.impl);
      const wn = Math.min(c.n, 256), wm = Math.min(c.m, 1024);
      const w = stream.fillNormal(new Float64Array(wn * wm));
      for (let i = 0; i < c.warm; i++) k.gram(w, wn, wm);
      const a = stream.fillNormal(new Float64Array(c.n * c.m));
      return { times: await timeIt(c.reps, () => k.gram(a, c.n, c.m)), note: k.note };
    }
    case 'haar': {
      const { sampleEigenphases } = await loadEnsembles();
      for (let i = 0; i < c.warm; i++) sampleEigenphases('CUE', 'qr', Math.min(c.n, 128), 2, stream);
      return { times: await timeIt(c.reps, () => sampleEigenphases('CUE', 'qr', c.n, c.count, stream)) };
    }
    case 'spectral': {
      const { sampleEigenphases } = await loadEnsembles();
      for (let i = 0; i < c.warm; i++) sampleEigenphases('CUE', 'spectral', Math.min(c.n, 1024), 2, stream);
      if (c.budget === undefined) {
        return { times: await timeIt(c.reps, () => sampleEigenphases('CUE', 'spectral', c.n, c.count, stream)) };
      }
      // Matrices are independent and cost the same on average: time k <= count of them, scale to count.
      const t0 = performance.now();
      let k = 0, elapsed = 0;
      while (k < c.count && elapsed <= c.budget) {
        sampleEigenphases('CUE', 'spectral', c.n, 1, stream);
        k++;
        elapsed = (performance.now() - t0) / 1000;
      }
      return {
        times: [(elapsed * c.count) / k],
        note: k < c.count ? `${k} of ${c.count} matrices timed (${elapsed.toFixed(1)} s budget reached), scaled x${(c.count / k).toFixed(1)}` : `all ${c.count} matrices timed`,
      };
    }
    case 'throughput':
    case 'vgg': {
      const { PoolExecutor } = await import('../src/pipeline/runtime/executor.js');
      const workers = c.kind === 'throughput' ? c.workers : 1;
      const ex = new PoolExecutor(workers);
      const n = c.n, m = c.kind === 'throughput' ? c.n : c.m;
      const problems = c.kind === 'throughput' ? c.problems : 1;
      const layer = (data: Float64Array, rows: number, cols: number, id: string) =>
        ({ kind: 'layer' as const, id, n: rows, m: cols, semantics: 'definition' as const, vanilla: false, hash: '', source: { data } });
      try {
        // Warm-up: start every worker and let its kernels tier up (small layers, untimed).
        for (let i = 0; i < c.warm; i++) {
          await Promise.all(
            Array.from({ length: 2 * workers }, (_, j) =>
              ex.run(layer(stream.fillNormal(new Float64Array(256 * 256)), 256, 256, `warm${j}`)),
            ),
          );
        }
        if (c.kind === 'vgg') {
          // As `ergo cpse` does it: the chunk names a layer of a file (here one float64 .npy) and
          // the worker loads it, checks its hash and computes; the main thread never holds it.
          const { closeSync, mkdtempSync, openSync, rmSync, writeSync } = await import('node:fs');
          const { tmpdir } = await import('node:os');
          const { join } = await import('node:path');
          const { layerHash } = await import('../src/pipeline/runtime/cache.js');
          const { openLayers } = await import('../src/pipeline/runtime/layersource.js');
          const { collectGarbage } = await import('../src/pipeline/runtime/gc.js');
          const dir = mkdtempSync(join(tmpdir(), 'ergo-bench-vgg-'));
          try {
            const path = join(dir, 'classifier.0.weight.npy');
            let a: Float64Array | null = stream.fillNormal(new Float64Array(n * m), 1 / Math.sqrt(m));
            const hash = layerHash(a, n, m);
            const fd = openSync(path, 'w');
            writeSync(fd, npyF64Header(n, m));
            writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
            closeSync(fd);
            a = null;
            collectGarbage(n * m);
            const spec = { path, format: 'npy' };
            const name = (await openLayers(spec)).layers[0]!.name;
            const chunk = { kind: 'layer' as const, id: 'vgg', n, m, semantics: 'definition' as const, vanilla: false, hash, source: { spec, position: 0, name } };
            const times = await timeIt(c.reps, () => ex.run(chunk));
            return { times, note: 'PoolExecutor(1), layer chunk loaded from a float64 .npy file by the worker' };
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        }
        const mats = Array.from({ length: problems }, () => stream.fillNormal(new Float64Array(n * m), 1));
        // Each repetition gets fresh copies, made outside the clock, as a worker receives its own
        // copy of an in-memory layer.
        let batch: Float64Array[] = [];
        const times = await timeIt(
          c.reps,
          () => Promise.all(batch.map((d, j) => ex.run(layer(d, n, m, `p${j}`)))),
          () => {
            batch = mats.map((d) => d.slice());
          },
        );
        return { times, note: `PoolExecutor(${workers}), layer chunks` };
      } finally {
        await ex.close();
      }
    }
  }
}

async function main(): Promise<void> {
  const c = JSON.parse(process.argv[2] ?? '{}') as ErgoCase;
  let res: ChildResult;
  try {
    const r = await run(c);
    res = { times: r.times, maxRssKB: process.resourceUsage().maxRSS, ...(r.note ? { note: r.note } : {}) };
  } catch (err) {
    res = { error: err instanceof Error ? err.message : String(err), maxRssKB: process.resourceUsage().maxRSS };
  }
  process.stdout.write(RESULT_MARKER + JSON.stringify(res) + '\n');
}

await main();

/** The header of a little-endian float64 .npy file of an n x m C-order matrix (the data follows). */
function npyF64Header(n: number, m: number): Uint8Array {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${n}, ${m}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  return out;
}
