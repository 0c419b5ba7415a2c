// `ergo` command line: one subcommand per task (src/cli/commands/), each only parsing its
// flags and printing. `runCli` runs one invocation in-process and returns its exit code;
// bin/ergo.js is a thin wrapper around it. Commands import the pipeline on demand, so
// `ergo --help` and `ergo layers` load neither Arrow nor Vega.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { TOOL_VERSION } from '../pipeline/version.js';
import { register as registerRun } from './commands/run.js';
import { register as registerAnalyze } from './commands/analyze.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerExport } from './commands/export.js';
import { register as registerLayers } from './commands/layers.js';
import { register as registerCpse } from './commands/cpse.js';
import { register as registerCsd } from './commands/csd.js';
import { register as registerMme } from './commands/mme.js';
import { register as registerWorker } from './commands/worker.js';
import { EXIT, reportError, UsageError } from './errors.js';
import { flagLikeValue } from './parsers.js';
import { withDefaults, type CliIo } from './io.js';
import type { Command as Cmd } from './command.js';

export type { CliIo } from './io.js';

// `ergo --version` also names the linalg backend (native, wasm or ts) layer spectra use; it is
// chosen only when asked for (choosing loads the kernels), so other commands start fast.
async function versionLine(argv: readonly string[]): Promise<string> {
  if (!argv.some((a) => a === '-V' || a === '--version')) return TOOL_VERSION;
  const { activeBackend } = await import('../linalg/index.js');
  return `${TOOL_VERSION} (backend: ${activeBackend()})`;
}

/** Run `ergo <argv...>` (argv without node and script) and return its exit code; never exits the process. */
export async function runCli(argv: readonly string[], cliIo: CliIo): Promise<number> {
  const io = withDefaults(cliIo);
  const state = { code: EXIT.ok as number };
  const program = new Command();
  let version: string;
  try {
    version = await versionLine(argv);
  } catch (e) {
    return reportError(e, io);
  }
  program
    .name('ergo')
    .description('Random-matrix analysis of neural networks: circular ensembles, spectral ergodicity, cPSE, CSD')
    .version(version)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s.startsWith('error:') ? `ergo: ${s}` : s),
    });
  const cmd: Cmd = { program, io, done: (code) => (state.code = code) };
  for (const register of [registerRun, registerAnalyze, registerStatus, registerExport, registerLayers, registerCpse, registerCsd, registerMme, registerWorker]) register(cmd);
  // Refuse `--out -q` and the like before any command runs (parsers.ts).
  program.hook('preAction', (_root, action) => {
    const problem = flagLikeValue(argv, action.options);
    if (problem) throw new UsageError(problem);
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return reportError(e, io);
  }
}

// Run as a program when node runs this file directly (bin/ergo.js calls runCli itself).
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
}
