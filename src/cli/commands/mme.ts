// ergo mme: periodic spectral ergodicity of a mixed matrix ensemble (orders ~ Binomial(N, p),
// members |U| with U from a circular ensemble); see src/pipeline/experiments/mme.ts.
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ENSEMBLES, DENSE_METHODS, type EnsembleName } from '../../ensembles/names.js';
import type { DenseMethod } from '../../ensembles/dense.js';
import { SEMANTICS, type Semantics } from '../../spectral/semantics.js';
import { DEFAULT_REAL_BINS } from '../../spectral/density.js';
import { DEFAULT_LEVEL } from '../../spectral/bootstrap.js';
import { DEFAULT_MME_DRAWS } from '../../pipeline/config/types.js';
import { action, define, type Command, type OutputFlags } from '../command.js';
import { choice, number, seed, wholeNumber, probability } from '../parsers.js';
import { figureOptions, figureChoice, runSession, wroteLine } from '../session.js';
import { printReport } from './print.js';

interface Flags extends OutputFlags {
  ensemble: EnsembleName;
  order: number;
  p: number;
  count: number;
  seed: string | number;
  method: DenseMethod;
  semantics: Semantics;
  bins: number;
  draws: number;
  level: number;
  report?: boolean;
  plots?: boolean;
}

export function register(cmd: Command): void {
  const { program, io } = cmd;
  figureOptions(define(program, 'mme', 'print the results as JSON')
    .requiredOption('--ensemble <name>', ENSEMBLES.join(', '), choice('--ensemble', ENSEMBLES, (s) => s.toUpperCase()))
    .requiredOption('--order <N>', 'N of Binomial(N, p): the largest order', wholeNumber('--order', 2))
    .requiredOption('--p <p>', 'degree of mixture p in (0, 1]', number('--p', (x) => x > 0 && x <= 1, 'a number in (0, 1]'))
    .requiredOption('--count <M>', 'number of matrices', wholeNumber('--count', 1))
    .option('--seed <s>', 'seed of the draw', seed, 0)
    .option('--method <m>', 'unitary sampler: qr (Haar via QR with phase fix) or eigvec', choice('--method', DENSE_METHODS), 'qr')
    .option('--semantics <s>', SEMANTICS.join(' or '), choice('--semantics', SEMANTICS), 'definition')
    .option('--bins <K>', 'Omega bins (definition semantics)', wholeNumber('--bins', 1), DEFAULT_REAL_BINS)
    .option('--draws <D>', 'independent MMEs; with D >= 2 the cPSE gets an interval over draws', wholeNumber('--draws', 1), DEFAULT_MME_DRAWS)
    .option('--level <l>', 'level of the cPSE interval over draws', probability('--level'), DEFAULT_LEVEL)
    .option('-o, --out <dir>', 'run directory: manifest, chunks, results/mme.json and plots/mme-depth.svg'))
    .action(
      action(cmd, async (o: Flags) => {
        const { mmeConfig } = await import('../../pipeline/experiments/mme.js');
        const { resultJson } = await import('../../pipeline/report/json.js');
        const cfg = mmeConfig({ ensemble: o.ensemble, method: o.method, order: o.order, p: o.p, count: o.count, seed: o.seed, semantics: o.semantics, bins: o.bins, draws: o.draws, level: o.level });
        // Without --out the run lives in a temporary directory, removed afterwards.
        const outDir = o.out !== undefined ? resolve(io.cwd, o.out) : mkdtempSync(join(tmpdir(), 'ergo-mme-'));
        try {
          const { result, code } = await runSession(cfg, { outDir, workers: 0, onConfigChange: 'replace', quiet: true, resumeWith: 'the same command', ...(o.out === undefined ? { writeOutputs: false } : figureChoice(o)) }, io);
          const r = result.report;
          if (code !== 0 || r?.experiment !== 'mme') return code;
          if (o.json) io.stdout.write(resultJson(r));
          else await printReport(io, r);
          if (o.out !== undefined) wroteLine(io, result.files);
          return code;
        } finally {
          if (o.out === undefined) rmSync(outDir, { recursive: true, force: true });
        }
      }),
    );
}
