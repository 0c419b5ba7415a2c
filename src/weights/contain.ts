// Containment of the files a model refers to (TF.js shards, ONNX external data, Hugging Face
// index shards, ...). Model files come from strangers: a reference is a path relative to the
// model's own folder, and after following symlinks it must stay inside that folder (or inside a
// folder the user trusts explicitly). Absolute paths, `..` escapes, symlinks leading out,
// directories, URLs (nothing is ever fetched) and empty names are refused with a WeightsError
// naming the file and the tensor. The check runs before anything is opened (realpath and stat
// only look at directory entries), so a refused path is never read.
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { WeightsError } from './errors.js';

export interface ContainOptions {
  /** Folders outside the model's own folder the user trusts explicitly (`--allow-path`). */
  allowDirs?: readonly string[];
}

function isInside(dir: string, target: string): boolean {
  const rel = relative(dir, target);
  return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

function realOrNull(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/**
 * Resolve `ref` (as written in `file`, for `tensor`) against the model folder `baseDir` and
 * return the real path of an existing regular file inside `baseDir` or an allowed folder.
 */
export function resolveInside(
  baseDir: string,
  ref: unknown,
  where: { file: string; tensor?: string | undefined },
  opts: ContainOptions = {},
): string {
  const refuse = (why: string): never => {
    throw new WeightsError(where.file, where.tensor, `refused reference ${JSON.stringify(ref)}: ${why}`);
  };
  if (typeof ref !== 'string' || ref.trim() === '') return refuse('expected a non-empty relative file name');
  if (ref.includes('\0')) return refuse('the name contains a NUL byte');
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(ref)) return refuse('URLs are never fetched (only files inside the model folder are read)');
  const base = realOrNull(resolve(baseDir));
  if (base === null) return refuse(`the model folder ${baseDir} cannot be read`);
  const trusted = (opts.allowDirs ?? []).map((d) => realOrNull(resolve(d))).filter((d): d is string => d !== null);
  // An absolute reference is followed only into a folder the user trusts explicitly.
  if (/^[a-zA-Z]:[\\/]/.test(ref) || (isAbsolute(ref) && !trusted.some((d) => isInside(d, resolve(ref))))) {
    return refuse('absolute paths are not followed (only files inside the model folder are read)');
  }
  const lexical = resolve(base, ref);
  const allowed = [base, ...trusted];
  if (!allowed.some((d) => isInside(d, lexical))) {
    return refuse('it leads outside the model folder (use --allow-path DIR to trust another folder)');
  }
  const real = realOrNull(lexical);
  if (real === null) return refuse('missing (no such file inside the model folder)');
  if (!allowed.some((d) => isInside(d, real))) {
    return refuse('a symlink leads outside the model folder (use --allow-path DIR to trust another folder)');
  }
  let isFile = false;
  try {
    isFile = statSync(real).isFile();
  } catch {
    return refuse('missing (no such file inside the model folder)');
  }
  if (!isFile) return refuse('not a regular file (a directory or a device)');
  return real;
}
