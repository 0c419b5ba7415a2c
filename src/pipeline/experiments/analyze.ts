// `ergo analyze`: density, Omega and D_se from eigenvalues made elsewhere. Each file is one
// matrix size. Accepted:
//  - .npy complex128/complex64: eigenvalues on (or near) the unit circle; angles = arg(z);
//  - .npy float64/float32: real eigenvalues (or angles with `angles`);
//    shape (M, N) or flat (M*N, member-major, then `ensembleSize` M is required);
//  - Arrow IPC files (ergo chunk files or any file with `matrix` + `theta`/`value` columns):
//    files with the same N are merged.
// Files are ordered by N for D_se.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
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
}

interface Loaded {
  file: string;
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
  return { file, kind, n: members[0]!.length, members };
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
  return { file, kind, n, members };
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

export function analyzeFiles(files: readonly string[], o: AnalyzeOptions): ErgodicityReport {
  const { delta, bins, semantics } = o;
  const m = o.ensembleSize;
  const loaded = files.map((f) => (isArrow(f) ? loadArrow(f) : loadNpy(f, m, !!o.angles)));
  const kinds = new Set(loaded.map((l) => l.kind));
  if (kinds.size > 1) throw new InputError('files mix complex eigenvalues (angles) and real eigenvalues; analyze one kind at a time');
  // Merge files of the same N (e.g. several Arrow chunks of one size), then order by N.
  const bySize = new Map<number, Loaded[]>();
  for (const l of loaded) bySize.set(l.n, [...(bySize.get(l.n) ?? []), l]);
  const sizes = [...bySize.keys()].sort((a, b) => a - b);
  const series: SeriesInput = {
    label: 'input',
    files: sizes.flatMap((n) => bySize.get(n)!.map((l) => l.file)),
    sizes: sizes.map((n) => ({ n, members: bySize.get(n)!.flatMap((l) => l.members) })),
  };
  return ergodicityReport([series], {
    name: files.length === 1 ? basename(files[0]!) : `${files.length} files`,
    experiment: 'analyze',
    semantics,
    kind: loaded[0]!.kind,
    delta,
    bins,
    ...(o.uncertainty ? { uncertainty: o.uncertainty } : {}),
  });
}
