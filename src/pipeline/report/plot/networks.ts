// Figures of network experiments: d_layers against depth, CSD curves, bar charts with error bars.
import type { TopLevelSpec } from 'vega-lite';
import { render, titleOf, LOG10, CONFIG } from './render.js';
import { requireRows, requireFinite, requireLabel, requireSize, firstAppearance, rejectDuplicateKeys, PlotInputError, type PlotOptions, type EigenphasePlotOptions, type BarChartOptions } from './checks.js';

/** log10 d_layers against depth, one line with points per network (input order). */
export async function depthCurves(
  series: readonly { network: string; depth: number; log10D: number }[],
  opts: PlotOptions = {},
): Promise<string> {
  // Alike in shape to the other plot functions by design: each is its own chart's spec; the row checks they share live in ./checks.ts.
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
  // Alike in shape to the other plot functions by design: each is its own chart's spec; the row checks they share live in ./checks.ts.
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
