// Input rules shared by every figure (see index.ts): at least one row; every numeric field
// finite (a NaN or a log10 of zero, -Infinity, is refused with an error naming the row,
// field and value, never silently dropped or plotted); category strings non-empty; no
// duplicate keys where a duplicate would stack or zigzag.
import { NonFiniteInputError } from '../../../linalg/types.js';
import { UserError } from '../../../errors.js';

/** Options common to every figure. Sizes are in pixels (plot area of one panel). */
export interface PlotOptions {
  title?: string;
  subtitle?: string;
  width?: number;
  height?: number;
}

export interface EigenphasePlotOptions {
  title?: string;
  subtitle?: string;
  /** Side of each square panel in pixels (default 260). */
  panelSize?: number;
  /** Panels per row before wrapping (default: all ensembles on one row, at most 3). */
  columns?: number;
  /**
   * At most this many points per ensemble are drawn (default 1000; Infinity
   * draws all). Thinning is deterministic: with n points for an ensemble and
   * k = ceil(n / maxPoints), the points at input positions 0, k, 2k, ... of
   * that ensemble are kept. The panel header states how many were drawn.
   */
  maxPoints?: number;
}

export interface BarChartOptions {
  title: string;
  /** Y axis title; include the unit, e.g. "Var(CSD) (per unit e)²". */
  yTitle: string;
  xTitle?: string;
  subtitle?: string;
  width?: number;
  height?: number;
}

/** Raised for structurally bad plot input (empty, wrong types, duplicates). */
export class PlotInputError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'PlotInputError';
  }
}

// ---------------------------------------------------------------- validation

export function requireRows(fn: string, what: string, rows: unknown): asserts rows is readonly object[] {
  if (!Array.isArray(rows)) throw new PlotInputError(`${fn}: ${what} must be an array of rows`);
  if (rows.length === 0) throw new PlotInputError(`${fn}: ${what} is empty; nothing to plot`);
}

export function describe(v: unknown): string {
  return typeof v === 'number' ? String(v) : `${typeof v} ${JSON.stringify(v)}`;
}

/** Throws NonFiniteInputError naming row, field and value when a number is NaN/Infinity or not a number. */
export function requireFinite(fn: string, what: string, i: number, field: string, v: unknown, context: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const err = new NonFiniteInputError(`${fn}: ${what}[${i}].${field}`, i);
  let hint = '';
  if (v === -Infinity && field.startsWith('log10')) hint = ' (the log10 of a zero divergence?)';
  err.message =
    `${fn}: ${what}[${i}].${field} is ${describe(v)}${hint} (${context}); ` +
    'only finite numbers can be plotted, so the figure was not drawn';
  throw err;
}

export function requireLabel(fn: string, what: string, i: number, field: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') {
    throw new PlotInputError(`${fn}: ${what}[${i}].${field} must be a non-empty string, got ${describe(v)}`);
  }
  return v;
}

export function requireSize(fn: string, name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v < 20 || v > 10000) {
    throw new PlotInputError(`${fn}: ${name} must be a finite number of pixels in [20, 10000], got ${v}`);
  }
  return v;
}

/** Distinct values in order of first appearance. */
export function firstAppearance(values: readonly string[]): string[] {
  return [...new Set(values)];
}

export function rejectDuplicateKeys(fn: string, what: string, keys: readonly string[], describeKey: (i: number) => string): void {
  const seen = new Map<string, number>();
  keys.forEach((k, i) => {
    const j = seen.get(k);
    if (j !== undefined) {
      throw new PlotInputError(`${fn}: ${what}[${j}] and ${what}[${i}] both have ${describeKey(i)}; each may appear once`);
    }
    seen.set(k, i);
  });
}


/**
 * The checks of one input list of a plot function, with the names its errors use
 * (`fn: what[i].field ...`): the list itself at once (non-empty unless `allowEmpty`), then
 * each row as it is read: `label` and `finite` field by field, or `row` for a whole row.
 */
export function rowChecks(fn: string, what: string, rows: unknown, allowEmpty = false): {
  label: (i: number, field: string, v: unknown) => string;
  finite: (i: number, field: string, v: unknown, context: string) => number;
  row: <R extends object>(i: number, r: R, label: keyof R & string, numbers: readonly (keyof R & string)[], optional?: readonly (keyof R & string)[]) => R;
} {
  if (!allowEmpty) requireRows(fn, what, rows);
  const label = (i: number, field: string, v: unknown): string => requireLabel(fn, what, i, field, v);
  const finite = (i: number, field: string, v: unknown, context: string): number => requireFinite(fn, what, i, field, v, context);
  return {
    label,
    finite,
    // Row i: `label` a non-empty string, every field of `numbers` (and of `optional`, when
    // present) finite; an error names the row by its label and the numbers read before.
    row: (i, r, key, numbers, optional = []) => {
      const fields = r as Record<string, unknown>;
      const name = `${key} '${label(i, key, fields[key])}'`;
      let context = name;
      numbers.forEach((f, k) => {
        const v = finite(i, f, fields[f], context);
        if (k === 0) context = `${name}, ${f} = ${v}`;
      });
      for (const f of optional) if (fields[f] !== undefined) finite(i, f, fields[f], context);
      return r;
    },
  };
}
