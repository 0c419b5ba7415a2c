// ergo analyze <files...>: density, Omega and D_se from eigenvalues made elsewhere.
// Each file is one matrix size. Accepted:
//  - .npy complex128/complex64: eigenvalues on (or near) the unit circle; angles = arg(z);
//  - .npy float64/float32: real eigenvalues (or angles with --angles);
//    shape (M, N) or flat (M*N, member-major, then --ensemble-size M is required);
//  - Arrow IPC files (ergo chunk files or any file with `matrix` + `theta`/`value` columns):
//    files with the same N (metadata ergo.n, else values per matrix) are merged.
// Files are ordered by N for D_se. JSON shape on stdout with --json: docs/results.md.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { readNpyFile } from '../../weights/npy.js';
import { decodeChunk } from '../../pipeline/store.js';
import { ergodicityReport, type SeriesInput } from '../../pipeline/aggregate.js';
import { semanticsOption } from '../options.js';
import { action, EXIT, UsageError } from '../errors.js';
import { resultJson } from '../../pipeline/store.js';

interface Loaded {
  file: string;
  kind: 'angle' | 'real';
  n: number;
  members: Float64Array[];
}

function split(file: string, values: Float64Array, m: number): Float64Array[] {
  if (values.length % m !== 0) {
    throw new UsageError(`${file}: ${values.length} eigenvalues do not split into --ensemble-size ${m} matrices`);
  }
  const n = values.length / m;
  return Array.from({ length: m }, (_, j) => values.subarray(j * n, (j + 1) * n));
}

function loadNpy(file: string, ensembleSize: number | undefined, angles: boolean): Loaded {
  const arr = readNpyFile(file);
  let values: Float64Array;
  let kind: Loaded['kind'];
  if (arr.imag) {
    values = new Float64Array(arr.data.length);
    for (let i = 0; i < values.length; i++) values[i] = Math.atan2(arr.imag[i]!, arr.data[i]!);
    kind = 'angle';
  } else {
    values = arr.data;
    kind = angles ? 'angle' : 'real';
  }
  let members: Float64Array[];
  if (arr.shape.length === 2) {
    if (ensembleSize !== undefined && ensembleSize !== arr.shape[0]) {
      throw new UsageError(`${file}: shape (${arr.shape.join(', ')}) has ${arr.shape[0]} matrices but --ensemble-size is ${ensembleSize}`);
    }
    members = split(file, values, arr.shape[0]!);
  } else if (arr.shape.length === 1) {
    if (ensembleSize === undefined) {
      throw new UsageError(`${file}: a flat array of ${values.length} eigenvalues needs --ensemble-size M (how many matrices it holds)`);
    }
    members = split(file, values, ensembleSize);
  } else {
    throw new UsageError(`${file}: expected a 1-d (M*N) or 2-d (M, N) array, got shape (${arr.shape.join(', ')})`);
  }
  return { file, kind, n: members[0]!.length, members };
}

function loadArrow(file: string): Loaded {
  const chunk = decodeChunk(readFileSync(file), file);
  const kind = chunk.metadata.get('ergo.kind') === 'eigenvalues' ? 'real' : 'angle';
  const byMatrix = new Map<number, number[]>();
  chunk.matrix.forEach((j, i) => {
    const list = byMatrix.get(j) ?? [];
    list.push(chunk.values[i]!);
    byMatrix.set(j, list);
  });
  const members = [...byMatrix.keys()].sort((a, b) => a - b).map((j) => Float64Array.from(byMatrix.get(j)!));
  const n = members[0]?.length ?? 0;
  if (!n || members.some((m) => m.length !== n)) throw new UsageError(`${file}: matrices of unequal or zero size`);
  return { file, kind, n, members };
}

function isArrow(file: string): boolean {
  const head = readFileSync(file).subarray(0, 6);
  return head.toString('latin1') === 'ARROW1';
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description('spectral density, Omega and D_se from eigenvalues you already have (.npy or Arrow, one size per file)')
    .argument('<files...>', '.npy (complex128 or float64) or Arrow files, one matrix size each')
    .option('-m, --ensemble-size <M>', 'matrices per file, for flat (M*N) arrays')
    .option('--delta <rad>', 'eigenphase bin width in radians', '0.2')
    .option('--bins <K>', 'bins for real eigenvalues (definition semantics)', '10')
    .option('--semantics <s>', 'definition (default) or bristol (the reference package arithmetic)', 'definition')
    .option('--angles', 'treat real .npy values as eigenphases (radians) rather than real eigenvalues')
    .option('--json', 'print the results as JSON on stdout (shape: docs/results.md)')
    .action(
      action(async (files: string[], o: { ensembleSize?: string; delta: string; bins: string; semantics: string; angles?: boolean; json?: boolean }) => {
        const m = o.ensembleSize === undefined ? undefined : Number(o.ensembleSize);
        if (m !== undefined && (!Number.isInteger(m) || m < 1)) throw new UsageError(`--ensemble-size: expected a whole number >= 1, got "${o.ensembleSize}"`);
        const delta = Number(o.delta);
        if (!(delta > 0 && delta <= 2 * Math.PI)) throw new UsageError(`--delta: expected a number in (0, 2pi], got "${o.delta}"`);
        const bins = Number(o.bins);
        if (!Number.isInteger(bins) || bins < 1) throw new UsageError(`--bins: expected a whole number >= 1, got "${o.bins}"`);
        const semantics = semanticsOption(o.semantics);
        const loaded = files.map((f) => (isArrow(f) ? loadArrow(f) : loadNpy(f, m, !!o.angles)));
        const kinds = new Set(loaded.map((l) => l.kind));
        if (kinds.size > 1) throw new UsageError('files mix complex eigenvalues (angles) and real eigenvalues; analyze one kind at a time');
        // Merge files of the same N (e.g. several Arrow chunks of one size), then order by N.
        const bySize = new Map<number, Loaded[]>();
        for (const l of loaded) bySize.set(l.n, [...(bySize.get(l.n) ?? []), l]);
        const sizes = [...bySize.keys()].sort((a, b) => a - b);
        const series: SeriesInput = {
          label: 'input',
          files: sizes.flatMap((n) => bySize.get(n)!.map((l) => l.file)),
          sizes: sizes.map((n) => ({ n, members: bySize.get(n)!.flatMap((l) => l.members) })),
        };
        const report = ergodicityReport([series], {
          name: files.length === 1 ? basename(files[0]!) : `${files.length} files`,
          experiment: 'analyze',
          semantics,
          kind: loaded[0]!.kind,
          delta,
          bins,
        });
        if (o.json) {
          process.stdout.write(resultJson(report));
          return EXIT.ok;
        }
        const s = report.series[0]!;
        process.stdout.write(`${report.kind === 'angle' ? `eigenphases, delta = ${delta} rad` : `real eigenvalues, ${bins} bins`}, ${semantics} semantics\n`);
        for (const z of s.sizes) process.stdout.write(`N = ${String(z.n).padStart(6)}  M = ${String(z.matrices).padStart(5)}  mean Omega = ${z.omegaMean.toExponential(6)}\n`);
        for (const d of s.dse) process.stdout.write(`D_se(${d.from} -> ${d.to}) = ${d.dse.toExponential(6)}  (log10 ${d.log10Dse.toFixed(4)})\n`);
        return EXIT.ok;
      }),
    );
}
