// ergo analyze <files...>: density, Omega and D_se from eigenvalues made elsewhere
// (accepted files: pipeline/experiments/analyze.ts). JSON shape with --json: docs/results.md.
// --density prints the spectral density itself (per size, the histogram Omega is built from).
import { DEFAULT_DELTA, DEFAULT_REAL_BINS } from '../../spectral/density.js';
import { SEMANTICS, type Semantics } from '../../spectral/semantics.js';
import { action, define, type Command, type OutputFlags } from '../command.js';
import { choice, number, seed, wholeNumber, probability } from '../parsers.js';
import { DEFAULT_LEVEL, DEFAULT_RESAMPLES } from '../../spectral/bootstrap.js';
import { textTable } from '../../pipeline/report/table.js';
import { EXIT } from '../errors.js';
import { pathArg } from '../session.js';

interface Flags extends OutputFlags {
  ensembleSize?: number;
  delta: number;
  bins: number;
  semantics: Semantics;
  angles?: boolean;
  resamples: number;
  level: number;
  resampleSeed: string | number;
  pool?: boolean;
  density?: boolean;
}

export function register(cmd: Command): void {
  const { program, io } = cmd;
  define(program, 'analyze', 'print the results as JSON on stdout (shape: docs/results.md)')
    .argument('<files...>', '.npy (complex128 or float64) or Arrow files, one matrix size each')
    .option('-m, --ensemble-size <M>', 'matrices per file, for flat (M*N) arrays', wholeNumber('--ensemble-size', 1))
    .option('--delta <rad>', 'eigenphase bin width in radians', number('--delta', (x) => x > 0 && x <= 2 * Math.PI, 'a number in (0, 2pi]'), DEFAULT_DELTA)
    .option('--bins <K>', 'bins for real eigenvalues (definition semantics)', wholeNumber('--bins', 1), DEFAULT_REAL_BINS)
    .option('--semantics <s>', `${SEMANTICS.join(' or ')} (the reference package arithmetic)`, choice('--semantics', SEMANTICS), 'definition')
    .option('--angles', 'treat real .npy values as eigenphases (radians) rather than real eigenvalues')
    .option('--resamples <B>', 'bootstrap replicates of the D_se intervals', wholeNumber('--resamples', 2), DEFAULT_RESAMPLES)
    .option('--level <l>', 'level of the D_se intervals', probability('--level'), DEFAULT_LEVEL)
    .option('--resample-seed <s>', 'seed of the bootstrap resampling', seed, 0)
    .option('--pool', 'allow files of different ensembles (CUE, COE, CSE, or samplers) in one series; refused otherwise')
    .option('--density', 'also print the spectral density of each size (bin centre and density; in the JSON with --json)')
    .action(
      action(cmd, async (files: string[], o: Flags) => {
        const { analyzeFiles } = await import('../../pipeline/experiments/analyze.js');
        const { resultJson } = await import('../../pipeline/report/json.js');
        const report = analyzeFiles(
          files.map((f) => pathArg(io, f)),
          { delta: o.delta, bins: o.bins, semantics: o.semantics, uncertainty: { resamples: o.resamples, level: o.level, seed: o.resampleSeed }, ...(o.angles ? { angles: true } : {}), ...(o.pool ? { pool: true } : {}), ...(o.density ? { density: true } : {}), ...(o.ensembleSize !== undefined ? { ensembleSize: o.ensembleSize } : {}) },
        );
        if (o.json) {
          io.stdout.write(resultJson(report));
          return EXIT.ok;
        }
        const s = report.series[0]!;
        io.stdout.write(`${report.kind === 'angle' ? `eigenphases, delta = ${o.delta} rad` : `real eigenvalues, ${o.bins} bins`}, ${o.semantics} semantics\n`);
        for (const z of s.sizes) io.stdout.write(`N = ${String(z.n).padStart(6)}  M = ${String(z.matrices).padStart(5)}  mean Omega = ${z.omegaMean.toExponential(6)}\n`);
        const ci = (d: (typeof s.dse)[number]): string => (d.dseLow === null || d.dseHigh === null ? '' : `  ${(o.level * 100).toFixed(0)}% interval [${d.dseLow.toExponential(3)}, ${d.dseHigh.toExponential(3)}]`);
        for (const d of s.dse) io.stdout.write(`D_se(${d.from} -> ${d.to}) = ${d.dse.toExponential(6)}  (log10 ${d.log10Dse.toFixed(4)})${ci(d)}\n`);
        for (const z of report.density ?? []) {
          io.stdout.write(`spectral density, N = ${z.n}, M = ${z.matrices} (eigenvalues per bin per matrix):\n`);
          const rows = [[report.kind === 'angle' ? 'theta (bin centre)' : 'lambda (bin centre)', 'density'], ...z.centres.map((c, k) => [c.toPrecision(6), z.density[k]!.toPrecision(6)])];
          io.stdout.write(textTable(rows, { align: ['right', 'right'], indent: '  ' }).join('\n') + '\n');
        }
        return EXIT.ok;
      }),
    );
}
