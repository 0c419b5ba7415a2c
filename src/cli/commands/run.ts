// ergo run <config.yaml>: any experiment from YAML (resumable; rerun the same command to resume).
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { action, type Command } from '../command.js';
import type { Command as Program } from 'commander';
import { workers, queueUrl, shard, workersWithQueue } from '../parsers.js';
import { UsageError } from '../errors.js';
import type { QueueUrl } from '../../pipeline/runtime/queueurl.js';
import { runSession, shown, wroteLine, pathArg } from '../session.js';
import { printReport } from './print.js';

export function register(cmd: Command): void {
  const { program, io } = cmd;
  program
    .command('run')
    .description('run a YAML-configured experiment (resumable; rerun the same command to resume)')
    .argument('<config>', 'YAML run file, e.g. config/quickstart.yaml')
    .option('-o, --out <dir>', 'run directory (default: runs/<name>)')
    .option('-w, --workers <n>', 'worker threads (0 = main thread)', workers, availableParallelism())
    .option('--fresh', 'discard an existing run in the directory and start over')
    .option('--queue <url>', 'coordinate: compute the chunks through this Redis (redis://HOST:PORT[/DB]) by `ergo worker` processes (docs/distributed.md)', queueUrl)
    .option('--shard <I/N>', 'compute only the chunks whose index is I mod N and do not aggregate; a final run without --shard aggregates (docs/distributed.md)', shard)
    .option('-q, --quiet', 'only errors and the final summary')
    .action(
      action(cmd, async (configPath: string, o: { out?: string; workers: number; fresh?: boolean; quiet?: boolean; queue?: QueueUrl; shard?: { index: number; count: number } }, self: Program) => {
        workersWithQueue(self.getOptionValueSource('workers') === 'cli', o.queue);
        if (o.shard && o.queue) throw new UsageError('--shard and --queue: choose one (shards share a directory; a queue shares a Redis)');
        if (o.shard && o.fresh) throw new UsageError('--shard and --fresh: a shard never discards the shared directory; clear it before starting the shards');
        const { loadConfig } = await import('../../pipeline/config/index.js');
        const cfg = loadConfig(pathArg(io, configPath));
        const outDir = resolve(io.cwd, o.out ?? `runs/${cfg.name}`);
        const { result, code } = await runSession(
          cfg,
          {
            outDir,
            workers: o.workers,
            fresh: !!o.fresh,
            quiet: !!o.quiet,
            ...(o.queue ? { queue: o.queue } : {}),
            ...(o.shard ? { shard: o.shard } : {}),
            resumeWith: `ergo run ${configPath} --out ${shown(io, outDir)}${o.queue ? ` --queue ${o.queue.url}` : ''}${o.shard ? ` --shard ${o.shard.index}/${o.shard.count}` : ''}`,
          },
          io,
        );
        if (code === 0 && o.shard) io.stderr.write(`[ergo] shard ${o.shard.index}/${o.shard.count} done (nothing aggregated); when every shard has finished: ergo run ${configPath} --out ${shown(io, outDir)}\n`);
        if (code !== 0 || !result.report) return code;
        if (cfg.experiment !== 'spectral-ergodicity') await printReport(io, result.report);
        wroteLine(io, result.files);
        return code;
      }),
    );
}
