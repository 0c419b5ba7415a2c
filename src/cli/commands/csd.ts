// ergo csd <model...>: circular spectral difference, conjugacy and architecture equivalence.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { WEIGHTS_FORMATS } from '../../weights/formats.js';
import { DEFAULT_BINS, DEFAULT_E_MAX, DEFAULT_TOLERANCE, DEFAULT_DRAWS } from '../../spectral/csd.js';
import { DEFAULT_EQUIVALENCE_DELTA } from '../../spectral/equivalence.js';
import { NORMALISE } from '../../pipeline/config/types.js';
import { action, type Command } from '../command.js';
import { choice, number, regex, wholeNumber, workers } from '../parsers.js';
import { runSession, wroteLine, pathArg } from '../session.js';
import { printReport } from './print.js';

interface Flags {
  delta: number;
  emax: number;
  bins: number;
  tolerance: number;
  draws: number;
  seed: string;
  against: string;
  normalise: 'none' | 'trace';
  gaussianInit?: boolean;
  include?: string;
  exclude?: string;
  format?: string;
  workers: number;
  out: string;
  cache?: string;
  json?: boolean;
}

export function register(cmd: Command): void {
  const { program, io } = cmd;
  program
    .command('csd')
    .description('circular spectral difference of networks against their conjugate circular ensemble; Var(CSD) and equivalence classes')
    .argument('<models...>', 'weights files (safetensors, .npy/.npz, ONNX, TF.js model.json) or .npy folders')
    .option('--delta <D>', 'equivalence tolerance on |Var(CSD_1) - Var(CSD_2)|', number('--delta', (x) => x >= 0, 'a number >= 0'), DEFAULT_EQUIVALENCE_DELTA)
    .option('--emax <E>', 'upper end of the spectral window [0, e_max]', number('--emax', (x) => x > 0, 'a number > 0'), DEFAULT_E_MAX)
    .option('--bins <K>', 'bins on [0, e_max]', wholeNumber('--bins', 1), DEFAULT_BINS)
    .option('--tolerance <t>', 'conjugate when |cumulative CSD at e_max| is below this', number('--tolerance', (x) => x > 0, 'a number > 0'), DEFAULT_TOLERANCE)
    .option('--draws <n>', 'independent circular draws (Var(CSD) mean and std)', wholeNumber('--draws', 1), DEFAULT_DRAWS)
    .option('--seed <s>', 'seed of the circular draws', '0')
    .option('--against <what>', 'circular (default), gaussian, or a model file to compare with', 'circular')
    .option('--normalise <how>', 'none (default) or trace: divide each layer spectrum by its mean eigenvalue first', choice('--normalise', NORMALISE), 'none')
    .option('--gaussian-init', 'also report a Gaussian-initialised twin (same shapes, N(0, 1/fan_in)) of each network')
    .option('--include <re>', 'keep only tensors whose name matches', regex('--include'))
    .option('--exclude <re>', 'drop tensors whose name matches', regex('--exclude'))
    .option('--format <fmt>', `skip format detection (${WEIGHTS_FORMATS.join(', ')})`, choice('--format', WEIGHTS_FORMATS))
    .option('-w, --workers <n>', 'worker threads (0 = main thread)', workers, availableParallelism())
    .option('-o, --out <dir>', 'run directory: manifest, chunks, results and plots', 'runs/csd')
    .option('--cache <dir>', 'spectrum cache (default $ERGO_CACHE or ~/.cache/ergo)')
    .option('--json', 'print the results as JSON on stdout (shape: docs/results.md)')
    .action(
      action(cmd, async (models: string[], o: Flags) => {
        const { networkSpecs, parseAgainst } = await import('../../pipeline/config/load.js');
        const { defaultCacheDir } = await import('../../pipeline/runtime/cache.js');
        const { resultJson } = await import('../../pipeline/report/json.js');
        const filters = { ...(o.include !== undefined ? { include: o.include } : {}), ...(o.exclude !== undefined ? { exclude: o.exclude } : {}), ...(o.format ? { format: o.format } : {}) };
        const against = parseAgainst(o.against === 'circular' || o.against === 'gaussian' ? o.against : pathArg(io, o.against));
        if (typeof against === 'object' && o.format) against.network.format = o.format;
        const cfg = {
          experiment: 'csd' as const,
          name: 'csd',
          // A string seed, as the command has always used (the reference draws depend on it).
          seed: o.seed,
          semantics: 'definition' as const,
          retries: 0,
          reuse: [],
          plot: { maxPoints: 4096 },
          networks: networkSpecs(models.map((m) => pathArg(io, m)), filters),
          csd: { eMax: o.emax, bins: o.bins, tolerance: o.tolerance, delta: o.delta, draws: o.draws, against, gaussianInit: !!o.gaussianInit, normalise: o.normalise },
        };
        const outDir = resolve(io.cwd, o.out);
        const { result, code } = await runSession(
          cfg,
          { outDir, workers: o.workers, cacheDir: resolve(io.cwd, o.cache ?? defaultCacheDir(io.env)), onConfigChange: 'replace', quiet: !!o.json, resumeWith: 'the same command' },
          io,
        );
        const r = result.report;
        if (code !== 0 || r?.experiment !== 'csd') return code;
        if (o.json) io.stdout.write(resultJson(r));
        else printReport(io, r);
        const s = result.summary;
        io.stderr.write(`[ergo] spectra: ${s.computed} computed, ${s.total - s.computed} from the cache\n`);
        wroteLine(io, result.files);
        return code;
      }),
    );
}
