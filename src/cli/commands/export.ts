// ergo export <dir> --format npy|csv: eigenvalues per data group for people without Arrow.
// npy: one array per (ensemble, method, N), shape (M, N), complex128 e^{i theta} for circular
// ensembles (float64 for real eigenvalues); csv: matrix,theta,re,im (or matrix,value).
import type { Command } from 'commander';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import { readManifest, type ChunkRecord } from '../../pipeline/manifest.js';
import { decodeChunk } from '../../pipeline/store.js';
import { encodeNpy } from '../../weights/npy.js';
import { action, EXIT, UsageError } from '../errors.js';

export interface ExportGroup {
  name: string;
  kind: 'eigenphases' | 'eigenvalues';
  rows: number;
  cols: number;
  values: Float64Array;
}

/** Done chunks grouped by data group (identity minus the chunk fields), values in matrix order. */
export function collectGroups(dir: string): ExportGroup[] {
  const m = readManifest(dir);
  if (!m) throw new UsageError(`${dir}: no manifest.json here; is this an ergo run directory?`);
  const groups = new Map<string, ChunkRecord[]>();
  for (const c of m.chunks) {
    if (c.state !== 'done') continue;
    const id = c.identity;
    const key = id.ensemble ? `${id.ensemble}-${id.method}-N${String(id.n).padStart(4, '0')}` : `${id.network ?? 'data'}-${id.layer ?? c.id}`;
    const list = groups.get(key) ?? [];
    list.push(c);
    groups.set(key, list);
  }
  const out: ExportGroup[] = [];
  for (const [name, recs] of groups) {
    recs.sort((a, b) => Number(a.identity.first_matrix ?? 0) - Number(b.identity.first_matrix ?? 0));
    const parts = recs.map((r) => decodeChunk(readFileSync(join(dir, r.file)), join(dir, r.file)));
    const total = parts.reduce((s, p) => s + p.values.length, 0);
    const values = new Float64Array(total);
    let off = 0;
    let rows = 0;
    for (const p of parts) {
      values.set(p.values, off);
      off += p.values.length;
      rows += new Set(p.matrix).size;
    }
    const kind = parts[0]!.metadata.get('ergo.kind') === 'eigenvalues' ? 'eigenvalues' : 'eigenphases';
    out.push({ name, kind, rows, cols: total / rows, values });
  }
  return out;
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
        const outDir = resolve(o.out ?? join(root, 'export'));
        mkdirSync(outDir, { recursive: true });
        const written: string[] = [];
        for (const g of collectGroups(root)) {
          const file = join(outDir, `${g.name}.${o.format}`);
          if (o.format === 'npy') {
            const circ = g.kind === 'eigenphases';
            const data = circ ? g.values.map(Math.cos) : g.values;
            const bytes = encodeNpy(
              circ
                ? { dtype: '<c16', shape: [g.rows, g.cols], data, imag: g.values.map(Math.sin) }
                : { dtype: '<f8', shape: [g.rows, g.cols], data },
            );
            writeFileSync(file, bytes);
          } else {
            const lines = [g.kind === 'eigenphases' ? 'matrix,theta,re,im' : 'matrix,value'];
            for (let i = 0; i < g.values.length; i++) {
              const v = g.values[i]!;
              const row = Math.floor(i / g.cols);
              // Shortest round-trip decimal: parsing it gives the same double.
              lines.push(g.kind === 'eigenphases' ? `${row},${v},${Math.cos(v)},${Math.sin(v)}` : `${row},${v}`);
            }
            writeFileSync(file, lines.join('\n') + '\n');
          }
          written.push(relative(process.cwd(), file));
        }
        process.stderr.write(`[ergo] wrote ${written.length} file(s) to ${relative(process.cwd(), outDir) || '.'}\n`);
        return EXIT.ok;
      }),
    );
}
