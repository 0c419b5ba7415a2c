// The result files and plots a run wrote last time, so the next run of the same directory
// can remove them before writing its own: a plot of a network that is no longer in the run
// must not sit beside the new results. Only files ergo wrote itself go: the list is kept in
// `<run dir>/outputs.json`, and only entries under results/ or plots/ that are regular files
// inside the run directory are removed (the list is a file in the directory, so it is not
// trusted further than that). User files, chunks/ and the manifest are never touched.
import { existsSync, lstatSync, readFileSync, rmSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { writeFileAtomic } from '../files.js';

export const OUTPUTS_FILE = 'outputs.json';
const OWNED = ['results', 'plots'];

/** A relative path from the list when it names a file under results/ or plots/ of `dir`, else undefined. */
function owned(dir: string, rel: unknown): string | undefined {
  if (typeof rel !== 'string' || rel === '' || isAbsolute(rel)) return undefined;
  const norm = normalize(rel);
  const top = norm.split(sep)[0]!;
  if (!OWNED.includes(top) || norm.split(sep).includes('..')) return undefined;
  const full = join(dir, norm);
  if (relative(dir, full).startsWith('..')) return undefined;
  return full;
}

/** Whether `dir` has the list of the last run's outputs. */
export function hasOutputList(dir: string): boolean {
  return existsSync(join(dir, OUTPUTS_FILE));
}

/** Remove the files the previous run listed; returns how many were removed. */
export function clearPreviousOutputs(dir: string): number {
  let list: unknown;
  try {
    list = (JSON.parse(readFileSync(join(dir, OUTPUTS_FILE), 'utf8')) as { files?: unknown }).files;
  } catch {
    return 0; // no list (a new directory, or one written before the list existed): nothing to clear
  }
  if (!Array.isArray(list)) return 0;
  let removed = 0;
  for (const rel of list) {
    const full = owned(dir, rel);
    if (!full) continue;
    try {
      if (!lstatSync(full).isFile()) continue; // never follow a link, never a folder
    } catch {
      continue;
    }
    rmSync(full, { force: true });
    removed++;
  }
  return removed;
}

/** Record the files this run wrote (absolute paths inside `dir`). */
export function recordOutputs(dir: string, files: readonly string[]): void {
  const rel = files.map((f) => relative(dir, f).split(sep).join('/')).filter((r) => owned(dir, r) !== undefined);
  writeFileAtomic(join(dir, OUTPUTS_FILE), JSON.stringify({ note: 'result files and plots written by the last ergo run here; the next run removes them first', files: rel }, null, 1) + '\n');
}
