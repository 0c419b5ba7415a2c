// SVG figures for run results: pure functions data -> SVG string.
//
// Each function validates its rows, builds a Vega-Lite spec, compiles it to
// Vega and renders it headless (`renderer: 'none'` + `toSVG()`: no canvas, no
// browser, no network; all data is inline). The output depends only on the
// input: category orders follow first appearance in the input (never an
// alphabetical sort, which would put "1024→2048" before "64→128"), and no
// timestamps are written. Geometry coordinates are rounded to 1/100 pixel so
// the files stay small and free of float noise such as 93.00000000000001.
//
// Input rules shared by every function: at least one row; every numeric field
// finite (a NaN or a log10 of zero, -Infinity, is refused with an error naming
// the row, field and value, never silently dropped or plotted); category
// strings non-empty; no duplicate keys where a duplicate would stack or zigzag.
//
// Units: D_se and d_layers are symmetric KL divergences with log2 (bits, see
// SPEC section 4); CSD(e) is a difference of probability densities over the
// eigenvalue e (per unit of e); cumulative CSD is a probability.

import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { Config, TopLevelSpec } from 'vega-lite';
import { NonFiniteInputError } from '../linalg/types.js';

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
export class PlotInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlotInputError';
  }
}

// ---------------------------------------------------------------- validation

function requireRows(fn: string, what: string, rows: unknown): asserts rows is readonly object[] {
  if (!Array.isArray(rows)) throw new PlotInputError(`${fn}: ${what} must be an array of rows`);
  if (rows.length === 0) throw new PlotInputError(`${fn}: ${what} is empty; nothing to plot`);
}

function describe(v: unknown): string {
  return typeof v === 'number' ? String(v) : `${typeof v} ${JSON.stringify(v)}`;
}

/** Throws NonFiniteInputError naming row, field and value when a number is NaN/Infinity or not a number. */
function requireFinite(fn: string, what: string, i: number, field: string, v: unknown, context: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const err = new NonFiniteInputError(`${fn}: ${what}[${i}].${field}`, i);
  let hint = '';
  if (v === -Infinity && field.startsWith('log10')) hint = ' (the log10 of a zero divergence?)';
  err.message =
    `${fn}: ${what}[${i}].${field} is ${describe(v)}${hint} (${context}); ` +
    'only finite numbers can be plotted, so the figure was not drawn';
  throw err;
}

function requireLabel(fn: string, what: string, i: number, field: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') {
    throw new PlotInputError(`${fn}: ${what}[${i}].${field} must be a non-empty string, got ${describe(v)}`);
  }
  return v;
}

function requireSize(fn: string, name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v < 20 || v > 10000) {
    throw new PlotInputError(`${fn}: ${name} must be a finite number of pixels in [20, 10000], got ${v}`);
  }
  return v;
}

/** Distinct values in order of first appearance. */
function firstAppearance(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function rejectDuplicateKeys(fn: string, what: string, keys: readonly string[], describeKey: (i: number) => string): void {
  const seen = new Map<string, number>();
  keys.forEach((k, i) => {
    const j = seen.get(k);
    if (j !== undefined) {
      throw new PlotInputError(`${fn}: ${what}[${j}] and ${what}[${i}] both have ${describeKey(i)}; each may appear once`);
    }
    seen.set(k, i);
  });
}

// ------------------------------------------------------------------ rendering

// Readable defaults: larger fonts than Vega's 10/11 px, white background.
const FONT = 'Helvetica, Arial, sans-serif';
const CONFIG: Config = {
  font: FONT,
  background: 'white',
  padding: 8,
  title: { fontSize: 16, subtitleFontSize: 12, anchor: 'start', offset: 10, subtitleColor: '#444' },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', titlePadding: 8, gridColor: '#e4e4e4' },
  legend: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', symbolSize: 120, labelLimit: 260 },
  header: { labelFontSize: 13, titleFontSize: 13 },
  view: { stroke: '#bbb' },
  // Tableau-10 is the Vega default; fixed here so a Vega upgrade cannot recolour figures.
  range: {
    category: ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#ff9da6', '#9d755d', '#bab0ac'],
  },
};

function titleOf(text: string, subtitle?: string): { text: string; subtitle?: string } {
  return subtitle === undefined ? { text } : { text, subtitle };
}

const GEOMETRY_ATTR = /\s(d|transform|x|y|x1|x2|y1|y2|width|height|viewBox)="([^"]*)"/g;
const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/g;

