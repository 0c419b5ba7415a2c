// ergo cpse <model...>: per-depth periodic spectral ergodicity and the cPSE number; or, with
// --spectra FILE.npz, the same from per-layer eigenvalue lists made elsewhere.
import { SEMANTICS, type Semantics } from '../../spectral/semantics.js';
import { DEFAULT_REAL_BINS } from '../../spectral/density.js';
import { action, type Command } from '../command.js';
import { choice, wholeNumber } from '../parsers.js';
import { EXIT, UsageError } from '../errors.js';
import { info } from '../io.js';
import { pathArg } from '../session.js';
import { printReport } from './print.js';
import { networkCommand, networkOptions, specsOf, runNetworks, wroteLine, FIXED, type NetworkFlags } from './networks.js';

interface Flags extends NetworkFlags {
  semantics: Semantics;
  vanilla?: boolean;
  bins: number;
  spectra?: string;
}

export function register(cmd: Command): void {
  const { program, io } = cmd;
  const c = networkCommand(program, 'cpse', true)
    .option('--semantics <s>', SEMANTICS.join(' or '), choice('--semantics', SEMANTICS), 'definition')
    .option('--vanilla', 'the files hold matrices M given directly: eigenvalues of M M^T (the reference vanilla entry)')
    .option('--bins <K>', 'Omega bins for real eigenvalues (definition semantics)', wholeNumber('--bins', 1), DEFAULT_REAL_BINS)
    .option('--spectra <file.npz>', 'instead of models: per-layer eigenvalues, one 1-D array per layer in the archive\'s order (no run directory)');
  networkOptions(c, 'cpse').action(
    action(cmd, async (models: string[], o: Flags) => {
      if (o.spectra !== undefined) {
        if (models.length) throw new UsageError('cpse: give either model files or --spectra FILE.npz, not both');
        if (o.vanilla) throw new UsageError('cpse: --vanilla applies to weight matrices, not to --spectra eigenvalues');
        if (o.out !== undefined) throw new UsageError('cpse: --spectra writes no run directory; drop --out (use --json to keep the numbers)');
        const { cpseFromSpectra } = await import('../../pipeline/experiments/spectra.js');
        const report = await cpseFromSpectra(pathArg(io, o.spectra), { semantics: o.semantics, bins: o.bins });
        if (o.json) io.stdout.write((await import('../../pipeline/report/json.js')).resultJson(report));
        else await printReport(io, report);
        return EXIT.ok;
      }
      if (!models.length) throw new UsageError('cpse: missing model files (or --spectra FILE.npz)');
      const networks = await specsOf(io, models, o);
      const cfg = { ...FIXED, experiment: 'cpse' as const, name: 'cpse', seed: 0, semantics: o.semantics, networks, bins: o.bins, vanilla: !!o.vanilla };
      const { result, code, report } = await runNetworks(io, cfg, o);
      if (report?.experiment === 'cpse' && !o.json) {
        for (const n of report.networks) n.layers.forEach((l, i) => info(io, `${n.name}: layer ${i + 1}/${n.layers.length} ${l.name}${l.cached ? ' (cached)' : ''}`));
      }
      if (report) wroteLine(io, result.files);
      return code;
    }),
  );
}
