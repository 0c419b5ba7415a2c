// ergo cpse <model...>: per-depth periodic spectral ergodicity and the cPSE number.
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { basename, extname, resolve, relative } from 'node:path';
import { createExecutor } from '../../pipeline/executor.js';
import { defaultCacheDir } from '../../pipeline/spectra.js';
import { cpseReport, cpseTable, writeCpseReport } from '../../pipeline/networks.js';
import type { NetworkSpec } from '../../pipeline/config.js';
import type { WeightsFormat } from '../../weights/index.js';
import { parseSemantics } from '../../spectral/semantics.js';
import { action, EXIT, UsageError } from '../errors.js';
import { parseWorkers, interruptController } from './run.js';

export function checkRegex(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    new RegExp(text);
  } catch (e) {
    throw new UsageError(`${flag}: not a valid regular expression: ${(e as Error).message}`);
  }
  return text;
}

export function semanticsOption(s: string) {
  try {
    return parseSemantics(s);
  } catch {
    throw new UsageError(`--semantics: expected definition or bristol, got "${s}"`);
  }
}

export function networkSpecs(models: string[], o: { include?: string; exclude?: string }): NetworkSpec[] {
  const include = checkRegex('--include', o.include);
  const exclude = checkRegex('--exclude', o.exclude);
  const names = new Map<string, number>();
  return models.map((path) => {
    // model.json files are all called model: name them by their folder instead.
    let name = basename(path, extname(path));
    if (name === 'model' || name.endsWith('weights_manifest')) name = basename(resolve(path, '..')) + (name === 'model' ? '' : `/${name}`);
    const k = names.get(name) ?? 0;
    names.set(name, k + 1);
    return { path, name: k ? `${name}#${k + 1}` : name, ...(include !== undefined ? { include } : {}), ...(exclude !== undefined ? { exclude } : {}) };
  });
}

export function register(program: Command): void {
  program
    .command('cpse')
    .description('cascading periodic spectral ergodicity of trained networks: d_layers per depth and cPSE')
    .argument('<models...>', 'weights files (safetensors, .npy/.npz, ONNX, TF.js model.json) or .npy folders')
    .option('--semantics <s>', 'definition (default) or bristol', 'definition')
    .option('--vanilla', 'the files hold matrices M given directly: eigenvalues of M M^T (the reference vanilla entry)')
    .option('--include <re>', 'keep only tensors whose name matches')
    .option('--exclude <re>', 'drop tensors whose name matches (e.g. fixed, non-trained buffers)')
    .option('--format <fmt>', 'skip format detection (safetensors, npy, npz, npy-dir, onnx, tfjs)')
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
        const executor = createExecutor(parseWorkers(String(o.workers)));
        const interrupt = interruptController();
        let report;
        try {
          report = await cpseReport(
            specs,
            {
              executor,
              cacheDir: resolve(typeof o.cache === 'string' ? o.cache : defaultCacheDir()),
              semantics,
              vanilla: !!o.vanilla,
              signal: interrupt.signal,
              onEvent: (e) => {
                if (e.type === 'layer' && !o.json) process.stderr.write(`[ergo] ${e.network}: layer ${e.done}/${e.total} ${e.name}${e.cached ? ' (cached)' : ''}\n`);
              },
            },
            o.format ? { bins, format: o.format as WeightsFormat } : { bins },
          );
        } finally {
          interrupt.dispose();
          await executor.close();
        }
        const files = await writeCpseReport(resolve(String(o.out)), report);
        if (o.json) process.stdout.write(JSON.stringify(report, null, 1) + '\n');
        else process.stdout.write(cpseTable(report));
        process.stderr.write(`[ergo] wrote ${files.map((f) => relative(process.cwd(), f)).join(', ')}\n`);
        return EXIT.ok;
      }),
    );
}
