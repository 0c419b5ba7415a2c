// Figures of network experiments: d_layers against depth, CSD curves, bar charts with error bars.
import type { TopLevelSpec } from 'vega-lite';
import { render, titleOf, LOG10, CONFIG } from './render.js';
import { linePanel } from './lines.js';
import { rowChecks, requireSize, firstAppearance, rejectDuplicateKeys, PlotInputError, type PlotOptions, type BarChartOptions } from './checks.js';

/**
 * log10 d_layers against depth, one line with points per network (input order). Depths
 * where d_layers = 0 (log10 = -Infinity) go in `opts.zeros` and are marked on the bottom
 * edge, never dropped; `opts.legend` renames networks in the legend (e.g. with their cPSE).
 */
export async function depthCurves(
  series: readonly { network: string; depth: number; log10D: number }[],
  opts: PlotOptions & { zeros?: readonly { network: string; depth: number }[]; legend?: ReadonlyMap<string, string> } = {},
): Promise<string> {
  const fn = 'depthCurves';
  const zeros = opts.zeros ?? [];
  const check = rowChecks(fn, 'series', series, zeros.length > 0);
  const data = series.map((r, i) => check.row(i, r, 'network', ['depth', 'log10D']));
  rejectDuplicateKeys(fn, 'series', data.map((d) => JSON.stringify([d.network, d.depth])),
    (i) => `network '${data[i]!.network}' and depth ${data[i]!.depth}`);
  const name = (n: string) => opts.legend?.get(n) ?? n;
  const integerDepths = [...data, ...zeros].every((d) => Number.isInteger(d.depth));
  const panel = linePanel(fn, data.map((d) => ({ series: name(d.network), x: d.depth, y: d.log10D })), {
    xTitle: 'depth l (number of layers)',
    yTitle: `${LOG10} d_layers  (d in bits)`,
    legendTitle: 'network',
    width: requireSize(fn, 'width', opts.width, 440),
    height: requireSize(fn, 'height', opts.height, 300),
    integerX: integerDepths,
    seriesOrder: firstAppearance([...data, ...zeros].map((d) => name(d.network))),
    offScale: zeros.map((z) => ({ series: name(z.network), x: z.depth })),
    offScaleLabel: 'd = 0 (log₁₀ d = −∞)',
  });
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: titleOf(opts.title ?? 'Periodic spectral ergodicity over depth', opts.subtitle ?? (zeros.length ? '▼ on the bottom edge: d_layers = 0 there (log10 = −∞)' : undefined)),
    ...panel,
  } as unknown as TopLevelSpec);
}

/**
 * log10 D_se against the larger size N′ of each transition N → N′ (log2 axis), one line per
 * ensemble (input order), with a band and whiskers from `lo` to `hi` where a row has them.
 */
export async function dseLines(
  rows: readonly { ensemble: string; n: number; log10Dse: number; lo?: number; hi?: number }[],
  opts: PlotOptions = {},
): Promise<string> {
  const fn = 'dseLines';
  const check = rowChecks(fn, 'rows', rows);
  const data = rows.map((r, i) => {
    const { ensemble, n, log10Dse, lo, hi } = check.row(i, r, 'ensemble', ['n', 'log10Dse']);
    if (n <= 0) throw new PlotInputError(`${fn}: rows[${i}].n is ${n}; sizes must be positive`);
    return { series: ensemble, x: n, y: log10Dse, ...(lo !== undefined || hi !== undefined ? { lo: lo!, hi: hi! } : {}) };
  });
  const banded = data.some((d) => 'lo' in d);
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: titleOf(opts.title ?? 'Approach to spectral ergodicity', opts.subtitle ?? (banded ? 'bands and whiskers: interval of D_se' : undefined)),
    ...linePanel(fn, data, {
      xTitle: 'matrix size N′ (transition N → N′)',
      yTitle: `${LOG10} D_se  (D_se in bits)`,
      legendTitle: 'ensemble',
      width: requireSize(fn, 'width', opts.width, 440),
      height: requireSize(fn, 'height', opts.height, 300),
      xScale: 'log2',
    }),
  } as unknown as TopLevelSpec);
}

/**
 * Two stacked panels sharing the e axis: CSD(e) on top, cumulative CSD(e) below, one line per
 * network (input order), each with a zero reference rule. Rows with `csdRaw` also get the
 * unsmoothed CSD drawn as a thin pale line under the (smoothed) `csd` line.
 */
