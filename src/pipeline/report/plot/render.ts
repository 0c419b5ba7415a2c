// Rendering a Vega-Lite spec to SVG headless (`renderer: 'none'` + `toSVG()`: no canvas, no
// browser, no network; all data is inline), with reproducible output: geometry rounded to
// 1/100 px, clip/gradient ids renumbered per document.
import type { Config, TopLevelSpec } from 'vega-lite';

// ------------------------------------------------------------------ rendering

// Readable defaults: larger fonts than Vega's 10/11 px, white background.
const FONT = 'Helvetica, Arial, sans-serif';
export const CONFIG: Config = {
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

export function titleOf(text: string, subtitle?: string): { text: string; subtitle?: string } {
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

// The result writers (plots/*.svg) and the HTML page draw the same figures from the same
// data, one after the other: the last few renderings are kept, keyed by the spec's JSON, so a
// run renders each figure once. Rendering is deterministic, so a hit gives the same bytes.
const RECENT = 16;
const recent = new Map<string, Promise<string>>();

/** Compiles a Vega-Lite spec and renders it to an SVG string without a browser or canvas. */
export function render(spec: TopLevelSpec): Promise<string> {
  const key = JSON.stringify(spec);
  const hit = recent.get(key);
  if (hit) return hit;
  const svg = renderNow(spec);
  recent.set(key, svg);
  if (recent.size > RECENT) recent.delete(recent.keys().next().value!);
  svg.catch(() => recent.delete(key));
  return svg;
}

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');
let libraries: Promise<{ vega: Vega; vl: VegaLite }> | undefined;

/**
 * vega and vega-lite, loaded on first use (commands that draw nothing, such as ergo --help and
 * ergo layers, must not pay for them): from the build's one-file bundle of both
 * (scripts/build-vega.mjs; about 0.15 s to load), else from the packages (about 0.30 s).
 */
function loadVega(): Promise<{ vega: Vega; vl: VegaLite }> {
  libraries ??= (async () => {
    try {
      const b = (await import(new URL('../../../../vendor/vega.js', import.meta.url).href)) as { vega: Vega; vegaLite: VegaLite };
      return { vega: b.vega, vl: b.vegaLite };
    } catch (e) {
      // no bundle (a build without esbuild, or running from the sources): the packages
      if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw e;
      const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
      return { vega, vl };
    }
  })();
  return libraries;
}

async function renderNow(spec: TopLevelSpec): Promise<string> {
  const { vega, vl } = await loadVega();
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    return renumberDefIds(compactGeometry(svg));
  } finally {
    view.finalize();
  }
}

export const LOG10 = 'log₁₀';

