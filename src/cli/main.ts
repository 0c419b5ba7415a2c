// `ergo` command line: one subcommand per task; each lives in src/cli/commands/.
import { Command } from 'commander';
import { TOOL_VERSION } from '../pipeline/store.js';
import { activeBackend } from '../linalg/index.js';
import { reportError } from './errors.js';
import { register as registerRun } from './commands/run.js';
import { register as registerAnalyze } from './commands/analyze.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerExport } from './commands/export.js';
import { register as registerLayers } from './commands/layers.js';
import { register as registerCpse } from './commands/cpse.js';
import { register as registerCsd } from './commands/csd.js';
import { register as registerMme } from './commands/mme.js';

// `ergo --version` also names the linalg backend (native, wasm or ts) layer spectra use;
// it is chosen only when asked for (choosing loads the kernels).
function versionLine(): string {
  if (!process.argv.slice(2).some((a) => a === '-V' || a === '--version')) return TOOL_VERSION;
  try {
    return `${TOOL_VERSION} (backend: ${activeBackend()})`;
  } catch (e) {
    process.exit(reportError(e));
  }
}

const program = new Command();
program
  .name('ergo')
  .description('Random-matrix analysis of neural networks: circular ensembles, spectral ergodicity, cPSE, CSD')
  .version(versionLine())
  .showHelpAfterError('(add --help for usage)')
  .configureOutput({ outputError: (s, write) => write(s.startsWith('error:') ? `ergo: ${s}` : s) });

for (const register of [registerRun, registerAnalyze, registerStatus, registerExport, registerLayers, registerCpse, registerCsd, registerMme]) register(program);

program.exitOverride((err) => {
  process.exit(err.exitCode === 0 ? 0 : 2);
});
await program.parseAsync(process.argv);
