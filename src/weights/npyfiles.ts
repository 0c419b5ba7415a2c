// .npy, .npz and directories of .npy files, through the format module npy.ts.
// A .npy file (alone or in a directory) is opened by its header only (shape, dtype, size
// checked against the file); load() reads the payload then, streaming it into the float64
// result, so a model's tensors are never all in memory at once (one layer per thread:
// src/pipeline/runtime/layersource.ts). An .npz archive is decoded once at open and its
// arrays kept (members may be deflated); its load() hands out a copy.
// Order: .npz members in archive order; a directory's .npy files sorted by
// name (code-point order, so zero-pad numbered names: 00_conv1.npy, ...).
// A directory's files must resolve inside it (a symlink leading out is refused,
// contain.ts). dtypes: floats are read as they are; integers as their integer
// values (said in a warning: no quantization scale is known); booleans and
// complex numbers are refused by name (a mask or a complex array is not a real
// weight matrix); Fortran-order arrays are transposed to row-major order (said
// in a warning). Every error is a WeightsError naming the file and the tensor.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { WeightsError } from './errors.js';
import { checkFinite } from './decode.js';
import { resolveInside, type ContainOptions } from './contain.js';
import { NpyFormatError, readNpyFileHeader, readNpyPayload, readNpz, type NpyArray, type NpyHeader } from './npy.js';
import type { TensorEntry, WeightSource } from './types.js';

const AS_STORED = { kind: 'axis', axis: 0, rule: 'tensor file: [out, ...] as stored (PyTorch convention)' } as const;

function checkDtype(file: string, name: string, dtype: string, fortranOrder: boolean, shape: number[], warnings: string[]): void {
  const kind = dtype.replace(/^[<>|=]/, '')[0];
  if (kind === 'c') throw new WeightsError(file, name, `complex dtype '${dtype}' cannot be a real weight matrix; refused`);
  if (kind === 'b') throw new WeightsError(file, name, `boolean dtype '${dtype}' (a mask, not weights); refused`);
  if (kind === 'i' || kind === 'u') warnings.push(`${name}: integer dtype '${dtype}' read as its integer values (no quantization scale is known)`);
  if (fortranOrder) warnings.push(`${name}: stored in Fortran order; transposed to row-major (C) order for shape [${shape.join(', ')}]`);
}

/** An .npz member, decoded at open. */
function entry(file: string, name: string, arr: NpyArray, warnings: string[]): TensorEntry {
  checkDtype(file, name, arr.dtype, arr.fortranOrder === true, arr.shape, warnings);
  return {
    name,
    shape: arr.shape.slice(),
    dtype: arr.dtype,
    layout: AS_STORED,
    load: async () => checkFinite(arr.data.slice(), file, name),
  };
}

/** A .npy file opened by its header: `real` is read on load(). */
function lazyEntry(file: string, real: string, name: string, header: NpyHeader, warnings: string[]): TensorEntry {
  checkDtype(file, name, header.dtype, header.fortranOrder, header.shape, warnings);
  return {
    name,
    shape: header.shape.slice(),
    dtype: header.dtype,
    layout: AS_STORED,
    load: async () => {
      let data: Float64Array;
      try {
        data = readNpyPayload(real, header, file);
      } catch (e) {
        wrap(file, name, e);
      }
      return checkFinite(data, file, name);
    },
  };
}

/** Problems with the file (format errors, I/O errors) become WeightsErrors; anything else is a bug. */
function wrap(file: string, tensor: string | undefined, e: unknown): never {
  if (e instanceof WeightsError) throw e;
  if (e instanceof NpyFormatError) {
    const detail = e.message.startsWith(`${file}: `) ? e.detail : e.message;
    throw new WeightsError(file, tensor, detail, { cause: e });
  }
  if (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string') {
    throw new WeightsError(file, tensor, `cannot read: ${e.message}`, { cause: e });
  }
  throw e;
}

export async function openNpy(path: string): Promise<WeightSource> {
  let header: NpyHeader;
  try {
    header = readNpyFileHeader(path);
  } catch (e) {
    wrap(path, undefined, e);
  }
  const name = path.replace(/^.*[\\/]/, '').replace(/\.npy$/i, '');
  const warnings: string[] = [];
  return { format: 'npy', path, tensors: [lazyEntry(path, path, name, header, warnings)], warnings };
}

export async function openNpz(path: string): Promise<WeightSource> {
  let members;
  try {
    members = await readNpz(path);
  } catch (e) {
    wrap(path, undefined, e);
  }
  if (members.length === 0) throw new WeightsError(path, undefined, 'archive holds no arrays');
  const warnings: string[] = [];
  return { format: 'npz', path, tensors: members.map((m) => entry(path, m.name, m.array, warnings)), warnings };
}

export async function openNpyDir(path: string, opts: ContainOptions = {}): Promise<WeightSource> {
  let listed: string[];
  try {
    listed = await readdir(path);
  } catch (e) {
    wrap(path, undefined, e);
  }
  const names = listed.filter((n) => n.toLowerCase().endsWith('.npy')).sort();
  if (names.length === 0) throw new WeightsError(path, undefined, 'directory holds no .npy files');
  const tensors: TensorEntry[] = [];
  const warnings: string[] = [];
  for (const n of names) {
    const name = n.replace(/\.npy$/i, '');
    const file = join(path, n);
    const real = resolveInside(path, n, { file, tensor: name }, opts);
    let header: NpyHeader;
    try {
      header = readNpyFileHeader(real, file);
    } catch (e) {
      wrap(file, name, e);
    }
    tensors.push(lazyEntry(file, real, name, header, warnings));
  }
  return { format: 'npy-dir', path, tensors, warnings };
}
