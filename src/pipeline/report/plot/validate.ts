// Figure of `ergo validate`: nearest-neighbour spacing histograms (unfolded, mean 1) against
// the Wigner surmise of the claimed ensemble, one panel per ensemble and size.
import type { TopLevelSpec } from 'vega-lite';
import { render, titleOf, CONFIG } from './render.js';
import { rowChecks, firstAppearance, type PlotOptions } from './checks.js';

export interface SpacingPanel {
  panel: string;
  /** Histogram: left edges (equal width) and densities. */
  left: number[];
  width: number;
  density: number[];
  /** Surmise curve: s and P(s). */
  s: number[];
  surmise: number[];
}

/** Spacing histograms (bars) with the surmise (line), faceted by panel in input order. */
export async function spacingPanels(panels: readonly SpacingPanel[], opts: PlotOptions = {}): Promise<string> {
  const fn = 'spacingPanels';
  const check = rowChecks(fn, 'panels', panels);
  const bars = panels.flatMap((p, i) => {
    const panel = check.label(i, 'panel', p.panel);
    return p.left.map((l, k) => ({ panel, kind: 'data', s0: l, s1: l + p.width, density: check.finite(i, `density[${k}]`, p.density[k], `panel '${panel}'`) }));
  });
  const curve = panels.flatMap((p, i) => p.s.map((s, k) => ({ panel: p.panel, kind: 'surmise', s, p: check.finite(i, `surmise[${k}]`, p.surmise[k], `panel '${p.panel}'`) })));
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: titleOf(opts.title ?? 'Nearest-neighbour spacings against the Wigner surmise', opts.subtitle),
    data: { values: [...bars, ...curve] },
    facet: { field: 'panel', type: 'nominal', sort: firstAppearance(panels.map((p) => p.panel)), header: { title: null } },
    columns: Math.min(3, panels.length),
    spec: {
      width: opts.width ?? 260,
      height: opts.height ?? 200,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'data'" }],
          mark: { type: 'rect', color: '#4c78a8', opacity: 0.6 },
          encoding: {
            x: { field: 's0', type: 'quantitative', axis: { title: 'spacing s (mean 1)' } },
            x2: { field: 's1' },
            y: { field: 'density', type: 'quantitative', axis: { title: 'density' } },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'surmise'" }],
          mark: { type: 'line', color: '#e45756', strokeWidth: 2 },
          encoding: { x: { field: 's', type: 'quantitative' }, y: { field: 'p', type: 'quantitative' } },
        },
      ],
    },
  };
  return render(spec);
}
