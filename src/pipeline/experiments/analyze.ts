// `ergo analyze`: density, Omega and D_se from eigenvalues made elsewhere. Each file is one
// matrix size. Accepted:
//  - .npy complex128/complex64: eigenvalues on (or near) the unit circle; angles = arg(z);
//  - .npy float64/float32: real eigenvalues (or angles with `angles`);
//    shape (M, N) or flat (M*N, member-major, then `ensembleSize` M is required);
//  - Arrow IPC files (ergo chunk files or any file with `matrix` + `theta`/`value` columns):
//    files with the same N are merged.
// Files are ordered by N for D_se. Files that say which ensemble they hold (an ergo chunk's
// `ergo.ensemble`/`ergo.method` metadata or a layer's matrix hash, or an `ergo export` name
// like CUE-qr-N0064.npy) must all name the same one: CUE, COE and CSE (or the layers of a
// network, of different sizes) pooled into one series would give a D_se of no ensemble;
// `pool` allows it on purpose.
// `density`: the spectral density per size as well (spectral/density.ts), the pooled matrices
// of each N binned like Omega (angle bins of width delta, or `bins` bins over min..max).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ENSEMBLES } from '../../ensembles/names.js';
import { spectralDensity } from '../../spectral/density.js';
import { readNpyFile } from '../../weights/npy.js';
import type { Semantics } from '../../spectral/semantics.js';
import type { UncertaintyConfig } from '../config/types.js';
import { UserError } from '../../errors.js';
import { decodeChunk } from '../runtime/arrow.js';
import { ergodicityReport, type SeriesInput, type ErgodicityReport } from './ergodicity.js';

/** An input file that cannot be analysed as given. */
export class InputError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export interface AnalyzeOptions {
  ensembleSize?: number;
  delta: number;
  bins: number;
  semantics: Semantics;
  angles?: boolean;
  /** Bootstrap of the D_se intervals; absent: the defaults with seed 0. */
  uncertainty?: UncertaintyConfig;
  /** Pool files that name different ensembles into one series (refused otherwise). */
  pool?: boolean;
  /** Add the spectral density per size to the report. */
  density?: boolean;
}

/** The spectral density of one size: bin centres and counts / matrices (spectral/density.ts). */
export interface SizeDensity {
  n: number;
  matrices: number;
  edges: number[];
  centres: number[];
  density: number[];
}

interface Loaded {
  file: string;
  /** The ensemble the file says it holds (e.g. CUE-qr), when it says. */
  label?: string;
  kind: 'angle' | 'real';
  n: number;
  members: Float64Array[];
}

function split(file: string, values: Float64Array, m: number): Float64Array[] {
  if (values.length % m !== 0) {
    throw new InputError(`${file}: ${values.length} eigenvalues do not split into --ensemble-size ${m} matrices`);
  }
  const n = values.length / m;
  return Array.from({ length: m }, (_, j) => values.subarray(j * n, (j + 1) * n));
}

function loadNpy(file: string, ensembleSize: number | undefined, angles: boolean): Loaded {
  const arr = readNpyFile(file);
  let values: Float64Array;
  let kind: Loaded['kind'];
  if (arr.imag) {
    values = new Float64Array(arr.data.length);
    for (let i = 0; i < values.length; i++) values[i] = Math.atan2(arr.imag[i]!, arr.data[i]!);
    kind = 'angle';
  } else {
    values = arr.data;
    kind = angles ? 'angle' : 'real';
  }
  let members: Float64Array[];
  if (arr.shape.length === 2) {
    if (ensembleSize !== undefined && ensembleSize !== arr.shape[0]) {
      throw new InputError(`${file}: shape (${arr.shape.join(', ')}) has ${arr.shape[0]} matrices but --ensemble-size is ${ensembleSize}`);
    }
    members = split(file, values, arr.shape[0]!);
  } else if (arr.shape.length === 1) {
    if (ensembleSize === undefined) {
      throw new InputError(`${file}: a flat array of ${values.length} eigenvalues needs --ensemble-size M (how many matrices it holds)`);
    }
    members = split(file, values, ensembleSize);
  } else {
    throw new InputError(`${file}: expected a 1-d (M*N) or 2-d (M, N) array, got shape (${arr.shape.join(', ')})`);
  }
  const named = new RegExp(`^(${ENSEMBLES.join('|')})-([a-z0-9]+)-N\\d+`).exec(basename(file));
  return { file, kind, n: members[0]!.length, members, ...(named ? { label: `${named[1]}-${named[2]}` } : {}) };
}

