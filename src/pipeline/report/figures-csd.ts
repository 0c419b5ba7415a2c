// Figures of the csd experiment: CSD curves per architecture family at a bin count suited to
// the number of eigenvalues (computed bins merged exactly), with an optional moving average
// and the raw curve kept, and Var(CSD) bars coloured by equivalence class and conjugacy,
// with interval whiskers (`varLow`/`varHigh`) when the run computed them.
import type { CsdReport, CsdNetworkResult } from './csd.js';
import { familyOf } from './csd.js';
import { csdCurves, barChart, binsFor } from './plot/index.js';
import { fin, intervalOf, type Figure } from './figures.js';

/** Display bins for a CSD curve of `pooled` eigenvalues: the square-root rule, at most the computed bins. */
export function csdDisplayFactor(bins: number, pooled: number): number {
  const target = binsFor(Math.max(1, pooled));
  return Math.max(1, Math.floor(bins / target));
}

/**
 * A network's CSD at display resolution: consecutive groups of `k` computed bins averaged
 * (exact re-binning of a density on equal bins), the cumulative read at each group's end,
 * and a centred moving average of `smooth` display bins (window shortened at the ends).
 */
export function csdDisplay(n: Pick<CsdNetworkResult, 'csd' | 'cumulative'>, eMax: number, k: number, smooth: number): { e: number; raw: number; smoothed: number; cumulative: number }[] {
  const width = eMax / n.csd.length;
  const out: { e: number; raw: number; cumulative: number }[] = [];
  for (let s = 0; s < n.csd.length; s += k) {
    const end = Math.min(n.csd.length, s + k);
    let sum = 0;
    for (let j = s; j < end; j++) sum += n.csd[j]!;
    out.push({ e: ((s + end) / 2) * width, raw: sum / (end - s), cumulative: n.cumulative[end - 1]! });
  }
  const h = Math.floor(Math.max(1, smooth) / 2);
  return out.map((p, i) => {
    let sum = 0;
    let cnt = 0;
    for (let j = Math.max(0, i - h); j <= Math.min(out.length - 1, i + h); j++) {
      sum += out[j]!.raw;
      cnt++;
    }
    return { ...p, smoothed: sum / cnt };
  });
}

export const DEFAULT_CSD_SMOOTH = 3;

export async function csdFigures(r: CsdReport, smooth = DEFAULT_CSD_SMOOTH, family: (name: string) => string = familyOf): Promise<Figure[]> {
  const figures: Figure[] = [];
  const families = new Map<string, CsdNetworkResult[]>();
  for (const n of r.networks) families.set(family(n.name), [...(families.get(family(n.name)) ?? []), n]);
  for (const [fam, nets] of families) {
    const k = csdDisplayFactor(r.bins, Math.min(...nets.map((n) => n.pooled)));
    const series = nets.flatMap((n) =>
      csdDisplay(n, r.eMax, k, smooth).map((p) => ({ network: n.name, e: p.e, csd: p.smoothed, cumulative: p.cumulative, ...(smooth > 1 ? { csdRaw: p.raw } : {}) })),
    );
    const display = Math.ceil(r.bins / k);
    figures.push({
      id: `csd-${fam.replace(/[^A-Za-z0-9._-]+/g, '_')}`,
      title: `Circular spectral difference: ${fam}`,
      caption:
        `CSD(e) = density of the network’s pooled layer eigenvalues minus that of ${r.against}, shown on ${display} bins (${r.bins} computed, merged ${k} at a time to suit ${Math.min(...nets.map((n) => n.pooled))} eigenvalues)` +
        (smooth > 1 ? `, smoothed by a moving average over ${smooth} bins (pale line: unsmoothed).` : ', unsmoothed.') +
        ' Below: the cumulative CSD, whose value at e_max decides conjugacy.',
      svg: await csdCurves(series, {
        title: `Circular spectral difference: ${fam}`,
        subtitle: `against ${r.against}; mean over ${r.draws} draw(s); ${display} bins${smooth > 1 ? `, moving average of ${smooth}` : ''}`,
      }),
    });
  }
  const classOf = (n: CsdNetworkResult) => `class ${n.class + 1}, ${n.conjugate ? 'conjugate' : 'not conjugate'}`;
  const bars = r.networks.map((n) => {
    const iv = intervalOf(n.varCsd, 'var') ?? intervalOf(n, 'var');
    return {
      label: n.name,
      value: n.varCsd.mean,
      group: classOf(n),
      ...(iv ? { low: iv[0], high: iv[1] } : fin(n.varCsd.std) ? { error: n.varCsd.std } : {}),
    };
  });
  const hasInterval = bars.some((b) => 'low' in b);
  figures.push({
    id: 'var-csd',
    title: 'Variance of the circular spectral difference',
    caption:
      'Var(CSD) per network, coloured by equivalence class (networks whose Var(CSD) differ by less than delta) and conjugacy (|cumulative CSD(e_max)| below the tolerance). ' +
      (hasInterval ? 'Whiskers: interval over draws.' : 'Whiskers: mean ± standard deviation over draws.'),
    svg: await barChart(bars, {
      title: 'Variance of the circular spectral difference',
      yTitle: 'Var(CSD)',
      groupTitle: 'equivalence class',
      subtitle: `${hasInterval ? 'whiskers: interval' : 'mean ± std'} over ${r.draws} draw(s); e_max = ${r.eMax}, ${r.bins} bins`,
    }),
  });
  return figures;
}
