// Bounds before work: a run's size is estimated from its plan before anything is computed or
// written, and a run that cannot fit is refused with one line saying what it needs and what
// was found, instead of running until the machine gives out.
//  - hard limit (no machine): the number of chunks of a plan (config/limits.ts MAX_CHUNKS;
//    the manifest holds one record per chunk and is rewritten while the run goes);
//  - resources (this machine): memory against os.freemem(), disk against fs.statfs of the run
//    directory's file system (chunk files not yet on disk only, so a resume needs less).
// The estimates are generous upper bounds (the factors below), not predictions:
//  - a chunk file holds at most 28 bytes per value (theta, re, im float64, matrix int32) plus
//    ~2 kB of Arrow framing and metadata; the manifest ~0.6 kB per chunk, twice while replaced;
//  - a dense sampler (qr, eigvec, bristol) holds ~128 bytes x order^2 (eight complex order x
//    order float64 matrices; measured ~100 N^2 bytes for CUE qr at N = 1024, bench/RESULTS.md),
//    order = N (CUE, COE) or 2N (CSE); the CMV sampler (spectral) O(N);
//  - a layer spectrum holds A (n x m float64, in the main thread and in a worker) and X = A A^T
//    with the symmetric eigensolver's copies (~5 n x n float64);
//  - aggregation holds every value of the run as float64 at once, after the workers closed,
//    so memory = max(compute, aggregate).
import { freemem, totalmem } from 'node:os';
import { existsSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../../errors.js';
import { MAX_CHUNKS } from '../config/limits.js';
import type { Chunk } from './chunk.js';

const MiB = 1024 ** 2;
const BYTES_PER_VALUE_FILE = 28;
const CHUNK_FILE_OVERHEAD = 2048;
const MANIFEST_BYTES_PER_CHUNK = 600;
const DENSE_BYTES_PER_ENTRY = 128;
const SPECTRAL_BYTES_PER_N = 256;
const PROCESS_BASE = 150 * MiB;
const WORKER_BASE = 40 * MiB;
const RESULTS_BYTES = 16 * MiB;

export class BoundsError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'BoundsError';
  }
}

/** Refuse a sweep of more than MAX_CHUNKS chunks before it is built (planErgodicity calls this). */
export function checkPlanSize(cfg: { ensembles: readonly unknown[]; sizes: readonly number[]; matrices: number; chunk: number }): void {
  const per = Math.ceil(cfg.matrices / cfg.chunk);
  const chunks = cfg.ensembles.length * cfg.sizes.length * per;
  if (chunks > MAX_CHUNKS) {
    throw new BoundsError(
      `the plan has ${chunks} chunks (${cfg.ensembles.length} ensembles x ${cfg.sizes.length} sizes x ${per} chunks of ${cfg.chunk} matrices), ` +
        `more than the limit of ${MAX_CHUNKS}; raise chunk: (matrices per file) or lower matrices:`,
    );
  }
}

/** Values a chunk stores: N per matrix (2N for the bristol recipe's CSE, SPEC 3), n for one spectrum. */
export function chunkValues(c: Chunk): number {
  if (c.kind === 'ensemble') return c.count * (c.ensemble === 'CSE' && c.method === 'bristol' ? 2 * c.n : c.n);
  return c.n;
}

/** Memory of one layer spectrum of an n x m matrix A. */
export function layerWorkingSet(l: { n: number; m: number }): number {
  return 8 * (2 * l.n * l.m + 5 * l.n * l.n);
}

/** Memory one worker needs for one chunk (sampler or eigensolver working set + its output). */
export function chunkWorkingSet(c: Chunk): number {
  const output = 2 * BYTES_PER_VALUE_FILE * chunkValues(c);
  if (c.kind === 'layer') return layerWorkingSet(c) + output;
  const order = c.kind !== 'reference' && c.ensemble === 'CSE' ? 2 * c.n : c.n;
  const dense = DENSE_BYTES_PER_ENTRY * order * order;
  if (c.kind === 'ensemble') return (c.method === 'spectral' ? SPECTRAL_BYTES_PER_N * c.n : dense) + output;
  if (c.kind === 'member') return dense + layerWorkingSet({ n: c.n, m: c.n }) + output;
  return (c.family === 'circular-mixed' ? dense : 0) + layerWorkingSet(c) + output;
}

export interface RunEstimate {
  chunks: number;
  values: number;
  /** Bytes of chunk files, manifest and results still to be written. */
  diskBytes: number;
  /** Peak resident bytes (compute or aggregation, whichever is larger). */
  memoryBytes: number;
  /** The largest term of memoryBytes, for the message. */
  memoryWhy: string;
}