/** Rounds non-integer numbers inside geometry attributes to 2 decimals (1/100 px). */
function compactGeometry(svg: string): string {
  return svg.replace(GEOMETRY_ATTR, (_m, name: string, value: string) => {
    const v = value.replace(NUMBER, (s) => {
      if (!/[.e]/.test(s)) return s;
      const r = Math.round(Number(s) * 100) / 100;
      return Object.is(r, -0) ? '0' : String(r);
    });
    return ` ${name}="${v}"`;
  });
}

// Vega numbers clip paths and gradients with module-global counters, so the
// same figure rendered second gets "clip7" instead of "clip1". Renumber them
// per document, in order of first appearance, to make the output reproducible.
const DEF_ID = /(id="|url\(#)(clip|gradient_|p_gradient_)(\d+)/g;

function renumberDefIds(svg: string): string {
  const ids = new Map<string, number>();
  const counters = new Map<string, number>();
  return svg.replace(DEF_ID, (_m, lead: string, prefix: string, n: string) => {
    const key = prefix + n;
    let k = ids.get(key);
    if (k === undefined) {
      k = (counters.get(prefix) ?? 0) + 1;
      counters.set(prefix, k);
      ids.set(key, k);
    }
    return `${lead}${prefix}${k}`;
  });
}

/** Compiles a Vega-Lite spec and renders it to an SVG string without a browser or canvas. */
async function render(spec: TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    return renumberDefIds(compactGeometry(svg));
  } finally {
    view.finalize();
  }
}

const LOG10 = 'log₁₀';

// -------------------------------------------------------------------- figures

/**
 * Grouped bars of log10 D_se per size transition (x: "N_i→N_{i+1}", input
 * order), one bar colour per ensemble, as in the 2017 surrogate-matrix paper.
 */
export async function dseBarChart(
  rows: readonly { ensemble: string; transition: string; log10Dse: number }[],
  opts: PlotOptions = {},
): Promise<string> {
  const fn = 'dseBarChart';
  requireRows(fn, 'rows', rows);
  const data = rows.map((r, i) => {
    const ensemble = requireLabel(fn, 'rows', i, 'ensemble', r.ensemble);
    const transition = requireLabel(fn, 'rows', i, 'transition', r.transition);
    const log10Dse = requireFinite(fn, 'rows', i, 'log10Dse', r.log10Dse, `ensemble '${ensemble}', transition '${transition}'`);
    return { ensemble, transition, log10Dse };
  });
  rejectDuplicateKeys(fn, 'rows', data.map((d) => JSON.stringify([d.ensemble, d.transition])),
    (i) => `ensemble '${data[i]!.ensemble}' and transition '${data[i]!.transition}'`);
  const transitions = firstAppearance(data.map((d) => d.transition));
  const ensembles = firstAppearance(data.map((d) => d.ensemble));
  const width = requireSize(fn, 'width', opts.width, Math.max(320, transitions.length * (ensembles.length * 18 + 24)));
  const height = requireSize(fn, 'height', opts.height, 300);
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: titleOf(opts.title ?? 'Approach to spectral ergodicity', opts.subtitle),
    width,
    height,
    data: { values: data },
    mark: { type: 'bar' },
    encoding: {
      x: {
        field: 'transition', type: 'nominal', scale: { domain: transitions, paddingInner: 0.2 },
        axis: { title: 'matrix size transition N → N′', labelAngle: 0 },
      },
      xOffset: { field: 'ensemble', type: 'nominal', scale: { domain: ensembles } },
      y: {
        field: 'log10Dse', type: 'quantitative',
        axis: { title: `${LOG10} D_se  (D_se in bits)` },
      },
      color: {
        field: 'ensemble', type: 'nominal', scale: { domain: ensembles },
        legend: { title: 'ensemble', orient: 'right' },
      },
      tooltip: [
        { field: 'ensemble', type: 'nominal' },
        { field: 'transition', type: 'nominal' },
        { field: 'log10Dse', type: 'quantitative', format: '.4f' },
      ],
    },
  });
}

