// The one Arrow codec of the pipeline: a chunk's values (and matrix index) <-> Arrow IPC file
// bytes (docs/datasets.md). The bytes depend only on the data and its metadata (no
// timestamps), which keeps serial, parallel and resumed runs byte-identical. Run chunks and
// the content-addressed spectrum cache use the same encoding, so a file moves between them
// as it is.
//
// Self-verifying files: every file this codec writes carries a SHA-256 of its column values
// in its own schema metadata, `ergo.values_sha256`, so a file can be checked without a
// manifest (missing after a crash, or absent as for the spectrum cache). The digest covers
// the columns in a fixed order, each as its little-endian bytes: theta or value (float64),
// matrix (int32), then re and im (float64) when present. Only metadata is added: the column
// values are those of format 1. decodeChunk checks the digest whenever a file carries one;
// the run store and the cache also require it (`valuesProblem`, verify.ts), so a file without
// it (an older ergo, another tool) is unverified and recomputed, never used.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Table as ArrowTable, Vector } from 'apache-arrow';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { StoreError } from '../files.js';

// apache-arrow from the single-file build its package ships (same release, same code): the
// ESM build is 150 modules and took about 0.18 s to import in every run, chunk reader and test
// process; the bundle takes about 0.04 s. Types still come from the package's declarations.
const { Table, Schema, makeVector, tableToIPC, tableFromIPC } = createRequire(import.meta.url)('apache-arrow/Arrow.esnext.min') as typeof import('apache-arrow');
type Table = ArrowTable;

export const FORMAT_VERSION = '1';
export const CHECKSUM_KEY = 'ergo.values_sha256';

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

/** The columns a checksum covers (a decoded or to-be-encoded chunk). */
export interface ChecksumColumns {
  values: Float64Array;
  matrix: Int32Array;
  re?: Float64Array;
  im?: Float64Array;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bytesLE(a: Float64Array | Int32Array): Uint8Array {
  const view = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (littleEndian) return view;
  // Big-endian host: swap each element so the digest is the same on every machine.
  const out = new Uint8Array(view.length);
  const w = a.BYTES_PER_ELEMENT;
  for (let i = 0; i < view.length; i += w) for (let j = 0; j < w; j++) out[i + j] = view[i + w - 1 - j]!;
  return out;
}

/** SHA-256 (hex) of a chunk's columns, in the order stated in the header. */
export function valuesChecksum(c: ChecksumColumns): string {
  const h = createHash('sha256').update(bytesLE(c.values)).update(bytesLE(c.matrix));
  if (c.re) h.update(bytesLE(c.re));
  if (c.im) h.update(bytesLE(c.im));
  return h.digest('hex');
}

/** Why a decoded file's values cannot be trusted (a missing checksum included), or undefined when its checksum matches. */
export function valuesProblem(c: ChecksumColumns & { metadata: Map<string, string> }): string | undefined {
  const stored = c.metadata.get(CHECKSUM_KEY);
  if (stored === undefined) return `no ${CHECKSUM_KEY} in its metadata (written by an older ergo?): unverified`;
  if (stored !== valuesChecksum(c)) return `values do not match their checksum (${CHECKSUM_KEY}): the file was changed or damaged`;
  return undefined;
}

/** Encode a chunk as Arrow IPC file bytes. Circular data gets `theta`, `re`, `im` columns. */
export function encodeChunk(data: ChunkData, meta: ChunkMeta): Uint8Array {
  const cols: Record<string, Vector> = { matrix: makeVector(data.matrix) };
  const sum: ChecksumColumns = { values: data.values, matrix: data.matrix };
  if (meta.kind === 'eigenphases') {
    const re = (sum.re = new Float64Array(data.values.length));
    const im = (sum.im = new Float64Array(data.values.length));
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
  const metadata = metadataMap(meta).set(CHECKSUM_KEY, valuesChecksum(sum));
  const table = new Table(new Schema(base.schema.fields, metadata), base.batches);
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
  // Checked on every decode when the file carries a checksum (foreign files may not).
  if (out.metadata.has(CHECKSUM_KEY)) {
    const problem = valuesProblem(out);
    if (problem) throw new StoreError(`${file}: ${problem}`);
  }
  return out;
}