export async function csdCurves(
  series: readonly { network: string; e: number; csd: number; cumulative: number; csdRaw?: number }[],
  opts: PlotOptions = {},
): Promise<string> {
  const fn = 'csdCurves';
  const check = rowChecks(fn, 'series', series);
  const data = series.map((r, i) => {
    const { network, e, csd, cumulative, csdRaw } = check.row(i, r, 'network', ['e', 'csd', 'cumulative'], ['csdRaw']);
    return { network, e, csd, cumulative, raw: csdRaw };
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
  const lo = Math.min(0, eMin);
  const eDomain: [number, number] = [lo, eMax > lo ? eMax : lo + 1];
  const width = requireSize(fn, 'width', opts.width, 520);
  const height = requireSize(fn, 'height', opts.height, 200);
  const raw = data.filter((d) => d.raw !== undefined).map((d) => ({ series: d.network, x: d.e, y: d.raw! }));
  const common = { legendTitle: 'network', width, height, xDomain: eDomain, zeroRule: true, seriesOrder: networks, points: false };
  return render({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: titleOf(opts.title ?? 'Circular spectral difference', opts.subtitle),
    vconcat: [
      // Two-line y titles: one line longer than the panel height would pad the layout.
      linePanel(fn, data.map((d) => ({ series: d.network, x: d.e, y: d.csd })), {
        ...common, xTitle: null, yTitle: raw.length ? ['CSD(e)', '(density per unit e)', 'pale: unsmoothed'] : ['CSD(e)', '(density per unit e)'],
        ...(raw.length ? { faint: raw } : {}),
      }),
      linePanel(fn, data.map((d) => ({ series: d.network, x: d.e, y: d.cumulative })), {
        ...common, xTitle: 'eigenvalue e of X = A Aᵀ', yTitle: ['cumulative CSD(e)', '(probability)'],
      }),
    ],
    resolve: { scale: { color: 'shared' } },
  } as unknown as TopLevelSpec);
}

/**
 * One bar per label (input order) with an optional error bar: symmetric value ± error, or an
 * interval [low, high] (e.g. a bootstrap interval). Rows with a `group` are coloured by it
 * (legend titled `opts.groupTitle`). Labels are never cut.
 */
export async function barChart(
  rows: readonly { label: string; value: number; error?: number; low?: number; high?: number; group?: string }[],
  opts: BarChartOptions & { groupTitle?: string },
): Promise<string> {
  const fn = 'barChart';
  if (opts === undefined || typeof opts.title !== 'string' || typeof opts.yTitle !== 'string') {
    throw new PlotInputError(`${fn}: opts.title and opts.yTitle are required strings`);
  }
  const check = rowChecks(fn, 'rows', rows);
  const data = rows.map((r, i) => {
    const label = check.label(i, 'label', r.label);
    const value = check.finite(i, 'value', r.value, `label '${label}'`);
    const group = r.group === undefined ? {} : { group: check.label(i, 'group', r.group) };
    if (r.low !== undefined || r.high !== undefined) {
      const lo = check.finite(i, 'low', r.low, `label '${label}'`);
      const hi = check.finite(i, 'high', r.high, `label '${label}'`);
      if (lo > hi) throw new PlotInputError(`${fn}: rows[${i}] has low ${lo} > high ${hi} (label '${label}')`);
      return { label, value, lo, hi, ...group };
    }
    if (r.error === undefined) return { label, value, ...group };
    const error = check.finite(i, 'error', r.error, `label '${label}'`);
    if (error < 0) throw new PlotInputError(`${fn}: rows[${i}].error is ${error} (label '${label}'); an error bar half-width must be >= 0`);
    return { label, value, lo: value - error, hi: value + error, ...group };
  });
  rejectDuplicateKeys(fn, 'rows', data.map((d) => d.label), (i) => `label '${data[i]!.label}'`);
  const labels = data.map((d) => d.label);
  const hasErrors = data.some((d) => 'lo' in d);
  const groups = firstAppearance(data.flatMap((d) => ('group' in d && d.group !== undefined ? [d.group] : [])));
  const x = {
    field: 'label', type: 'nominal', scale: { domain: labels, paddingInner: 0.25 },
    // labelLimit 0: no truncation; long names are turned instead.
    axis: { title: opts.xTitle ?? null, labelAngle: labels.some((l) => l.length > 8) ? -35 : 0, labelLimit: 0 },
  } as const;
  const layer: object[] = [
    {
      mark: { type: 'bar', ...(groups.length ? {} : { color: '#4c78a8' }) },
      encoding: {
        x,
        y: { field: 'value', type: 'quantitative', axis: { title: opts.yTitle } },
        ...(groups.length ? { color: { field: 'group', type: 'nominal', scale: { domain: groups }, legend: { title: opts.groupTitle ?? null, orient: 'right' } } } : {}),
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
  } as unknown as TopLevelSpec);
}
