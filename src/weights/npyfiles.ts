// .npy, .npz and directories of .npy files, through the format module npy.ts.
// npy.ts decodes whole files, so these readers decode each file once at open
// and keep the arrays (no second read); load() hands out a copy.
// Order: .npz members in archive order; a directory's .npy files sorted by
// name (code-point order, so zero-pad numbered names: 00_conv1.npy, ...).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { WeightsError } from './errors.js';
import { checkFinite } from './decode.js';
import { readNpyFile, readNpz, type NpyArray } from './npy.js';
import type { TensorEntry, WeightSource } from './types.js';

const AS_STORED = { kind: 'axis', axis: 0, rule: 'tensor file: [out, ...] as stored (PyTorch convention)' } as const;

function entry(file: string, name: string, arr: NpyArray): TensorEntry {
  return {
    name,
    shape: arr.shape.slice(),
    dtype: arr.dtype,
    layout: AS_STORED,
    load: async () => {
      if (arr.imag) throw new WeightsError(file, name, `complex dtype ${arr.dtype} cannot be a real weight matrix`);
      return checkFinite(arr.data.slice(), file, name);
    },
  };
}

function wrap(file: string, tensor: string | undefined, e: unknown): never {
  if (e instanceof WeightsError) throw e;
  throw new WeightsError(file, tensor, (e as Error).message, { cause: e });
}

export async function openNpy(path: string): Promise<WeightSource> {
  let arr: NpyArray;
  try {
    arr = readNpyFile(path);
  } catch (e) {
    wrap(path, undefined, e);
  }
  const name = path.replace(/^.*[\\/]/, '').replace(/\.npy$/i, '');
  return { format: 'npy', path, tensors: [entry(path, name, arr)], warnings: [] };
}

export async function openNpz(path: string): Promise<WeightSource> {
  let members;
  try {
    members = await readNpz(path);
  } catch (e) {
    wrap(path, undefined, e);
  }
  return { format: 'npz', path, tensors: members.map((m) => entry(path, m.name, m.array)), warnings: [] };
}

export async function openNpyDir(path: string): Promise<WeightSource> {
  const names = (await readdir(path)).filter((n) => n.toLowerCase().endsWith('.npy')).sort();
  if (names.length === 0) throw new WeightsError(path, undefined, 'directory holds no .npy files');
  const tensors: TensorEntry[] = [];
  for (const n of names) {
    const file = join(path, n);
    const name = n.replace(/\.npy$/i, '');
    let arr: NpyArray;
    try {
      arr = readNpyFile(file);
    } catch (e) {
      wrap(file, name, e);
    }
    tensors.push(entry(file, name, arr));
  }
  return { format: 'npy-dir', path, tensors, warnings: [] };
}
