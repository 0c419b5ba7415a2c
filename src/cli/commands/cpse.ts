// ergo cpse <model...>: per-depth periodic spectral ergodicity and the cPSE number.
import { SEMANTICS, type Semantics } from '../../spectral/semantics.js';
import { DEFAULT_REAL_BINS } from '../../spectral/density.js';
import { action, type Command } from '../command.js';
import { choice, wholeNumber } from '../parsers.js';
import { networkCommand, networkOptions, specsOf, runNetworks, wroteLine, FIXED, type NetworkFlags } from './networks.js';

interface Flags extends NetworkFlags {
  semantics: Semantics;
  vanilla?: boolean;
  bins: number;
}

export function register(cmd: Command): void {
  const { program, io } = cmd;
  const c = networkCommand(program, 'cpse', 'cascading periodic spectral ergodicity of trained networks: d_layers per depth and cPSE')
    .option('--semantics <s>', SEMANTICS.join(' or '), choice('--semantics', SEMANTICS), 'definition')
    .option('--vanilla', 'the files hold matrices M given directly: eigenvalues of M M^T (the reference vanilla entry)')
    .option('--bins <K>', 'Omega bins for real eigenvalues (definition semantics)', wholeNumber('--bins', 1), DEFAULT_REAL_BINS);
  networkOptions(c, 'cpse').action(
    action(cmd, async (models: string[], o: Flags) => {
      const networks = await specsOf(io, models, o);
      const cfg = { ...FIXED, experiment: 'cpse' as const, name: 'cpse', seed: 0, semantics: o.semantics, networks, bins: o.bins, vanilla: !!o.vanilla };
      const { result, code, report } = await runNetworks(io, cfg, o);
      if (report?.experiment === 'cpse' && !o.json) {
        for (const n of report.networks) n.layers.forEach((l, i) => io.stderr.write(`[ergo] ${n.name}: layer ${i + 1}/${n.layers.length} ${l.name}${l.cached ? ' (cached)' : ''}\n`));
      }
      if (report) wroteLine(io, result.files);
      return code;
    }),
  );
}
