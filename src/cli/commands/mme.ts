// ergo mme: periodic spectral ergodicity of a mixed matrix ensemble (orders ~ Binomial(N, p),
// members |U| with U from a circular ensemble); see src/pipeline/mme.ts for the construction.
import type { Command } from 'commander';
import { join, resolve, relative } from 'node:path';
import { mmeReport, mmeTable } from '../../pipeline/mme.js';
import { depthCurves } from '../../pipeline/plot.js';
import { writeFileAtomic } from '../../pipeline/store.js';
import type { EnsembleName, DenseMethod } from '../../ensembles/index.js';
import { action, EXIT, UsageError } from '../errors.js';
import { semanticsOption } from '../options.js';
import { resultJson } from '../../pipeline/store.js';

function whole(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag}: expected a whole number >= ${min}, got "${v}"`);
  return n;
}

export function register(program: Command): void {
  program
    .command('mme')
    .description('PSE/cPSE of a mixed matrix ensemble: M matrices |U|, U from CUE/COE/CSE, orders ~ Binomial(N, p)')
    .requiredOption('--ensemble <name>', 'CUE, COE or CSE')
    .requiredOption('--order <N>', 'N of Binomial(N, p): the largest order')
    .requiredOption('--p <p>', 'degree of mixture p in (0, 1]')
    .requiredOption('--count <M>', 'number of matrices')
    .option('--seed <s>', 'seed of the draw', '0')
    .option('--method <m>', 'unitary sampler: qr (Haar via QR with phase fix) or eigvec', 'qr')
    .option('--semantics <s>', 'definition (default) or bristol', 'definition')
    .option('--bins <K>', 'Omega bins (definition semantics)', '10')
    .option('-o, --out <dir>', 'also write results/mme.json and plots/mme-depth.svg here')
    .option('--json', 'print the results as JSON')
    .action(
      action(async (o: Record<string, string | boolean | undefined>) => {
        const ensemble = String(o.ensemble).toUpperCase();
        if (!['CUE', 'COE', 'CSE'].includes(ensemble)) throw new UsageError(`--ensemble: expected CUE, COE or CSE, got "${o.ensemble}"`);
        const method = String(o.method);
        if (!['qr', 'eigvec'].includes(method)) throw new UsageError(`--method: expected qr or eigvec (an MME needs matrices), got "${method}"`);
        const p = Number(o.p);
        if (!(p > 0 && p <= 1)) throw new UsageError(`--p: expected a number in (0, 1], got "${o.p}"`);
        const seedText = String(o.seed);
        const seed = /^-?\d+$/.test(seedText) ? Number(seedText) : seedText;
        const report = mmeReport({
          ensemble: ensemble as EnsembleName,
          method: method as DenseMethod,
          order: whole('--order', String(o.order), 2),
          p,
          count: whole('--count', String(o.count), 1),
          seed,
          semantics: semanticsOption(String(o.semantics)),
          bins: whole('--bins', String(o.bins), 1),
        });
        if (o.json) process.stdout.write(resultJson(report));
        else process.stdout.write(mmeTable(report));
        if (typeof o.out === 'string') {
          const dir = resolve(o.out);
          const files = [join(dir, 'results', 'mme.json')];
          writeFileAtomic(files[0]!, resultJson(report));
          const series = report.dLayers.filter((d) => Number.isFinite(d.log10D)).map((d) => ({ network: `${report.ensemble} MME`, depth: d.depth, log10D: d.log10D }));
          if (series.length) {
            files.push(join(dir, 'plots', 'mme-depth.svg'));
            writeFileAtomic(files[1]!, await depthCurves(series, { title: 'Periodic spectral ergodicity of a mixed matrix ensemble', subtitle: `log10 d against depth; |U|, U from ${report.ensemble}, orders ~ Binomial(${report.order}, ${report.p})` }));
          }
          process.stderr.write(`[ergo] wrote ${files.map((f) => relative(process.cwd(), f)).join(', ')}\n`);
        }
        return EXIT.ok;
      }),
    );
}
