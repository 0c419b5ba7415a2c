// ergo cpse <model...>: per-depth periodic spectral ergodicity and the cPSE number.
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { resolve, relative } from 'node:path';
import { defaultCacheDir } from '../../pipeline/spectra.js';
import { cpseReport, cpseTable, writeCpseReport } from '../../pipeline/networks.js';
import type { WeightsFormat } from '../../weights/index.js';
import { layerProgress } from '../layerprogress.js';
import { action, EXIT, UsageError } from '../errors.js';
import { parseWorkers, withExecutor, networkSpecs, semanticsOption } from '../options.js';
import { resultJson } from '../../pipeline/store.js';

export function register(program: Command): void {
  program
    .command('cpse')
    .description('cascading periodic spectral ergodicity of trained networks: d_layers per depth and cPSE')
    .argument('<models...>', 'weights files (safetensors, .npy/.npz, ONNX, TF.js model.json, GGUF, Keras .h5/.keras) or .npy folders')
    .option('--semantics <s>', 'definition (default) or bristol', 'definition')
    .option('--vanilla', 'the files hold matrices M given directly: eigenvalues of M M^T (the reference vanilla entry)')
    .option('--include <re>', 'keep only tensors whose name matches')
    .option('--exclude <re>', 'drop tensors whose name matches (e.g. fixed, non-trained buffers)')
    .option('--format <fmt>', 'skip format detection (safetensors, npy, npz, npy-dir, onnx, tfjs, gguf, keras-h5, keras)')
    .option('--bins <K>', 'Omega bins for real eigenvalues (definition semantics)', '10')
    .option('-w, --workers <n>', 'worker threads (0 = main thread)', String(availableParallelism()))
    .option('-o, --out <dir>', 'where results and plots go', 'runs/cpse')
    .option('--cache <dir>', 'layer spectrum cache (default $ERGO_CACHE or ~/.cache/ergo)')
    .option('--json', 'print the results as JSON on stdout (shape: docs/results.md)')
    .action(
      action(async (models: string[], o: Record<string, string | boolean | undefined>) => {
        const semantics = semanticsOption(String(o.semantics));
        const bins = Number(o.bins);
        if (!Number.isInteger(bins) || bins < 1) throw new UsageError(`--bins: expected a whole number >= 1, got "${o.bins}"`);
        const specs = networkSpecs(models, o as { include?: string; exclude?: string });
        const progress = layerProgress();
        const report = await withExecutor(parseWorkers(String(o.workers)), (executor, signal) =>
          cpseReport(
            specs,
            {
              executor,
              cacheDir: resolve(typeof o.cache === 'string' ? o.cache : defaultCacheDir()),
              semantics,
              vanilla: !!o.vanilla,
              signal,
              onEvent: (e) => {
                if (e.type === 'layer' && !o.json) process.stderr.write(progress(e) + '\n');
              },
            },
            o.format ? { bins, format: o.format as WeightsFormat } : { bins },
          ),
        );
        const files = await writeCpseReport(resolve(String(o.out)), report);
        if (o.json) process.stdout.write(resultJson(report));
        else process.stdout.write(cpseTable(report));
        process.stderr.write(`[ergo] wrote ${files.map((f) => relative(process.cwd(), f)).join(', ')}\n`);
        return EXIT.ok;
      }),
    );
}