/**
 * Eigenvalues on the complex plane with the unit circle drawn for reference:
 * one square panel per ensemble (input order), both axes over the same range.
 * Large inputs are thinned per ensemble (see EigenphasePlotOptions.maxPoints).
 */
export async function eigenphasePlot(
  points: readonly { ensemble: string; re: number; im: number }[],
  opts: EigenphasePlotOptions = {},
): Promise<string> {
  const fn = 'eigenphasePlot';
  requireRows(fn, 'points', points);
  const maxPoints = opts.maxPoints ?? 1000;
  if (!(maxPoints === Infinity || (Number.isInteger(maxPoints) && maxPoints >= 1))) {
    throw new PlotInputError(`${fn}: maxPoints must be a positive integer or Infinity, got ${maxPoints}`);
  }
  const size = requireSize(fn, 'panelSize', opts.panelSize, 260);

  // Validate everything (even points thinning would skip) and group by ensemble.
  const byEnsemble = new Map<string, { re: number; im: number }[]>();
  points.forEach((p, i) => {
    const ensemble = requireLabel(fn, 'points', i, 'ensemble', p.ensemble);
    const re = requireFinite(fn, 'points', i, 're', p.re, `ensemble '${ensemble}'`);
    const im = requireFinite(fn, 'points', i, 'im', p.im, `ensemble '${ensemble}'`);
    let list = byEnsemble.get(ensemble);
    if (list === undefined) byEnsemble.set(ensemble, (list = []));
    list.push({ re, im });
  });

  // Panel header: ensemble name and how many points are shown.
  const panels: string[] = [];
  const data: { panel: string; kind: 'eig' | 'circle'; re: number; im: number; k: number }[] = [];
  let extent = 1;
  let thinned = false;
  // Unit circle as a closed polyline; 180 segments are smooth at this panel size.
  const SEG = 180;
  for (const [ensemble, list] of byEnsemble) {
    const step = maxPoints === Infinity ? 1 : Math.ceil(list.length / maxPoints);
    const shown = Math.ceil(list.length / step);
    const panel = step === 1 ? `${ensemble}  (n = ${list.length})` : `${ensemble}  (${shown} of ${list.length} shown)`;
    if (step > 1) thinned = true;
    panels.push(panel);
    for (let j = 0; j < list.length; j += step) {
      const { re, im } = list[j]!;
      extent = Math.max(extent, Math.abs(re), Math.abs(im));
      data.push({ panel, kind: 'eig', re, im, k: j });
    }
    for (let s = 0; s <= SEG; s++) {
      const t = (2 * Math.PI * s) / SEG;
      data.push({ panel, kind: 'circle', re: Math.cos(t), im: Math.sin(t), k: s });
    }
  }
  // Same symmetric domain on both axes + equal width and height = square aspect.
  const lim = Math.ceil(extent * 1.1 * 10) / 10;
  const domain = [-lim, lim];
  const columns = opts.columns ?? Math.min(panels.length, 3);
  if (!Number.isInteger(columns) || columns < 1) {
    throw new PlotInputError(`${fn}: columns must be a positive integer, got ${columns}`);
  }
  const x = { field: 're', type: 'quantitative', scale: { domain, nice: false, zero: false }, axis: { title: 'Re λ', tickCount: 5 } } as const;
  const y = { field: 'im', type: 'quantitative', scale: { domain, nice: false, zero: false }, axis: { title: 'Im λ', tickCount: 5 } } as const;
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: titleOf(
      opts.title ?? 'Eigenvalues on the complex plane',
      opts.subtitle ?? (thinned ? 'grey circle: |λ| = 1; thinned to every k-th eigenvalue in input order' : 'grey circle: |λ| = 1'),
    ),
    data: { values: data },
    columns,
    facet: { field: 'panel', type: 'nominal', sort: panels, header: { title: null, labelFontSize: 13 } },
    spec: {
      width: size,
      height: size,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'circle'" }],
          mark: { type: 'line', color: '#999', strokeWidth: 1, aria: false },
          encoding: { x, y, order: { field: 'k', type: 'quantitative' } },
        },
        {
          transform: [{ filter: "datum.kind === 'eig'" }],
          // aria: false drops a per-point aria-label, which would dominate the file size.
          mark: { type: 'point', filled: true, size: 10, opacity: 0.45, aria: false },
          encoding: {
            x, y,
            color: { field: 'panel', type: 'nominal', scale: { domain: panels }, legend: null },
          },
        },
      ],
    },
    // Axes on every panel so each reads on its own.
    resolve: { scale: { x: 'shared', y: 'shared' }, axis: { x: 'independent', y: 'independent' } },
  });
}

