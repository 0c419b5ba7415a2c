// ergo cpse <model...>: per-depth periodic spectral ergodicity and the cPSE number.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { SEMANTICS, type Semantics } from '../../spectral/semantics.js';
import { WEIGHTS_FORMATS } from '../../weights/formats.js';
import { DEFAULT_REAL_BINS } from '../../spectral/density.js';
import { action, type Command } from '../command.js';
import { choice, regex, wholeNumber, workers } from '../parsers.js';
import { runSession, wroteLine, pathArg } from '../session.js';
import { printReport } from './print.js';

interface Flags {
  semantics: Semantics;
  vanilla?: boolean;
  include?: string;
  exclude?: string;
  format?: string;
  bins: number;
  workers: number;
  out: string;
  cache?: string;
  json?: boolean;
}

export function register(cmd: Command): void {
  const { program, io } = cmd;
  program
    .command('cpse')
    .description('cascading periodic spectral ergodicity of trained networks: d_layers per depth and cPSE')
    .argument('<models...>', 'weights files (safetensors, .npy/.npz, ONNX, TF.js model.json) or .npy folders')
    .option('--semantics <s>', `${SEMANTICS.join(' or ')}`, choice('--semantics', SEMANTICS), 'definition')
    .option('--vanilla', 'the files hold matrices M given directly: eigenvalues of M M^T (the reference vanilla entry)')
    .option('--include <re>', 'keep only tensors whose name matches', regex('--include'))
    .option('--exclude <re>', 'drop tensors whose name matches (e.g. fixed, non-trained buffers)', regex('--exclude'))
    .option('--format <fmt>', `skip format detection (${WEIGHTS_FORMATS.join(', ')})`, choice('--format', WEIGHTS_FORMATS))
    .option('--bins <K>', 'Omega bins for real eigenvalues (definition semantics)', wholeNumber('--bins', 1), DEFAULT_REAL_BINS)
    .option('-w, --workers <n>', 'worker threads (0 = main thread)', workers, availableParallelism())
    .option('-o, --out <dir>', 'run directory: manifest, chunks, results and plots', 'runs/cpse')
    .option('--cache <dir>', 'layer spectrum cache (default $ERGO_CACHE or ~/.cache/ergo)')
    .option('--json', 'print the results as JSON on stdout (shape: docs/results.md)')
    .action(
      action(cmd, async (models: string[], o: Flags) => {
        const { networkSpecs } = await import('../../pipeline/config/load.js');
        const { defaultCacheDir } = await import('../../pipeline/runtime/cache.js');
        const { resultJson } = await import('../../pipeline/report/json.js');
        const filters = { ...(o.include !== undefined ? { include: o.include } : {}), ...(o.exclude !== undefined ? { exclude: o.exclude } : {}), ...(o.format ? { format: o.format } : {}) };
        const cfg = {
          experiment: 'cpse' as const,
          name: 'cpse',
          seed: 0,
          semantics: o.semantics,
          retries: 0,
          reuse: [],
          plot: { maxPoints: 4096 },
          networks: networkSpecs(models.map((m) => pathArg(io, m)), filters),
          bins: o.bins,
          vanilla: !!o.vanilla,
        };
        const outDir = resolve(io.cwd, o.out);
        const { result, code } = await runSession(
          cfg,
          { outDir, workers: o.workers, cacheDir: resolve(io.cwd, o.cache ?? defaultCacheDir(io.env)), onConfigChange: 'replace', quiet: !!o.json, resumeWith: 'the same command' },
          io,
        );
        const r = result.report;
        if (code !== 0 || r?.experiment !== 'cpse') return code;
        if (o.json) io.stdout.write(resultJson(r));
        else {
          for (const n of r.networks) n.layers.forEach((l, i) => io.stderr.write(`[ergo] ${n.name}: layer ${i + 1}/${n.layers.length} ${l.name}${l.cached ? ' (cached)' : ''}\n`));
          printReport(io, r);
        }
        wroteLine(io, result.files);
        return code;
      }),
    );
}
