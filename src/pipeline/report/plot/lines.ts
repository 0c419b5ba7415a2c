// The one line-chart builder: y against x, one line per series (input order), optional
// interval bands (lo..hi), optional faint companion lines (a raw curve under its smoothed
// version), optional zero rule, and "off-scale" markers for points whose y cannot be drawn
// (log10 of 0 = -Infinity): a downward triangle on the bottom edge of the plot, labelled,
// so such a point is shown rather than dropped. depthCurves, dseLines and csdCurves are
// built from it.
import { requireRows, requireFinite, requireLabel, requireSize, firstAppearance, rejectDuplicateKeys, PlotInputError } from './checks.js';

export interface LineRow {
  series: string;
  x: number;
  y: number;
  /** Interval band, drawn when both are present on a row. */
  lo?: number;
  hi?: number;
}

export interface OffScale {
  series: string;
  x: number;
}

export interface LinePanelOptions {
  xTitle: string | null;
  yTitle: string | string[];
  legendTitle: string;
  width: number;
  height: number;
  xScale?: 'linear' | 'log2';
  /** Integer x values: integer ticks only. */
  integerX?: boolean;
  /** x axis domain, else from the data. */
  xDomain?: [number, number];
  /** Draw a dashed rule at y = 0. */
  zeroRule?: boolean;
  /** Thin, pale lines drawn under the main ones (e.g. the raw curve under a smoothed one). */
  faint?: readonly LineRow[];
  /** Points whose y is -Infinity; marked at the bottom edge. */
  offScale?: readonly OffScale[];
  /** Label next to off-scale markers. */
  offScaleLabel?: string;
  /** Series order for colours (default: first appearance in rows). */
  seriesOrder?: readonly string[];
  /** Draw points on the line (default true). */
  points?: boolean;
}

/** Validated rows of one line panel (every number finite; no duplicate (series, x)). */
export function checkLineRows(fn: string, what: string, rows: readonly LineRow[]): LineRow[] {
  requireRows(fn, what, rows);
  const out = rows.map((r, i) => {
    const series = requireLabel(fn, what, i, 'series', r.series);
    const x = requireFinite(fn, what, i, 'x', r.x, `series '${series}'`);
    const y = requireFinite(fn, what, i, 'y', r.y, `series '${series}', x = ${x}`);
    if ((r.lo === undefined) !== (r.hi === undefined)) throw new PlotInputError(`${fn}: ${what}[${i}] has only one end of its interval (series '${series}', x = ${x})`);
    if (r.lo === undefined) return { series, x, y };
    const lo = requireFinite(fn, what, i, 'lo', r.lo, `series '${series}', x = ${x}`);
    const hi = requireFinite(fn, what, i, 'hi', r.hi, `series '${series}', x = ${x}`);
    if (lo > hi) throw new PlotInputError(`${fn}: ${what}[${i}] has lo ${lo} > hi ${hi} (series '${series}', x = ${x})`);
    return { series, x, y, lo, hi };
  });
  rejectDuplicateKeys(fn, what, out.map((d) => JSON.stringify([d.series, d.x])), (i) => `series '${out[i]!.series}' and x = ${out[i]!.x}`);
  return out;
}