/** log10 d_layers against depth, one line with points per network (input order). */
export async function depthCurves(
  series: readonly { network: string; depth: number; log10D: number }[],
  opts: PlotOptions = {},
): Promise<string> {
  const fn = 'depthCurves';
  requireRows(fn, 'series', series);
  const data = series.map((r, i) => {
    const network = requireLabel(fn, 'series', i, 'network', r.network);
    const depth = requireFinite(fn, 'series', i, 'depth', r.depth, `network '${network}'`);
    const log10D = requireFinite(fn, 'series', i, 'log10D', r.log10D, `network '${network}', depth ${depth}`);
    return { network, depth, log10D };
  });
  rejectDuplicateKeys(fn, 'series', data.map((d) => JSON.stringify([d.network, d.depth])),
    (i) => `network '${data[i]!.network}' and depth ${data[i]!.depth}`);
  const networks = firstAppearance(data.map((d) => d.network));
  const integerDepths = data.every((d) => Number.isInteger(d.depth));
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: titleOf(opts.title ?? 'Periodic spectral ergodicity over depth', opts.subtitle),
    width: requireSize(fn, 'width', opts.width, 440),
    height: requireSize(fn, 'height', opts.height, 300),
    data: { values: data },
    mark: { type: 'line', point: { filled: true, size: 45 }, strokeWidth: 2 },
    encoding: {
      x: {
        field: 'depth', type: 'quantitative', scale: { zero: false },
        axis: integerDepths
          ? { title: 'depth l (number of layers)', format: 'd', tickMinStep: 1 }
          : { title: 'depth l (number of layers)' },
      },
      y: { field: 'log10D', type: 'quantitative', scale: { zero: false }, axis: { title: `${LOG10} d_layers  (d in bits)` } },
      color: { field: 'network', type: 'nominal', scale: { domain: networks }, legend: { title: 'network' } },
      order: { field: 'depth', type: 'quantitative' },
      tooltip: [
        { field: 'network', type: 'nominal' },
        { field: 'depth', type: 'quantitative' },
        { field: 'log10D', type: 'quantitative', format: '.4f' },
      ],
    },
  });
}

/**
 * Two stacked panels sharing the e axis: CSD(e) on top, cumulative CSD(e)
 * below, one line per network (input order), each with a zero reference rule.
 */
