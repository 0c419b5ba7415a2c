// Eigenvalue chunk files: one Arrow IPC file per finished chunk (docs/datasets.md).
// Files are written to a temporary name, fsynced and renamed, so a file with the final
// name is always complete; the bytes depend only on the chunk's data and metadata
// (no timestamps), which keeps serial, parallel and resumed runs byte-identical.
import { createHash } from 'node:crypto';
import { openSync, writeSync, fsyncSync, closeSync, renameSync, readFileSync, readdirSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Table, Schema, makeVector, tableToIPC, tableFromIPC, type Vector } from 'apache-arrow';

export const FORMAT_VERSION = '1';
export const TOOL_NAME = 'ergo';
// The package version, found by walking up from this module to ergo's package.json
// (works from dist/src/pipeline and from src/pipeline alike).
export const TOOL_VERSION: string = (() => {
  for (let up = '../'; up.length < 16; up += '../') {
    try {
      const pkg = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === TOOL_NAME && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return '0.0.0';
})();

/** Metadata stored in every chunk file's Arrow schema (all values strings, keys prefixed `ergo.`). */
export interface ChunkMeta {
  kind: 'eigenphases' | 'eigenvalues';
  /** Identity of the data; together they say whether a file can be reused. */
  identity: Record<string, string>;
  /** Descriptive extras (not part of the identity), e.g. reproduction_only. */
  extra?: Record<string, string>;
}

export interface ChunkData {
  /** Matrix index (within its ensemble/size or layer) of each value. */
  matrix: Int32Array;
  /** Eigenphases (angles in (-pi, pi]) for circular ensembles, or real eigenvalues. */
  values: Float64Array;
}

export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

export function metadataMap(meta: ChunkMeta): Map<string, string> {
  const m = new Map<string, string>();
  m.set('ergo.format', FORMAT_VERSION);
  m.set('ergo.tool', TOOL_NAME);
  m.set('ergo.tool_version', TOOL_VERSION);
  m.set('ergo.kind', meta.kind);
  for (const [k, v] of Object.entries(meta.identity).sort()) m.set(`ergo.${k}`, v);
  for (const [k, v] of Object.entries(meta.extra ?? {}).sort()) m.set(`ergo.${k}`, v);
  return m;
}

/** Encode a chunk as Arrow IPC file bytes. Circular data gets `theta`, `re`, `im` columns. */
export function encodeChunk(data: ChunkData, meta: ChunkMeta): Uint8Array {
  const cols: Record<string, Vector> = { matrix: makeVector(data.matrix) };
  if (meta.kind === 'eigenphases') {
    const re = new Float64Array(data.values.length);
    const im = new Float64Array(data.values.length);
    for (let i = 0; i < data.values.length; i++) {
      re[i] = Math.cos(data.values[i]!);
      im[i] = Math.sin(data.values[i]!);
    }
    cols.theta = makeVector(data.values);
    cols.re = makeVector(re);
    cols.im = makeVector(im);
  } else {
    cols.value = makeVector(data.values);
  }
  const base = new Table(cols);
  const table = new Table(new Schema(base.schema.fields, metadataMap(meta)), base.batches);
  return tableToIPC(table, 'file');
}

export interface DecodedChunk extends ChunkData {
  metadata: Map<string, string>;
  /** cos/sin of theta as stored in the file (eigenphase files only). */
  re?: Float64Array;
  im?: Float64Array;
}

/** Decode an Arrow chunk file (ours or any file with matrix + theta/value columns). */
export function decodeChunk(bytes: Uint8Array, file: string): DecodedChunk {
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (e) {
    throw new StoreError(`${file}: not a readable Arrow IPC file (${(e as Error).message})`);
  }
  const valuesCol = table.getChild('theta') ?? table.getChild('value');
  const matrixCol = table.getChild('matrix');
  if (!valuesCol || !matrixCol) {
    throw new StoreError(`${file}: expected columns "matrix" and "theta" (or "value"); found ${table.schema.fields.map((f) => f.name).join(', ')}`);
  }
  const values = Float64Array.from(valuesCol.toArray() as ArrayLike<number>);
  const matrix = Int32Array.from(matrixCol.toArray() as ArrayLike<number>);
  const out: DecodedChunk = { values, matrix, metadata: table.schema.metadata };
  const re = table.getChild('re');
  const im = table.getChild('im');
  if (re && im) {
    out.re = Float64Array.from(re.toArray() as ArrayLike<number>);
    out.im = Float64Array.from(im.toArray() as ArrayLike<number>);
  }
  return out;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Write bytes to `path` atomically: temporary file in the same folder, fsync, rename. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** Remove temporary files left by an interrupted writer. */
export function cleanTemporaries(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const f of readdirSync(dir)) {
    if (f.startsWith('.') && f.endsWith('.tmp')) {
      rmSync(join(dir, f), { force: true });
      n++;
    }
  }
  return n;
}

/**
 * JSON for result files and --json output. JSON has no NaN or infinities; they are written
 * as the strings "NaN", "Infinity" and "-Infinity" (the fixtures' convention), so that a
 * cPSE of NaN (fewer than 3 layers) and of -Infinity (a d_layer of 0) stay distinguishable.
 */
export function resultJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1) + '\n';
}

/** Collects result files written atomically under `dir` (paths relative to it), for the final "wrote ..." line. */
export function resultWriter(dir: string): { put: (rel: string, text: string) => void; files: string[] } {
  const files: string[] = [];
  return {
    files,
    put(rel: string, text: string): void {
      writeFileAtomic(join(dir, rel), text);
      files.push(join(dir, rel));
    },
  };
}
