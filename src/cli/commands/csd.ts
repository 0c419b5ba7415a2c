// ergo csd <model...>: circular spectral difference, conjugacy and architecture equivalence.
import { DEFAULT_BINS, DEFAULT_E_MAX, DEFAULT_TOLERANCE, DEFAULT_DRAWS } from '../../spectral/csd.js';
import { DEFAULT_EQUIVALENCE_DELTA } from '../../spectral/equivalence.js';
import { DEFAULT_LEVEL, DEFAULT_RESAMPLES } from '../../spectral/bootstrap.js';
import { NORMALISE } from '../../pipeline/config/types.js';
import { action, type Command } from '../command.js';
import { choice, number, wholeNumber, probability } from '../parsers.js';
import { pathArg } from '../session.js';
import { info } from '../io.js';
import { deprecatedAlias } from '../aliases.js';
import { networkCommand, networkOptions, specsOf, runNetworks, wroteLine, FIXED, type NetworkFlags } from './networks.js';

interface Flags extends NetworkFlags {
  equivalenceTolerance: number;
  emax: number;
  csdBins: number;
  tolerance: number;
  draws: number;
  seed: string;
  against: string;
  normalise: 'none' | 'trace';
  gaussianInit?: boolean;
  smooth?: number;
  level: number;
}

export function register(cmd: Command): void {
  const { program, io } = cmd;
  const c = networkCommand(program, 'csd')
    .option('--equivalence-tolerance <D>', 'equivalent when |Var(CSD_1) - Var(CSD_2)| is at most this (was --delta)', number('--equivalence-tolerance', (x) => x >= 0, 'a number >= 0'), DEFAULT_EQUIVALENCE_DELTA)
    .option('--emax <E>', 'upper end of the spectral window [0, e_max]', number('--emax', (x) => x > 0, 'a number > 0'), DEFAULT_E_MAX)
    .option('--csd-bins <K>', 'histogram bins on [0, e_max] (was --bins)', wholeNumber('--csd-bins', 1), DEFAULT_BINS)
    .option('--tolerance <t>', 'conjugate when |cumulative CSD at e_max| is below this', number('--tolerance', (x) => x > 0, 'a number > 0'), DEFAULT_TOLERANCE)
    .option('--draws <n>', 'independent circular draws (Var(CSD) mean and std)', wholeNumber('--draws', 1), DEFAULT_DRAWS)
    .option('--seed <s>', 'seed of the circular draws', '0')
    .option('--against <what>', 'circular (default), gaussian, or a model file to compare with', 'circular')
    .option('--normalise <how>', 'none (default) or trace: divide each layer spectrum by its mean eigenvalue first', choice('--normalise', NORMALISE), 'none')
    .option('--level <l>', 'level of the Var(CSD) interval over draws', probability('--level'), DEFAULT_LEVEL)
    .option('--gaussian-init', 'also report a Gaussian-initialised twin (same shapes, N(0, 1/fan_in)) of each network')
    .option('--smooth <bins>', 'CSD plots: moving-average window in display bins, raw curve kept (1 = none; default 3)', wholeNumber('--smooth', 1));
  deprecatedAlias(c, '--delta <D>', '--equivalence-tolerance', number('--delta', (x) => x >= 0, 'a number >= 0'));
  deprecatedAlias(c, '--bins <K>', '--csd-bins', wholeNumber('--bins', 1));
  networkOptions(c, 'csd').action(
    action(cmd, async (models: string[], o: Flags) => {
      const { parseAgainst } = await import('../../pipeline/config/load.js');
      const against = parseAgainst(o.against === 'circular' || o.against === 'gaussian' ? o.against : pathArg(io, o.against), o.allowPath?.length ? { allowPaths: o.allowPath.map((d) => pathArg(io, d)) } : {});
      if (typeof against === 'object' && o.inputFormat) against.network.format = o.inputFormat;
      const csd = { eMax: o.emax, bins: o.csdBins, tolerance: o.tolerance, delta: o.equivalenceTolerance, draws: o.draws, against, gaussianInit: !!o.gaussianInit, normalise: o.normalise };
      // A string seed, as the command has always used (the reference draws depend on it).
      const cfg = { ...FIXED, ...(o.smooth ? { plot: { ...FIXED.plot, smooth: o.smooth } } : {}), experiment: 'csd' as const, name: 'csd', seed: o.seed, semantics: 'definition' as const, networks: await specsOf(io, models, o), csd, uncertainty: { resamples: DEFAULT_RESAMPLES, level: o.level, seed: o.seed } };
      const { result, code, report } = await runNetworks(io, cfg, o);
      if (!report) return code;
      const s = result.summary;
      info(io, `spectra: ${s.computed} computed, ${s.total - s.computed} from the cache`);
      wroteLine(io, result.files);
      return code;
    }),
  );
}
