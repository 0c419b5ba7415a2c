// The one Arrow codec of the pipeline: a chunk's values (and matrix index) <-> Arrow IPC file
// bytes (docs/datasets.md). The bytes depend only on the data and its metadata (no
// timestamps), which keeps serial, parallel and resumed runs byte-identical. Run chunks and
// the content-addressed spectrum cache use the same encoding, so a file moves between them
// as it is.
import { Table, Schema, makeVector, tableToIPC, tableFromIPC, type Vector } from 'apache-arrow';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { StoreError } from '../files.js';

export const FORMAT_VERSION = '1';

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

