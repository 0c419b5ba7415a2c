// ergo export <dir> --format npy|csv: eigenvalues per data group for people without Arrow.
// npy: one array per (ensemble, method, N), shape (M, N), complex128 e^{i theta} for circular
// ensembles (float64 for real eigenvalues); csv: matrix,theta,re,im (or matrix,value).
// The complex values are the `re`/`im` columns of the Arrow files, copied bit for bit.
import type { Command } from 'commander';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import { readManifest, type ChunkRecord } from '../../pipeline/manifest.js';
import { decodeChunk, writeFileAtomic } from '../../pipeline/store.js';
import { encodeNpy } from '../../weights/npy.js';
import { action, EXIT, UsageError } from '../errors.js';

export interface ExportGroup {
  /** File stem, e.g. CUE-spectral-N0064. */
  name: string;
  kind: 'eigenphases' | 'eigenvalues';
  /** Matrices exported (rows) and values per matrix (cols). */
  rows: number;
  cols: number;
  /** Matrix index of each row (within its ensemble and size), ascending. */
  matrices: Int32Array;
  /** Eigenphases theta (or real eigenvalues), row-major rows x cols. */
  values: Float64Array;
  /** cos theta and sin theta as stored in the Arrow files (eigenphases only). */
  re?: Float64Array;
  im?: Float64Array;
  /** Chunks of this group that are not done (the export then has fewer rows). */
  missingChunks: number;
}

function groupKey(c: ChunkRecord): string {
  const id = c.identity;
  return id.ensemble ? `${id.ensemble}-${id.method}-N${String(id.n).padStart(4, '0')}` : `${id.network ?? 'data'}-${id.layer ?? c.id}`;
}

/** Done chunks grouped by data group (identity minus the chunk fields), values in matrix order. */
export function collectGroups(dir: string): ExportGroup[] {
  const m = readManifest(dir);
  if (!m) throw new UsageError(`${dir}: no manifest.json here; is this an ergo run directory?`);
  const groups = new Map<string, { done: ChunkRecord[]; missing: number }>();
  for (const c of m.chunks) {
    const key = groupKey(c);
    const g = groups.get(key) ?? { done: [], missing: 0 };
    if (c.state === 'done') g.done.push(c);
    else g.missing++;
    groups.set(key, g);
  }
  const out: ExportGroup[] = [];
  for (const [name, { done: recs, missing }] of groups) {
    if (!recs.length) continue;
    recs.sort((a, b) => Number(a.identity.first_matrix ?? 0) - Number(b.identity.first_matrix ?? 0));
    const parts = recs.map((r) => decodeChunk(readFileSync(join(dir, r.file)), join(dir, r.file)));
    const total = parts.reduce((s, p) => s + p.values.length, 0);
    const kind = parts[0]!.metadata.get('ergo.kind') === 'eigenvalues' ? 'eigenvalues' : 'eigenphases';
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
    if (total % rows !== 0) throw new UsageError(`${name}: ${total} values do not split evenly into ${rows} matrices`);
    out.push({ name, kind, rows, cols: total / rows, matrices: Int32Array.from(matrices), values, ...(re && im ? { re, im } : {}), missingChunks: missing });
  }
  return out;
}

/** .npy bytes of a group: complex128 (rows, cols) for eigenphases, float64 otherwise. */
export function groupNpy(g: ExportGroup): Uint8Array {
  return g.re && g.im
    ? encodeNpy({ dtype: '<c16', shape: [g.rows, g.cols], data: g.re, imag: g.im })
    : encodeNpy({ dtype: '<f8', shape: [g.rows, g.cols], data: g.values });
}

/** CSV text of a group; numbers are shortest round-trip decimals (parsing gives the same double). */
export function groupCsv(g: ExportGroup): string {
  const lines = [g.re ? 'matrix,theta,re,im' : 'matrix,value'];
  for (let i = 0; i < g.values.length; i++) {
    const row = g.matrices[Math.floor(i / g.cols)]!;
    lines.push(g.re && g.im ? `${row},${g.values[i]},${g.re[i]},${g.im[i]}` : `${row},${g.values[i]}`);
  }
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('export')
    .description('write eigenvalues per ensemble and size as .npy (complex128) or .csv')
    .argument('<dir>', 'run directory')
    .requiredOption('--format <fmt>', 'npy or csv')
    .option('-o, --out <dir>', 'output folder (default: <dir>/export)')
    .action(
      action(async (dir: string, o: { format: string; out?: string }) => {
        if (o.format !== 'npy' && o.format !== 'csv') throw new UsageError(`--format: expected npy or csv, got "${o.format}"`);
        const root = resolve(dir);
        const groups = collectGroups(root);
        if (!groups.length) throw new UsageError(`${dir}: no finished chunks to export yet`);
        const outDir = resolve(o.out ?? join(root, 'export'));
        mkdirSync(outDir, { recursive: true });
        const written: string[] = [];
        for (const g of groups) {
          const file = join(outDir, `${g.name}.${o.format}`);
          writeFileAtomic(file, o.format === 'npy' ? groupNpy(g) : groupCsv(g));
          written.push(relative(process.cwd(), file));
          if (g.missingChunks) process.stderr.write(`[ergo] ${g.name}: incomplete (${g.missingChunks} chunk(s) not done); exported ${g.rows} matrices\n`);
        }
        process.stderr.write(`[ergo] wrote ${written.length} file(s) to ${relative(process.cwd(), outDir) || '.'}\n`);
        return EXIT.ok;
      }),
    );
}
