// The text table of an experiment's report on stdout (what cpse, csd, mme and run print).
import type { ExperimentReport } from '../../pipeline/experiments/index.js';
import type { Io } from '../io.js';
import { cpseTable } from '../../pipeline/report/cpse.js';
import { csdTable } from '../../pipeline/report/csd.js';
import { mmeTable } from '../../pipeline/report/mme.js';

export function printReport(io: Io, r: ExperimentReport): void {
  if (r.experiment === 'cpse') io.stdout.write(cpseTable(r));
  else if (r.experiment === 'csd') io.stdout.write(csdTable(r));
  else if (r.experiment === 'mme') io.stdout.write(mmeTable(r));
}
