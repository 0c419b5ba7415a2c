// What `ergo cpse` and `ergo csd` share: the flags that pick layers and say where the run
// goes, and running the experiment (a run directory; the spectrum cache across runs).
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command as Program } from 'commander';
import { WEIGHTS_FORMATS } from '../../weights/formats.js';
import type { RunConfig, NetworkSpec } from '../../pipeline/config/types.js';
import type { ExperimentReport, ExperimentResult } from '../../pipeline/experiments/index.js';
import { choice, regex, workers, collect, ALLOW_PATH_HELP } from '../parsers.js';
import { queueUrl, workersWithQueue } from '../queueflags.js';
import { deprecatedAlias } from '../aliases.js';
import { define } from '../command.js';
import type { QueueUrl } from '../../pipeline/runtime/queueurl.js';
import { figureOptions, figureChoice, runSession, wroteLine, pathArg } from '../session.js';
import type { Io } from '../io.js';
import { EXIT } from '../errors.js';
import { printReport } from './print.js';

export interface NetworkFlags {
  include?: string;
  exclude?: string;
  inputFormat?: string;
  allowPath?: string[];
  workers: number;
  out?: string;
  cache?: string;
  json?: boolean;
  quiet?: boolean;
  queue?: QueueUrl;
  report?: boolean;
  plots?: boolean;
}

/** The command `name` with its description and the model arguments both commands take. */
export function networkCommand(program: Program, name: string, modelsOptional = false): Program {
  return define(program, name, 'print the results as JSON on stdout (shape: docs/results.md); writes no run directory unless -o is given')
    .argument(modelsOptional ? '[models...]' : '<models...>', 'weights files (safetensors, .npy/.npz, ONNX, TF.js model.json, PyTorch, GGUF, Keras .h5/.keras), Hugging Face or .npy folders');
}

/** Add the shared flags; `name` is the experiment (default run directory runs/<name>). */
export function networkOptions(c: Program, name: string): Program {
  c.option('--include <re>', 'keep only tensors whose name matches', regex('--include'))
    .option('--exclude <re>', 'drop tensors whose name matches (e.g. fixed, non-trained buffers)', regex('--exclude'))
    .option('--input-format <fmt>', `skip format detection (${WEIGHTS_FORMATS.join(', ')})`, choice('--input-format', WEIGHTS_FORMATS))
    .option('--allow-path <dir>', ALLOW_PATH_HELP, collect)
    .option('-w, --workers <n>', 'worker threads (0 = main thread)', workers, availableParallelism())
    .option('-o, --out <dir>', `run directory: manifest, chunks, results and plots (default runs/${name}; with --json, no files unless --out is given)`)
    .option('--cache <dir>', 'spectrum cache shared by runs (default $ERGO_CACHE or ~/.cache/ergo)')
    .option('--queue <url>', 'compute the layers through this Redis (redis://HOST:PORT[/DB]) by `ergo worker` processes that reach the model at the same path (docs/distributed.md)', queueUrl)
    .hook('preAction', (self) => workersWithQueue(self.getOptionValueSource('workers') === 'cli', self.opts().queue));
  figureOptions(c);
  return deprecatedAlias(c, '--format <fmt>', '--input-format', choice('--format', WEIGHTS_FORMATS));
}

/** The network specs of the model arguments, with the filter flags applied. */
export async function specsOf(io: Io, models: readonly string[], o: NetworkFlags): Promise<NetworkSpec[]> {
  const { networkSpecs } = await import('../../pipeline/config/load.js');
  const filters = { ...(o.include !== undefined ? { include: o.include } : {}), ...(o.exclude !== undefined ? { exclude: o.exclude } : {}), ...(o.inputFormat ? { format: o.inputFormat } : {}), ...(o.allowPath?.length ? { allowPaths: o.allowPath.map((d) => pathArg(io, d)) } : {}) };
  return networkSpecs(models.map((m) => pathArg(io, m)), filters);
}

/** Keys of a command-line config that no flag sets. */
export const FIXED = { retries: 0, reuse: [], plot: { maxPoints: 4096 } };

/**
 * Run a network experiment from flags: the directory's old run of other inputs is replaced
 * (the command line is the config), spectra come from and go to the cache. Prints the JSON
 * or the table; returns the result (undefined report when interrupted or failed) and code.
 */
export async function runNetworks(io: Io, cfg: RunConfig, o: NetworkFlags): Promise<{ result: ExperimentResult; code: number; report?: ExperimentReport }> {
  const { defaultCacheDir } = await import('../../pipeline/runtime/cache.js');
  const { resultJson } = await import('../../pipeline/report/json.js');
  // --json alone writes no run directory: the run lives in a temporary one, removed afterwards.
  const temporary = o.json && o.out === undefined;
  const outDir = temporary ? mkdtempSync(join(tmpdir(), `ergo-${cfg.name}-`)) : resolve(io.cwd, o.out ?? `runs/${cfg.name}`);
  const cacheDir = resolve(io.cwd, o.cache ?? defaultCacheDir(io.env));
  try {
    const { result, code } = await runSession(cfg, { outDir, workers: o.workers, cacheDir, onConfigChange: 'replace', quiet: !!o.json, resumeWith: 'the same command', ...(o.queue ? { queue: o.queue } : {}), ...(temporary ? { writeOutputs: false } : figureChoice(o)) }, io);
    const report = code === 0 || code === EXIT.partial ? result.report : undefined;
    if (report) {
      if (o.json) io.stdout.write(resultJson(report));
      else await printReport(io, report);
    }
    if (temporary) result.files = [];
    return { result, code, ...(report ? { report } : {}) };
  } finally {
    if (temporary) rmSync(outDir, { recursive: true, force: true });
  }
}

export { wroteLine };