function loadArrow(file: string): Loaded {
  const chunk = decodeChunk(readFileSync(file), file);
  const kind = chunk.metadata.get('ergo.kind') === 'eigenvalues' ? 'real' : 'angle';
  const byMatrix = new Map<number, number[]>();
  chunk.matrix.forEach((j, i) => {
    const list = byMatrix.get(j) ?? [];
    list.push(chunk.values[i]!);
    byMatrix.set(j, list);
  });
  const members = [...byMatrix.keys()].sort((a, b) => a - b).map((j) => Float64Array.from(byMatrix.get(j)!));
  const n = members[0]?.length ?? 0;
  if (!n || members.some((m) => m.length !== n)) throw new InputError(`${file}: matrices of unequal or zero size`);
  // What the file holds: an ensemble and sampler, or one network layer (its matrix hash):
  // two layers are not an ensemble either.
  const meta = chunk.metadata;
  const ensemble = meta.get('ergo.ensemble');
  const method = meta.get('ergo.method');
  const hash = meta.get('ergo.hash');
  const label = ensemble ? (method ? `${ensemble}-${method}` : ensemble) : hash ? `layer ${meta.get('ergo.n')}x${meta.get('ergo.m')} (${hash.slice(0, 12)})` : undefined;
  return { file, kind, n, members, ...(label ? { label } : {}) };
}

function isArrow(file: string): boolean {
  let head: Buffer;
  try {
    head = readFileSync(file).subarray(0, 6);
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return head.toString('latin1') === 'ARROW1';
}

export function analyzeFiles(files: readonly string[], o: AnalyzeOptions): ErgodicityReport & { density?: SizeDensity[] } {
  const { delta, bins, semantics } = o;
  const m = o.ensembleSize;
  const loaded = files.map((f) => (isArrow(f) ? loadArrow(f) : loadNpy(f, m, !!o.angles)));
  const kinds = new Set(loaded.map((l) => l.kind));
  if (kinds.size > 1) throw new InputError('files mix complex eigenvalues (angles) and real eigenvalues; analyze one kind at a time');
  const labels = new Map<string, string>();
  for (const l of loaded) if (l.label !== undefined && !labels.has(l.label)) labels.set(l.label, l.file);
  if (labels.size > 1 && !o.pool) {
    const list = [...labels].map(([label, f]) => `${label} (${basename(f)})`).join(', ');
    throw new InputError(`the files hold different ensembles: ${list}; analyze one ensemble at a time, or add --pool to treat them as one`);
  }
  // Merge files of the same N (e.g. several Arrow chunks of one size), then order by N.
  const bySize = new Map<number, Loaded[]>();
  for (const l of loaded) bySize.set(l.n, [...(bySize.get(l.n) ?? []), l]);
  const sizes = [...bySize.keys()].sort((a, b) => a - b);
  const series: SeriesInput = {
    label: 'input',
    files: sizes.flatMap((n) => bySize.get(n)!.map((l) => l.file)),
    sizes: sizes.map((n) => ({ n, members: bySize.get(n)!.flatMap((l) => l.members) })),
  };
  const report = ergodicityReport([series], {
    name: files.length === 1 ? basename(files[0]!) : `${files.length} files`,
    experiment: 'analyze',
    semantics,
    kind: loaded[0]!.kind,
    delta,
    bins,
    ...(o.uncertainty ? { uncertainty: o.uncertainty } : {}),
  });
  if (!o.density) return report;
  const density = series.sizes.map(({ n, members }): SizeDensity => {
    const all = new Float64Array(members.reduce((t, m) => t + m.length, 0));
    let off = 0;
    for (const m of members) all.set(m, (off += m.length) - m.length);
    const d = spectralDensity(all, members.length, { kind: loaded[0]!.kind, semantics, delta, bins });
    return { n, matrices: members.length, edges: [...d.edges], centres: [...d.centres], density: [...d.density] };
  });
  return { ...report, density };
}
