// ergo run <config.yaml>: any experiment from YAML (resumable; rerun the same command to resume).
// With --json and no --out the run lives in a temporary directory, removed afterwards (no
// files written, nothing to resume).
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NetworkSpec, RunConfig } from '../../pipeline/config/types.js';
import type { Io } from '../io.js';
import { action, type Command } from '../command.js';
import { EXIT } from '../errors.js';
import { workers, QUIET_HELP } from '../parsers.js';
import { runSession, shown, wroteLine, pathArg } from '../session.js';
import { printReport } from './print.js';

export function register(cmd: Command): void {
  const { program, io } = cmd;
  program
    .command('run')
    .description('run a YAML-configured experiment (resumable; rerun the same command to resume)')
    .argument('<config>', 'YAML run file, e.g. config/quickstart.yaml')
    .option('-o, --out <dir>', 'run directory (default: runs/<name>; with --json, no files unless --out is given)')
    .option('-w, --workers <n>', 'worker threads (0 = main thread)', workers, availableParallelism())
    .option('--fresh', 'discard an existing run in the directory and start over')
    .option('--json', 'print the results as JSON on stdout (shape: docs/results.md)')
    .option('-q, --quiet', QUIET_HELP)
    .action(
      action(cmd, async (configPath: string, o: { out?: string; workers: number; fresh?: boolean; quiet?: boolean; json?: boolean }) => {
        const { loadConfig } = await import('../../pipeline/config/index.js');
        const cfg = rebased(io, loadConfig(pathArg(io, configPath)));
        const temporary = !!o.json && o.out === undefined;
        const outDir = temporary ? mkdtempSync(join(tmpdir(), 'ergo-run-')) : resolve(io.cwd, o.out ?? `runs/${cfg.name}`);
        try {
          const { result, code } = await runSession(
            cfg,
            { outDir, workers: o.workers, fresh: !!o.fresh, quiet: !!o.quiet || !!o.json, resumeWith: `ergo run ${configPath} --out ${shown(io, outDir)}` },
            io,
          );
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