export async function csdCurves(
  series: readonly { network: string; e: number; csd: number; cumulative: number }[],
  opts: PlotOptions = {},
): Promise<string> {
  const fn = 'csdCurves';
  requireRows(fn, 'series', series);
  const data = series.map((r, i) => {
    const network = requireLabel(fn, 'series', i, 'network', r.network);
    const e = requireFinite(fn, 'series', i, 'e', r.e, `network '${network}'`);
    const ctx = `network '${network}', e = ${e}`;
    const csd = requireFinite(fn, 'series', i, 'csd', r.csd, ctx);
    const cumulative = requireFinite(fn, 'series', i, 'cumulative', r.cumulative, ctx);
    return { network, e, csd, cumulative };
  });
  rejectDuplicateKeys(fn, 'series', data.map((d) => JSON.stringify([d.network, d.e])),
    (i) => `network '${data[i]!.network}' and e = ${data[i]!.e}`);
  const networks = firstAppearance(data.map((d) => d.network));
  let eMin = Infinity;
  let eMax = -Infinity;
  for (const d of data) {
    eMin = Math.min(eMin, d.e);
    eMax = Math.max(eMax, d.e);
  }
  // Start the axis at 0 (CSD lives on [0, e_max]) unless the data starts below it.
  const eDomain = [Math.min(0, eMin), eMax > Math.min(0, eMin) ? eMax : Math.min(0, eMin) + 1];
  const width = requireSize(fn, 'width', opts.width, 520);
  const height = requireSize(fn, 'height', opts.height, 200);
  const xAxis = (title: string | null) =>
    ({ field: 'e', type: 'quantitative', scale: { domain: eDomain, nice: true }, axis: { title } }) as const;
  const color = { field: 'network', type: 'nominal', scale: { domain: networks }, legend: { title: 'network' } } as const;
  const panel = (field: 'csd' | 'cumulative', yTitle: string[], xTitle: string | null) => ({
    width,
    height,
    layer: [
      {
        // Own one-row data: otherwise the rule is drawn once per input row.
        data: { values: [{}] },
        mark: { type: 'rule', color: '#888', strokeDash: [4, 3], aria: false },
        encoding: { y: { datum: 0, type: 'quantitative' } },
      },
      {
        mark: { type: 'line', strokeWidth: 1.5, clip: true },
        encoding: {
          x: xAxis(xTitle),
          y: { field, type: 'quantitative', axis: { title: yTitle } },
          color,
          order: { field: 'e', type: 'quantitative' },
        },
      },
    ],
  });
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: titleOf(opts.title ?? 'Circular spectral difference', opts.subtitle),
    data: { values: data },
    vconcat: [
      // Two-line y titles: one line longer than the panel height would pad the layout.
      panel('csd', ['CSD(e)', '(density per unit e)'], null),
      panel('cumulative', ['cumulative CSD(e)', '(probability)'], 'eigenvalue e of X = A Aᵀ'),
    ],
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec);
}

/**
 * One bar per label (input order) with an optional symmetric error bar
 * value ± error (e.g. mean ± standard deviation over draws).
 */
export async function barChart(
  rows: readonly { label: string; value: number; error?: number }[],
  opts: BarChartOptions,
): Promise<string> {
  const fn = 'barChart';
  if (opts === undefined || typeof opts.title !== 'string' || typeof opts.yTitle !== 'string') {
    throw new PlotInputError(`${fn}: opts.title and opts.yTitle are required strings`);
  }
  requireRows(fn, 'rows', rows);
  const data = rows.map((r, i) => {
    const label = requireLabel(fn, 'rows', i, 'label', r.label);
    const value = requireFinite(fn, 'rows', i, 'value', r.value, `label '${label}'`);
    if (r.error === undefined) return { label, value };
    const error = requireFinite(fn, 'rows', i, 'error', r.error, `label '${label}'`);
    if (error < 0) throw new PlotInputError(`${fn}: rows[${i}].error is ${error} (label '${label}'); an error bar half-width must be >= 0`);
    return { label, value, lo: value - error, hi: value + error };
  });
  rejectDuplicateKeys(fn, 'rows', data.map((d) => d.label), (i) => `label '${data[i]!.label}'`);
  const labels = data.map((d) => d.label);
  const hasErrors = data.some((d) => 'lo' in d);
  const x = {
    field: 'label', type: 'nominal', scale: { domain: labels, paddingInner: 0.25 },
    axis: { title: opts.xTitle ?? null, labelAngle: labels.some((l) => l.length > 8) ? -35 : 0, labelLimit: 180 },
  } as const;
  const layer: object[] = [
    {
      mark: { type: 'bar', color: '#4c78a8' },
      encoding: {
        x,
        y: { field: 'value', type: 'quantitative', axis: { title: opts.yTitle } },
        tooltip: [
          { field: 'label', type: 'nominal' },
          { field: 'value', type: 'quantitative', format: '.4g' },
        ],
      },
    },
  ];
  if (hasErrors) {
    layer.push({
      transform: [{ filter: 'isValid(datum.lo)' }],
      mark: { type: 'errorbar', ticks: { size: 10 }, color: '#222', thickness: 1.5 },
      encoding: { x, y: { field: 'lo', type: 'quantitative', title: opts.yTitle }, y2: { field: 'hi' } },
    });
  }
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: titleOf(opts.title, opts.subtitle ?? (hasErrors ? 'whiskers: value ± error' : undefined)),
    width: requireSize(fn, 'width', opts.width, Math.max(240, labels.length * 44)),
    height: requireSize(fn, 'height', opts.height, 280),
    data: { values: data },
    layer,
  } as TopLevelSpec);
}
