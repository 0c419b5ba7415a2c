// Figures of the ergodicity sweep: D_se bars per size transition, eigenphases on the unit circle.
import type { TopLevelSpec } from 'vega-lite';
import { render, titleOf, LOG10, CONFIG } from './render.js';
import { requireRows, requireFinite, requireLabel, requireSize, firstAppearance, rejectDuplicateKeys, PlotInputError, type PlotOptions, type EigenphasePlotOptions, type BarChartOptions } from './checks.js';

/**
 * Grouped bars of log10 D_se per size transition (x: "N_i→N_{i+1}", input
 * order), one bar colour per ensemble, as in the 2017 surrogate-matrix paper.
 */
export async function dseBarChart(
  rows: readonly { ensemble: string; transition: string; log10Dse: number }[],
  opts: PlotOptions = {},
): Promise<string> {
  // Alike in shape to the other plot functions by design: each is its own chart's spec; the row checks they share live in ./checks.ts.
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
  // Alike in shape to the other plot functions by design: each is its own chart's spec; the row checks they share live in ./checks.ts.
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
          mark: { type: 'line', color: '#c8c8c8', strokeWidth: 1, aria: false },
          encoding: { x, y, order: { field: 'k', type: 'quantitative' } },
        },
        {
          transform: [{ filter: "datum.kind === 'eig'" }],
          // aria: false drops a per-point aria-label, which would dominate the file size.
          // Large, opaque, outlined points: visible on the circle, each eigenvalue distinct.
          mark: { type: 'point', filled: true, size: 36, opacity: 0.9, stroke: '#222', strokeWidth: 0.4, aria: false },
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