function describeChunk(c: Chunk): string {
  if (c.kind === 'ensemble') return `${c.ensemble} (${c.method}) at N = ${c.n}`;
  if (c.kind === 'member') return `${c.ensemble} member at N = ${c.n}`;
  return `${c.kind} ${c.n} x ${c.m}`;
}

/** Estimate of a run: `workers` chunks at once; `onDisk(c)`: the chunk's file is there already. */
export function estimateRun(chunks: readonly Chunk[], workers: number, onDisk: (c: Chunk) => boolean = () => false): RunEstimate {
  let values = 0;
  let diskBytes = RESULTS_BYTES + 2 * MANIFEST_BYTES_PER_CHUNK * chunks.length;
  let largest = 0;
  let largestChunk: Chunk | undefined;
  for (const c of chunks) {
    const v = chunkValues(c);
    values += v;
    if (!onDisk(c)) diskBytes += CHUNK_FILE_OVERHEAD + BYTES_PER_VALUE_FILE * v;
    const w = chunkWorkingSet(c);
    if (w > largest) (largest = w), (largestChunk = c);
  }
  const inFlight = Math.max(1, Math.min(workers, chunks.length));
  const compute = PROCESS_BASE + inFlight * (WORKER_BASE + largest);
  const aggregate = PROCESS_BASE + 8 * values + largest;
  const memoryWhy =
    compute >= aggregate && largestChunk ? `${inFlight} worker${inFlight > 1 ? 's' : ''} x ${bytes(largest)} for ${describeChunk(largestChunk)}` : `aggregating ${values} values`;
  return { chunks: chunks.length, values, diskBytes, memoryBytes: Math.max(compute, aggregate), memoryWhy };
}

export interface Resources {
  /** Memory available to a new process (os.freemem()), and the machine's total. */
  freeMemory: number;
  totalMemory: number;
  /** Free bytes for unprivileged users on the run directory's file system, and where. */
  freeDisk: number;
  diskPath: string;
}

/** This machine's free memory and the free disk space where `dir` (or its nearest existing parent) lives. */
export function probeResources(dir: string): Resources {
  let d = resolve(dir);
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  const fs = statfsSync(d);
  return { freeMemory: freemem(), totalMemory: totalmem(), freeDisk: fs.bavail * fs.bsize, diskPath: d };
}

/** Human-readable byte count (binary units). */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) (n /= 1024), u++;
  return `${n < 10 && u > 0 ? n.toFixed(1) : Math.round(n)} ${units[u]}`;
}

/** Problems (one phrase each) of an estimate on given resources; empty when it fits. */
export function resourceProblems(e: RunEstimate, r: Resources): string[] {
  const out: string[] = [];
  if (e.memoryBytes > r.freeMemory) {
    out.push(`it needs about ${bytes(e.memoryBytes)} of memory (${e.memoryWhy}) and ${bytes(r.freeMemory)} is available (of ${bytes(r.totalMemory)})`);
  }
  if (e.diskBytes > r.freeDisk) {
    out.push(`it needs about ${bytes(e.diskBytes)} of disk (${e.values} values in ${e.chunks} chunk files) and ${bytes(r.freeDisk)} is free on ${r.diskPath}`);
  }
  return out;
}

/** Refuse a run that does not fit this machine, before it starts (the sweep's first step). */
export function checkRunFits(chunks: readonly Chunk[], workers: number, outDir: string, onDisk: (c: Chunk) => boolean): void {
  const problems = resourceProblems(estimateRun(chunks, workers, onDisk), probeResources(outDir));
  if (problems.length) throw new BoundsError(`the run does not fit this machine: ${problems.join('; ')}; use fewer matrices or smaller sizes (or fewer --workers)`);
}

/**
 * Refuse, before any layer is loaded, a network whose largest layers cannot be computed in the
 * available memory with `workers` in flight (planLayers calls this with 1, the sweep's check
 * covers the worker count).
 */
export function checkLayersFit(network: string, layers: readonly { name: string; n: number; m: number }[], workers: number, freeMemory = freemem(), totalMemory = totalmem()): void {
  if (layers.length === 0) return;
  const sets = layers.map(layerWorkingSet).sort((a, b) => b - a);
  const inFlight = Math.max(1, Math.min(workers, layers.length));
  const need = PROCESS_BASE + inFlight * WORKER_BASE + sets.slice(0, inFlight).reduce((a, b) => a + b, 0);
  if (need > freeMemory) {
    const big = layers.reduce((a, b) => (layerWorkingSet(b) > layerWorkingSet(a) ? b : a));
    throw new BoundsError(
      `${network}: the layers do not fit this machine: computing ${inFlight} at once needs about ${bytes(need)} of memory ` +
        `(largest: ${big.name}, ${big.n} x ${big.m}) and ${bytes(freeMemory)} is available (of ${bytes(totalMemory)}); use fewer --workers, or --exclude that layer`,
    );
  }
}
