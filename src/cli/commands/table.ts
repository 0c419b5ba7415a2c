// The commands `ergo` has: what `ergo --help` lists for each, and the module that defines it.
// A command's module (and what it imports) is loaded only when that command runs, so
// `ergo --help` and `ergo layers` start without the rest. To add a command: write its module
// (a `register(cmd)` export, as the others) and add a row here; test/cli.startup.test.ts checks
// that every row matches what its module registers and that every module's commands have a row.
import type { Command } from '../command.js';

export interface CommandRow {
  name: string;
  /** What follows the name in the command list, as commander would print it. */
  usage: string;
  /** The command's description, exactly as its module sets it. */
  summary: string;
  load: () => Promise<{ register: (cmd: Command) => void }>;
}

export const COMMANDS: readonly CommandRow[] = [
  {
    name: 'run',
    usage: '[options] <config>',
    summary: 'run a YAML-configured experiment (resumable; rerun the same command to resume)',
    load: () => import('./run.js'),
  },
  {
    name: 'analyze',
    usage: '[options] <files...>',
    summary: 'spectral density, Omega and D_se from eigenvalues you already have (.npy or Arrow, one size per file)',
    load: () => import('./analyze.js'),
  },
  {
    name: 'status',
    usage: '[options] <dir>',
    summary: 'show done, pending and failed chunks of a run directory, per data group (ensemble and size, network layer)',
    load: () => import('./status.js'),
  },
  {
    name: 'datasets',
    usage: '[options] <dir>',
    summary: 'list the eigenvalue datasets in a run directory or in a folder of run directories',
    load: () => import('./status.js'),
  },
  {
    name: 'export',
    usage: '[options] <dir>',
    summary: 'write eigenvalues per data group (ensemble and size, network layer) as .npy (complex128) or .csv',
    load: () => import('./export.js'),
  },
  {
    name: 'layers',
    usage: '[options] <model>',
    summary:
      'list the layer matrices of a trained network (safetensors, .npy/.npz or a folder of .npy, ONNX, TF.js, PyTorch, Hugging Face folders, Keras, GGUF)',
    load: () => import('./layers.js'),
  },
  {
    name: 'cpse',
    usage: '[options] [models...]',
    summary: 'cascading periodic spectral ergodicity of trained networks: d_layers per depth and cPSE',
    load: () => import('./cpse.js'),
  },
  {
    name: 'csd',
    usage: '[options] <models...>',
    summary: 'circular spectral difference of networks against their conjugate circular ensemble; Var(CSD) and equivalence classes',
    load: () => import('./csd.js'),
  },
  {
    name: 'mme',
    usage: '[options]',
    summary: 'PSE/cPSE of a mixed matrix ensemble: M matrices |U|, U from CUE/COE/CSE, orders ~ Binomial(N, p)',
    load: () => import('./mme.js'),
  },
  {
    name: 'report',
    usage: '[options] <dir>',
    summary: 'rebuild the self-contained HTML report (results/report.html) of a finished run directory',
    load: () => import('./report.js'),
  },
  {
    name: 'validate',
    usage: '[options] <inputs...>',
    summary: 'check eigenphases against their circular ensemble (moduli, trace moments, gap ratio, uniformity, spacings); exit 1 when a check fails',
    load: () => import('./validate.js'),
  },
  {
    name: 'worker',
    usage: '[options]',
    summary: 'compute chunks of `ergo run/cpse/csd --queue` runs on this machine (docs/distributed.md); Ctrl-C finishes the chunks in hand, then exits',
    load: () => import('./worker.js'),
  },
];

/** The command an argument list names: its first operand (`ergo help <cmd>` names <cmd>). */
export function commandNamed(argv: readonly string[]): string | undefined {
  const operands = argv.filter((a) => !a.startsWith('-'));
  return operands[0] === 'help' ? operands[1] : operands[0];
}
