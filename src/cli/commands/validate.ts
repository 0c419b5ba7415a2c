// ergo validate <run dir | eigenvalue files...>: are these eigenphases from the circular
// ensemble they claim? Checks and verdict: src/pipeline/experiments/validate.ts. Exit 1 when
// any check fails.
import { resolve } from 'node:path';
import { action, define, type Command, type OutputFlags } from '../command.js';
import { choice, wholeNumber, probability } from '../parsers.js';
import { EXIT } from '../errors.js';
import { pathArg, wroteLine } from '../session.js';

interface Flags extends OutputFlags {
  ensemble?: 'CUE' | 'COE' | 'CSE';
  ensembleSize?: number;
  level: number;
}

export function register(cmd: Command): void {
  const { program, io } = cmd;
  define(program, 'validate', 'print the results as JSON on stdout (shape: docs/validate.md); writes no files unless -o is given')
    .argument('<inputs...>', 'a run directory, or .npy/.npz/.arrow eigenvalue files (complex eigenvalues or eigenphases in radians)')
    .option('--ensemble <name>', 'the ensemble the files claim: cue, coe or cse (a run directory names its own)', choice('--ensemble', ['CUE', 'COE', 'CSE'] as const, (s) => s.toUpperCase()))
    .option('-m, --ensemble-size <M>', 'matrices per file, for flat (M*N) arrays', wholeNumber('--ensemble-size', 1))
    .option('--level <a>', 'family-wise level of the verdict (Bonferroni over all checks)', probability('--level'), 0.01)
    .option('-o, --out <dir>', 'write results/validate.json and plots/validate-spacing.svg here (default for a run directory: the run directory)')
    .action(
      action(cmd, async (inputs: string[], o: Flags) => {
        const { validateInputs } = await import('../../pipeline/experiments/validate.js');
        const { validateTable, writeValidateReport } = await import('../../pipeline/report/validate.js');
        const { resultJson } = await import('../../pipeline/report/json.js');
        const { report, panels, runDir } = await validateInputs(inputs.map((p) => pathArg(io, p)), {
          level: o.level,
          ...(o.ensemble ? { ensemble: o.ensemble } : {}),
          ...(o.ensembleSize !== undefined ? { ensembleSize: o.ensembleSize } : {}),
        });
        io.stdout.write(o.json ? resultJson(report) : validateTable(report));
        // --json alone writes nothing (as every command); -o writes the files anyway.
        const outDir = o.out !== undefined ? resolve(io.cwd, o.out) : o.json ? undefined : runDir;
        if (outDir !== undefined) {
          const files = await writeValidateReport(outDir, report, panels);
          if (!o.json) wroteLine(io, files);
        }
        return report.pass ? EXIT.ok : EXIT.failed;
      }),
    );
}
