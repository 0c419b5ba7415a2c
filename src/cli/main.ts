// `ergo` command line: one subcommand per task (src/cli/commands/), each only parsing its
// flags and printing. `runCli` runs one invocation in-process and returns its exit code
// (it never exits the process, and reads env and cwd from its io); bin/ergo.js is a thin
// wrapper around it. Only the module of the command that runs is imported (commands/table.ts
// lists the others for --help), and commands import the pipeline on demand, so
// `ergo --help` and `ergo layers` load neither Arrow, Vega nor the other commands.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Help } from './commander.js';
import { TOOL_VERSION } from '../pipeline/version.js';
import { COMMANDS, commandNamed } from './commands/table.js';
import { EXIT, reportError, UsageError } from './errors.js';
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

/** How `ergo --help` lists a command: its row's usage (the command may be a placeholder). */
function listed(c: Cmd['program']): string {
  const row = COMMANDS.find((r) => r.name === c.name());
  return row ? `${row.name} ${row.usage}`.trim() : Help.prototype.subcommandTerm.call(new Help(), c);
}

/** Register the named command from its module; every other command as a light placeholder for --help. */
async function addCommands(cmd: Cmd, wanted: string | undefined): Promise<void> {
  const row = COMMANDS.find((r) => r.name === wanted);
  if (row) (await row.load()).register(cmd);
  for (const r of COMMANDS) {
    if (!cmd.program.commands.some((c) => c.name() === r.name)) cmd.program.command(r.name).description(r.summary);
  }
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
    .configureHelp({ subcommandTerm: (c) => listed(c) })
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s.startsWith('error:') ? `ergo: ${s}` : s),
    });
  const cmd: Cmd = { program, io, done: (code) => (state.code = code) };
  try {
    await addCommands(cmd, commandNamed(argv));
  } catch (e) {
    return reportError(e, io);
  }
  // Refuse `--out -q` and the like before any command runs (parsers.ts). Both modules load
  // only when a command runs: `ergo --help` starts without them.
  program.hook('preAction', async (_root, action) => {
    const [{ flagLikeValue }, { applyAliases }] = await Promise.all([import('./parsers.js'), import('./aliases.js')]);
    const problem = flagLikeValue(argv, action.options);
    if (problem) throw new UsageError(problem);
    applyAliases(action, io); // deprecated spellings (aliases.ts)
    if (action.opts().quiet) io.quiet = true;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.code;
  } catch (e) {
    // Commander's own errors (unknown option, missing argument, bad choice) are usage errors
    // like ergo's: exit 2; help and --version exit 0.
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return reportError(e, io);
  }
}

// Run as a program when node runs this file directly (bin/ergo.js calls runCli itself).
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, interrupt: 'process' });
}
