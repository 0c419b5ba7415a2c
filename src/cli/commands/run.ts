// ergo run <config.yaml>: any experiment from YAML (resumable; rerun the same command to resume).
// With --json and no --out the run lives in a temporary directory, removed afterwards (no
// files written, nothing to resume).
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NetworkSpec, RunConfig } from '../../pipeline/config/types.js';
import type { Io } from '../io.js';
import { action, define, type Command } from '../command.js';
import type { Command as Program } from 'commander';
import { EXIT, UsageError } from '../errors.js';
import { workers } from '../parsers.js';
import { queueUrl, shard, workersWithQueue } from '../queueflags.js';
import type { QueueUrl } from '../../pipeline/runtime/queueurl.js';
import { figureOptions, figureChoice, runSession, shown, wroteLine, pathArg } from '../session.js';
import { printReport } from './print.js';

export function register(cmd: Command): void {
  const { program, io } = cmd;
  figureOptions(define(program, 'run', 'print the results as JSON on stdout (shape: docs/results.md)')
    .argument('<config>', 'YAML run file, e.g. config/quickstart.yaml')
    .option('-o, --out <dir>', 'run directory (default: runs/<name>; with --json, no files unless --out is given)')
    .option('-w, --workers <n>', 'worker threads (0 = main thread)', workers, availableParallelism())
    .option('--fresh', 'discard an existing run in the directory and start over')
    .option('--queue <url>', 'coordinate: compute the chunks through this Redis (redis://HOST:PORT[/DB]) by `ergo worker` processes (docs/distributed.md)', queueUrl)
    .option('--shard <I/N>', 'compute only the chunks whose index is I mod N and do not aggregate; a final run without --shard aggregates (docs/distributed.md)', shard)
    .option('--cache <dir>', 'cpse and csd experiments: take layer spectra from, and add them to, this spectrum cache (as ergo cpse --cache); default: none'))
    .action(
      action(cmd, async (configPath: string, o: { out?: string; workers: number; fresh?: boolean; quiet?: boolean; json?: boolean; queue?: QueueUrl; shard?: { index: number; count: number }; cache?: string; report?: boolean; plots?: boolean }, self: Program) => {
        workersWithQueue(self.getOptionValueSource('workers') === 'cli', o.queue);
        if (o.shard && o.queue) throw new UsageError('--shard and --queue: choose one (shards share a directory; a queue shares a Redis)');
        if (o.shard && o.fresh) throw new UsageError('--shard and --fresh: a shard never discards the shared directory; clear it before starting the shards');
        if (o.shard && o.json && o.out === undefined) throw new UsageError('--shard with --json needs --out: a shard writes into the shared run directory');
        const { loadConfig } = await import('../../pipeline/config/index.js');
        const cfg = rebased(io, loadConfig(pathArg(io, configPath)));
        if (o.cache !== undefined && cfg.experiment !== 'cpse' && cfg.experiment !== 'csd') io.stderr.write(`ergo: warning: --cache has no effect on a ${cfg.experiment} run (only cpse and csd runs take layer spectra from a cache)\n`);
        const temporary = !!o.json && o.out === undefined;
        const outDir = temporary ? mkdtempSync(join(tmpdir(), 'ergo-run-')) : resolve(io.cwd, o.out ?? `runs/${cfg.name}`);
        try {
          const { result, code } = await runSession(
            cfg,
            {
              outDir,
              workers: o.workers,
              fresh: !!o.fresh,
              quiet: !!o.quiet || !!o.json,
              ...(o.queue ? { queue: o.queue } : {}),
              ...(o.shard ? { shard: o.shard } : {}),
              ...(o.cache !== undefined ? { cacheDir: resolve(io.cwd, o.cache) } : {}),
              ...(temporary ? { writeOutputs: false } : figureChoice(o)),
              resumeWith: `ergo run ${configPath} --out ${shown(io, outDir)}${o.queue ? ` --queue ${o.queue.url}` : ''}${o.shard ? ` --shard ${o.shard.index}/${o.shard.count}` : ''}`,
            },
            io,
          );
          if (code === 0 && o.shard && !o.quiet) io.stderr.write(`[ergo] shard ${o.shard.index}/${o.shard.count} done (nothing aggregated); when every shard has finished: ergo run ${configPath} --out ${shown(io, outDir)}\n`);
          if ((code !== 0 && code !== EXIT.partial) || !result.report) return code;
          if (o.json) io.stdout.write((await import('../../pipeline/report/json.js')).resultJson(result.report));
          else if (cfg.experiment !== 'spectral-ergodicity') await printReport(io, result.report);
          if (!temporary) wroteLine(io, result.files);
          return code;
        } finally {
          if (temporary) rmSync(outDir, { recursive: true, force: true });
        }
      }),
    );
}

/**
 * The config's relative paths (models, --allow-path folders, reuse folders) resolved against
 * io.cwd, as the process would resolve them from there: only for an in-process call whose
 * cwd is not the process's (a launched `ergo` keeps the paths, and so the run's identity, as written).
 */
function rebased(io: Io, cfg: RunConfig): RunConfig {
  const at = (p: string): string => pathArg(io, p);
  if (io.cwd === process.cwd()) return cfg;
  const net = (n: NetworkSpec): NetworkSpec => ({ ...n, path: at(n.path), ...(n.allowPaths ? { allowPaths: n.allowPaths.map(at) } : {}) });
  const common = { ...cfg, reuse: cfg.reuse.map(at) };
  switch (common.experiment) {
    case 'cpse':
      return { ...common, networks: common.networks.map(net) };
    case 'csd': {
      const against = common.csd.against;
      return { ...common, networks: common.networks.map(net), csd: { ...common.csd, against: typeof against === 'object' ? { network: net(against.network) } : against } };
    }
    default:
      return common;
  }
}
