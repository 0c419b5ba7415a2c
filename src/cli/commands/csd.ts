// ergo csd <model...>: circular spectral difference, conjugacy and architecture equivalence.
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { resolve, relative } from 'node:path';
import { defaultCacheDir } from '../../pipeline/spectra.js';
import { csdReport, csdTable, writeCsdReport, type CsdOptions } from '../../pipeline/csdreport.js';
import type { WeightsFormat } from '../../weights/index.js';
import { layerProgress } from '../layerprogress.js';
import { action, EXIT, UsageError } from '../errors.js';
import { parseWorkers, withExecutor, networkSpecs } from '../options.js';
import { resultJson } from '../../pipeline/store.js';

function num(flag: string, v: string, ok: (x: number) => boolean, what: string): number {
  const x = Number(v);
  if (!ok(x)) throw new UsageError(`${flag}: expected ${what}, got "${v}"`);
  return x;
}

export function register(program: Command): void {
  program
    .command('csd')
    .description('circular spectral difference of networks against their conjugate circular ensemble; Var(CSD) and equivalence classes')
    .argument('<models...>', 'weights files (safetensors, .npy/.npz, ONNX, TF.js model.json, GGUF, Keras .h5/.keras) or .npy folders')
    .option('--delta <D>', 'equivalence tolerance on |Var(CSD_1) - Var(CSD_2)|', '0.1')
    .option('--emax <E>', 'upper end of the spectral window [0, e_max]', '6')
    .option('--bins <K>', 'bins on [0, e_max]', '1000')
    .option('--tolerance <t>', 'conjugate when |cumulative CSD at e_max| is below this', '0.05')
    .option('--draws <n>', 'independent circular draws (Var(CSD) mean and std)', '5')
    .option('--seed <s>', 'seed of the circular draws', '0')
    .option('--against <what>', 'circular (default), gaussian, or a model file to compare with', 'circular')
    .option('--normalise <how>', 'none (default) or trace: divide each layer spectrum by its mean eigenvalue first', 'none')
    .option('--gaussian-init', 'also report a Gaussian-initialised twin (same shapes, N(0, 1/fan_in)) of each network')
    .option('--include <re>', 'keep only tensors whose name matches')
    .option('--exclude <re>', 'drop tensors whose name matches')
    .option('--format <fmt>', 'skip format detection (safetensors, npy, npz, npy-dir, onnx, tfjs, gguf, keras-h5, keras)')
    .option('-w, --workers <n>', 'worker threads (0 = main thread)', String(availableParallelism()))
    .option('-o, --out <dir>', 'where results and plots go', 'runs/csd')
    .option('--cache <dir>', 'spectrum cache (default $ERGO_CACHE or ~/.cache/ergo)')
    .option('--json', 'print the results as JSON on stdout (shape: docs/results.md)')
    .action(
      action(async (models: string[], o: Record<string, string | boolean | undefined>) => {
        const specs = networkSpecs(models, o as { include?: string; exclude?: string });
        const progress = layerProgress();
        const against: CsdOptions['against'] =
          o.against === 'circular' ? 'circular-mixed' : o.against === 'gaussian' ? 'gaussian' : { network: networkSpecs([String(o.against)], {})[0]! };
        const opts: CsdOptions = {
          eMax: num('--emax', String(o.emax), (x) => x > 0 && Number.isFinite(x), 'a number > 0'),
          bins: num('--bins', String(o.bins), (x) => Number.isInteger(x) && x >= 1, 'a whole number >= 1'),
          tolerance: num('--tolerance', String(o.tolerance), (x) => x > 0 && Number.isFinite(x), 'a number > 0'),
          delta: num('--delta', String(o.delta), (x) => x >= 0 && Number.isFinite(x), 'a number >= 0'),
          draws: num('--draws', String(o.draws), (x) => Number.isInteger(x) && x >= 1, 'a whole number >= 1'),
          seed: String(o.seed),
          against,
          gaussianTwin: !!o.gaussianInit,
          normalise: o.normalise === 'trace' ? 'trace' : o.normalise === 'none' ? 'none' : (() => { throw new UsageError(`--normalise: expected none or trace, got "${o.normalise}"`); })(),
          ...(o.format ? { format: o.format as WeightsFormat } : {}),
        };
        let computed = 0;
        let fromCache = 0;
        const report = await withExecutor(parseWorkers(String(o.workers)), (executor, signal) =>
          csdReport(
            specs,
            {
              executor,
              cacheDir: resolve(typeof o.cache === 'string' ? o.cache : defaultCacheDir()),
              semantics: 'definition',
              signal,
              onEvent: (e) => {
                if (e.cached) fromCache++;
                else computed++;
                if (o.json) return;
                if (e.type === 'layer') {
                  const line = progress(e); // every event feeds the rate; every 10th layer is printed
                  if (e.done === e.total || e.done % 10 === 0) process.stderr.write(line + '\n');
                }
                if (e.type === 'reference' && (e.done === e.total || e.done % 20 === 0)) process.stderr.write(`[ergo] ${e.family}: ${e.done}/${e.total} reference matrices\n`);
              },
            },
            opts,
          ),
        );
        const files = await writeCsdReport(resolve(String(o.out)), report);
        if (o.json) process.stdout.write(resultJson(report));
        else process.stdout.write(csdTable(report));
        process.stderr.write(`[ergo] spectra: ${computed} computed, ${fromCache} from the cache\n`);
        process.stderr.write(`[ergo] wrote ${files.map((f) => relative(process.cwd(), f)).join(', ')}\n`);
        return EXIT.ok;
      }),
    );
}
