// The one reader of a run directory (a dataset): its manifest, its finished chunks, and
// its data groups. Aggregates, export, analyze, status and datasets all read through it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StoreError } from '../files.js';
import { decodeChunk, type DecodedChunk } from './arrow.js';
import { readManifest, type Manifest, type ChunkRecord } from './manifest.js';

export interface Dataset {
  dir: string;
  manifest: Manifest;
}

/** The dataset in `dir`; a StoreError (a user error) when there is none. */
export function openDataset(dir: string): Dataset {
  const root = resolve(dir);
  const manifest = readManifest(root);
  if (!manifest) throw new StoreError(`${dir}: no manifest.json here; is this an ergo run directory?`);
  return { dir: root, manifest };
}

/** Datasets in `dir` and one level below; unreadable ones are reported through `skip`. */
export function listDatasets(dir: string, skip: (dir: string, why: string) => void): Dataset[] {
  const root = resolve(dir);
  if (!existsSync(root)) throw new StoreError(`${dir}: no such directory`);
  const candidates = [root, ...readdirSync(root).map((d) => join(root, d)).filter((d) => statSync(d).isDirectory())];
  const found: Dataset[] = [];
  for (const d of candidates) {
    try {
      const m = readManifest(d);
      if (m) found.push({ dir: d, manifest: m });
    } catch (e) {
      skip(d, (e as Error).message); // one bad folder must not hide the rest
    }
  }
  return found;
}

/** A finished chunk's data, by id or record. */
export function readChunk(ds: Dataset, idOrRecord: string | ChunkRecord): DecodedChunk {
  const rec = typeof idOrRecord === 'string' ? ds.manifest.chunks.find((r) => r.id === idOrRecord) : idOrRecord;
  if (!rec || rec.state !== 'done') throw new StoreError(`${ds.dir}: chunk ${typeof idOrRecord === 'string' ? idOrRecord : idOrRecord.id} is not finished; rerun to complete it`);
  const path = join(ds.dir, rec.file);
  const bytes = readFileSync(path);
  if (rec.bytes !== undefined && bytes.length !== rec.bytes) throw new StoreError(`${path}: size differs from the manifest; rerun to repair`);
  return decodeChunk(bytes, path);
}

/** Human label of the data group a chunk belongs to (ensemble and size, or network layer). */
export function groupLabel(rec: Pick<ChunkRecord, 'identity' | 'group'>): string {
  const id = rec.identity;
  if (rec.group) return rec.group;
  if (id.ensemble && id.chunk !== undefined) return `${id.ensemble}/${id.method} N=${id.n}`;
  return id.kind ?? 'chunks';
}

export interface GroupCount {
  group: string;
  done: number;
  pending: number;
  failed: number;
  matrices: number;
}

export function countByGroup(chunks: readonly ChunkRecord[]): GroupCount[] {
  const groups = new Map<string, GroupCount>();
  for (const c of chunks) {
    const key = groupLabel(c);
    const g = groups.get(key) ?? { group: key, done: 0, pending: 0, failed: 0, matrices: 0 };
    g[c.state]++;
    if (c.state === 'done') g.matrices += Number(c.identity.count ?? 1);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** Who holds the directory's run.lock, if anyone (a run in progress, or a crashed one). */
export function lockHolder(dir: string): { pid: number; host: string; started: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(resolve(dir), 'run.lock'), 'utf8')) as { pid: number; host: string; started: string };
  } catch {
    return undefined;
  }
}

/** Values of one data group, concatenated in matrix order, for export. */
export interface DataGroup {
  /** File stem, e.g. CUE-spectral-N0064 or a layer chunk's id. */
  name: string;
  kind: 'eigenphases' | 'eigenvalues';
  rows: number;
  cols: number;
  /** Matrix index of each row (within its ensemble and size), ascending. */
  matrices: Int32Array;
  values: Float64Array;
  /** cos theta and sin theta as stored in the Arrow files (eigenphases only). */
  re?: Float64Array;
  im?: Float64Array;
  /** Chunks of this group that are not done (the group then has fewer rows). */
  missingChunks: number;
}

function groupKey(c: ChunkRecord): string {
  const id = c.identity;
  return id.ensemble && id.chunk !== undefined ? `${id.ensemble}-${id.method}-N${String(id.n).padStart(4, '0')}` : c.id;
}

/** Done chunks grouped by data group (identity minus the chunk fields), values in matrix order. */
export function dataGroups(ds: Dataset): DataGroup[] {
  const groups = new Map<string, { done: ChunkRecord[]; missing: number }>();
  for (const c of ds.manifest.chunks) {
    const g = groups.get(groupKey(c)) ?? { done: [], missing: 0 };
    if (c.state === 'done') g.done.push(c);
    else g.missing++;
    groups.set(groupKey(c), g);
  }
  const out: DataGroup[] = [];
  for (const [name, { done: recs, missing }] of groups) {
    if (!recs.length) continue;
    recs.sort((a, b) => Number(a.identity.first_matrix ?? 0) - Number(b.identity.first_matrix ?? 0));
    const parts = recs.map((r) => readChunk(ds, r));
    const total = parts.reduce((s, p) => s + p.values.length, 0);
    const kind = parts[0]!.metadata.get('ergo.kind') === 'eigenvalues' || !parts[0]!.metadata.has('ergo.chunk') ? 'eigenvalues' : 'eigenphases';
    const values = new Float64Array(total);
    const re = kind === 'eigenphases' ? new Float64Array(total) : undefined;
    const im = kind === 'eigenphases' ? new Float64Array(total) : undefined;
    const matrices: number[] = [];
    let off = 0;
    for (const p of parts) {
      values.set(p.values, off);
      if (re && im) {
        // Files without re/im columns (written by other tools) get them computed here.
        re.set(p.re ?? p.values.map(Math.cos), off);
        im.set(p.im ?? p.values.map(Math.sin), off);
      }
      for (let i = 0; i < p.matrix.length; i++) if (i === 0 || p.matrix[i] !== p.matrix[i - 1]) matrices.push(p.matrix[i]!);
      off += p.values.length;
    }
    const rows = matrices.length;
    if (total % rows !== 0) throw new StoreError(`${name}: ${total} values do not split evenly into ${rows} matrices`);
    out.push({ name, kind, rows, cols: total / rows, matrices: Int32Array.from(matrices), values, ...(re && im ? { re, im } : {}), missingChunks: missing });
  }
  return out;
}
