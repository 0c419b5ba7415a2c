// What `ergo cpse` and `ergo csd` share: the flags that pick layers and say where the run
// goes, and running the experiment (a run directory; the spectrum cache across runs).
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Command as Program } from 'commander';
import { WEIGHTS_FORMATS } from '../../weights/formats.js';
import type { RunConfig, NetworkSpec } from '../../pipeline/config/types.js';
import type { ExperimentReport, ExperimentResult } from '../../pipeline/experiments/index.js';
import { choice, regex, workers, collect, queueUrl, workersWithQueue, ALLOW_PATH_HELP } from '../parsers.js';
import type { QueueUrl } from '../../pipeline/runtime/queueurl.js';
import { runSession, wroteLine, pathArg } from '../session.js';
import type { Io } from '../io.js';
import { printReport } from './print.js';

export interface NetworkFlags {
  include?: string;
  exclude?: string;
  format?: string;
  allowPath?: string[];
  workers: number;
  out: string;
  cache?: string;
  json?: boolean;
  queue?: QueueUrl;
}

/** The command `name` with its description and the model arguments both commands take. */
export function networkCommand(program: Program, name: string, description: string): Program {
  return program
    .command(name)
    .description(description)
    .argument('<models...>', 'weights files (safetensors, .npy/.npz, ONNX, TF.js model.json, PyTorch, GGUF, Keras .h5/.keras), Hugging Face or .npy folders');
}

/** Add the shared flags; `name` is the experiment (default run directory runs/<name>). */
export function networkOptions(c: Program, name: string): Program {
  return c
    .option('--include <re>', 'keep only tensors whose name matches', regex('--include'))
    .option('--exclude <re>', 'drop tensors whose name matches (e.g. fixed, non-trained buffers)', regex('--exclude'))
    .option('--format <fmt>', `skip format detection (${WEIGHTS_FORMATS.join(', ')})`, choice('--format', WEIGHTS_FORMATS))
    .option('--allow-path <dir>', ALLOW_PATH_HELP, collect)
    .option('-w, --workers <n>', 'worker threads (0 = main thread)', workers, availableParallelism())
    .option('-o, --out <dir>', 'run directory: manifest, chunks, results and plots', `runs/${name}`)
    .option('--cache <dir>', 'spectrum cache shared by runs (default $ERGO_CACHE or ~/.cache/ergo)')
    .option('--json', 'print the results as JSON on stdout (shape: docs/results.md)')
    .option('--queue <url>', 'compute the layers through this Redis (redis://HOST:PORT[/DB]) by `ergo worker` processes that reach the model at the same path (docs/distributed.md)', queueUrl)
    .hook('preAction', (self) => workersWithQueue(self.getOptionValueSource('workers') === 'cli', self.opts().queue));
}

/** The network specs of the model arguments, with the filter flags applied. */
export async function specsOf(io: Io, models: readonly string[], o: NetworkFlags): Promise<NetworkSpec[]> {
  const { networkSpecs } = await import('../../pipeline/config/load.js');
  const filters = { ...(o.include !== undefined ? { include: o.include } : {}), ...(o.exclude !== undefined ? { exclude: o.exclude } : {}), ...(o.format ? { format: o.format } : {}), ...(o.allowPath?.length ? { allowPaths: o.allowPath.map((d) => pathArg(io, d)) } : {}) };
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
  const outDir = resolve(io.cwd, o.out);
  const cacheDir = resolve(io.cwd, o.cache ?? defaultCacheDir(io.env));
  const { result, code } = await runSession(cfg, { outDir, workers: o.workers, cacheDir, onConfigChange: 'replace', quiet: !!o.json, resumeWith: 'the same command', ...(o.queue ? { queue: o.queue } : {}) }, io);
  const report = code === 0 ? result.report : undefined;
  if (report) {
    if (o.json) io.stdout.write(resultJson(report));
    else await printReport(io, report);
  }
  return { result, code, ...(report ? { report } : {}) };
}

export { wroteLine };
