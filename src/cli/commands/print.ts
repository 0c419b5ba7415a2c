// The text table of an experiment's report on stdout (what cpse, csd, mme and run print).
import type { ExperimentReport } from '../../pipeline/experiments/index.js';
import type { Io } from '../io.js';

export async function printReport(io: Io, r: ExperimentReport): Promise<void> {
  if (r.experiment === 'cpse') io.stdout.write((await import('../../pipeline/report/cpse.js')).cpseTable(r));
  else if (r.experiment === 'csd') io.stdout.write((await import('../../pipeline/report/csd.js')).csdTable(r));
  else if (r.experiment === 'mme') io.stdout.write((await import('../../pipeline/report/mme.js')).mmeTable(r));
}
