// Results of `ergo validate`: JSON (docs/validate.md), the text table and the spacing figure.
import type { CheckResult, CircularEnsemble } from '../../spectral/circular-checks.js';
import { textTable } from './table.js';
import { resultJson, resultWriter } from './json.js';
import { spacingPanels, type SpacingPanel } from './plot/index.js';

export interface ValidateCheck extends CheckResult {
  pass: boolean;
}

export interface ValidateGroup {
  /** Where the eigenvalues came from (ensemble and method of a run, or a file). */
  label: string;
  ensemble: CircularEnsemble;
  method?: string;
  n: number;
  matrices: number;
  checks: ValidateCheck[];
  pass: boolean;
}

export interface ValidateReport {
  tool: 'ergo';
  version: string;
  command: 'validate';
  /** Family-wise level of the verdict. */
  level: number;
  correction: 'bonferroni';
  /** Statistical checks the level is shared by (exact checks are not counted). */
  tests: number;
  /** Each statistical check passes when p >= level / tests, i.e. |z| <= zCritical. */
  zCritical: number;
  groups: ValidateGroup[];
  pass: boolean;
}

const num = (x: number): string => (!Number.isFinite(x) ? String(x) : x === 0 ? '0' : Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(3) : x.toFixed(4));

export function validateTable(r: ValidateReport): string {
  const rows = [['ensemble', 'N', 'M', 'check', 'statistic', 'expected', 'z', 'verdict']];
  for (const g of r.groups) for (const c of g.checks) rows.push([g.label, String(g.n), String(g.matrices), c.check, num(c.statistic), `${num(c.expected)}${c.tolerance ? ` ± ${num(c.tolerance)}` : ''}`, c.exact ? '-' : Math.abs(c.z) < 1e4 ? c.z.toFixed(2) : num(c.z), c.pass ? 'pass' : 'FAIL']);
  const lines = textTable(rows, { align: ['left', 'right', 'right', 'left', 'right', 'right', 'right', 'left'] });
  lines.push(`level ${r.level} family-wise, Bonferroni over ${r.tests} checks: each passes when |z| <= ${r.zCritical.toFixed(2)}; moduli within 1e-8 of 1`);
  lines.push(r.pass ? 'all checks pass' : `FAILED: ${r.groups.filter((g) => !g.pass).map((g) => `${g.label} N=${g.n}`).join(', ')}`);
  return lines.join('\n') + '\n';
}

/** Write validate.json (results/) and validate-spacing.svg (plots/) under `dir`. */
export async function writeValidateReport(dir: string, r: ValidateReport, panels: SpacingPanel[]): Promise<string[]> {
  const { put, files } = resultWriter(dir);
  put('results/validate.json', resultJson(r));
  if (panels.length) put('plots/validate-spacing.svg', await spacingPanels(panels, { subtitle: 'histogram: unfolded nearest-neighbour spacings of all matrices; line: Wigner surmise of the claimed ensemble' }));
  return files;
}