/** A Vega-Lite unit/layer spec (not top level) of one line panel; `data` is inline. */
export function linePanel(fn: string, rows: readonly LineRow[], o: LinePanelOptions): Record<string, unknown> {
  // No drawable row is allowed when every point is off scale (they are still marked).
  const data = rows.length === 0 && o.offScale?.length ? [] : checkLineRows(fn, 'rows', rows);
  const faint = o.faint ? checkLineRows(fn, 'faint', o.faint) : [];
  const off = (o.offScale ?? []).map((p, i) => ({
    series: requireLabel(fn, 'offScale', i, 'series', p.series),
    x: requireFinite(fn, 'offScale', i, 'x', p.x, `series '${p.series}'`),
  }));
  const series = [...(o.seriesOrder ?? firstAppearance([...data, ...off].map((d) => d.series)))];
  for (const s of firstAppearance([...data, ...off, ...faint].map((d) => d.series))) if (!series.includes(s)) series.push(s);
  const width = requireSize(fn, 'width', o.width, 440);
  const height = requireSize(fn, 'height', o.height, 300);
  const xs = [...data, ...off, ...faint].map((d) => d.x);
  // Without a given domain, pad the data range a little so edge points are not cut in half.
  let xDomain: [number, number];
  if (o.xDomain) xDomain = [...o.xDomain];
  else {
    const [a, b] = [Math.min(...xs), Math.max(...xs)];
    if (o.xScale === 'log2') xDomain = [a / 2 ** 0.12, b * 2 ** 0.12];
    else {
      const pad = a === b ? 0.5 : (b - a) * 0.04;
      xDomain = [a - pad, b + pad];
    }
  }
  const xAxis = { title: o.xTitle, ...(o.integerX ? { format: 'd', tickMinStep: 1 } : {}) };
  const x = {
    field: 'x', type: 'quantitative',
    scale: o.xScale === 'log2' ? { type: 'log', base: 2, domain: xDomain, nice: false } : { domain: xDomain, zero: false, nice: !o.integerX },
    axis: o.xScale === 'log2' ? { ...xAxis, values: firstAppearance(xs.map(String)).map(Number).sort((a, b) => a - b), format: 'd' } : xAxis,
  };
  const color = { field: 'series', type: 'nominal', scale: { domain: series }, legend: { title: o.legendTitle, labelLimit: 0, symbolOpacity: 1, symbolStrokeWidth: 2.5 } };
  const yOf = (field: string) => ({ field, type: 'quantitative', scale: { zero: false }, axis: { title: o.yTitle } });
  const layer: Record<string, unknown>[] = [];
  if (o.zeroRule) {
    // Own one-row data: otherwise the rule is drawn once per input row.
    layer.push({ data: { values: [{}] }, mark: { type: 'rule', color: '#888', strokeDash: [4, 3], aria: false }, encoding: { y: { datum: 0, type: 'quantitative' } } });
  }
  const banded = data.filter((d) => d.lo !== undefined);
  if (banded.length) {
    layer.push({
      data: { values: banded },
      mark: { type: 'area', opacity: 0.18, aria: false },
      encoding: { x, y: { ...yOf('lo') }, y2: { field: 'hi' }, color, order: { field: 'x', type: 'quantitative' } },
    });
    layer.push({
      data: { values: banded },
      mark: { type: 'rule', strokeWidth: 1.5, aria: false },
      encoding: { x, y: { ...yOf('lo') }, y2: { field: 'hi' }, color },
    });
  }
  if (faint.length) {
    layer.push({
      data: { values: faint },
      mark: { type: 'line', strokeWidth: 1, opacity: 0.35, clip: true, aria: false },
      encoding: { x, y: yOf('y'), color, detail: { field: 'series' }, order: { field: 'x', type: 'quantitative' } },
    });
  }
  layer.push({
    data: { values: data },
    mark: { type: 'line', strokeWidth: 2, clip: true, ...(o.points === false ? {} : { point: { filled: true, size: 45 } }) },
    encoding: {
      x, y: yOf('y'), color,
      order: { field: 'x', type: 'quantitative' },
      tooltip: [
        { field: 'series', type: 'nominal' },
        { field: 'x', type: 'quantitative' },
        { field: 'y', type: 'quantitative', format: '.4g' },
      ],
    },
  });
  if (off.length) {
    const label = o.offScaleLabel ?? '−∞ (off scale)';
    layer.push({
      data: { values: off },
      mark: { type: 'point', shape: 'triangle-down', filled: true, size: 110, opacity: 1, stroke: '#222', strokeWidth: 0.8 },
      encoding: { x, y: { value: height - 6 }, color },
    });
    // One label, by the leftmost marker (one per marker would overlap at adjacent depths).
    const first = off.reduce((a, b) => (b.x < a.x ? b : a));
    layer.push({
      data: { values: [first] },
      mark: { type: 'text', align: 'left', dx: -4, dy: -14, fontSize: 11, color: '#222' },
      encoding: { x, y: { value: height - 6 }, text: { value: label } },
    });
  }
  return { width, height, layer };
}
