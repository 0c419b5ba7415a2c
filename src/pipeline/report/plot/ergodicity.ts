// Figures of the ergodicity sweep: eigenphases on the unit circle (log10 D_se against N is
// dseLines in networks.ts, drawn with the shared line panel).
import { render, titleOf, CONFIG } from './render.js';
import { rowChecks, requireSize, PlotInputError, type EigenphasePlotOptions } from './checks.js';

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
  const check = rowChecks(fn, 'points', points);
  const maxPoints = opts.maxPoints ?? 1000;
  if (!(maxPoints === Infinity || (Number.isInteger(maxPoints) && maxPoints >= 1))) {
    throw new PlotInputError(`${fn}: maxPoints must be a positive integer or Infinity, got ${maxPoints}`);
  }
  const size = requireSize(fn, 'panelSize', opts.panelSize, 260);

  // Validate everything (even points thinning would skip) and group by ensemble.
  const byEnsemble = new Map<string, { re: number; im: number }[]>();
  points.forEach((p, i) => {
    const ensemble = check.label(i, 'ensemble', p.ensemble);
    const re = check.finite(i, 're', p.re, `ensemble '${ensemble}'`);
    const im = check.finite(i, 'im', p.im, `ensemble '${ensemble}'`);
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
