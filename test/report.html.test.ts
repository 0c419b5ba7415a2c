// The HTML report and the figures behind it (src/pipeline/report/html.ts, figures.ts,
// plot/lines.ts, plot/density.ts): intervals are drawn when the result rows carry them
// (hand-made rows: the fields come from the uncertainty code) and left out otherwise,
// -Infinity depths are marked, CSD display bins and smoothing are exact, and the page of a
// real (tiny) sweep is self-contained, escaped, has unique SVG ids and is rebuilt byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dseLines, depthCurves, barChart, histogramBins } from '../src/pipeline/report/plot/index.js';
import { dseFigure, cpseFigure, cpseLegend, intervalOf } from '../src/pipeline/report/figures.js';
import { csdFigures, csdDisplay, csdDisplayFactor } from '../src/pipeline/report/figures-csd.js';
import { buildHtmlReport, esc, REPORT_HTML } from '../src/pipeline/report/html.js';
import type { ErgodicityReport } from '../src/pipeline/report/ergodicity.js';
import type { CpseReport } from '../src/pipeline/report/cpse.js';
import type { CsdReport } from '../src/pipeline/report/csd.js';
import { loadConfig } from '../src/pipeline/config/index.js';
import { runExperiment } from '../src/pipeline/experiments/index.js';

const count = (s: string, re: RegExp) => (s.match(new RegExp(re.source, 'g')) ?? []).length;
/** Mark elements (paths, or lines for rules) inside the first mark group whose class contains `cls`. */
function markPaths(svg: string, cls: string): string[] {
  const i = svg.indexOf(cls);
  if (i < 0) return [];
  const end = svg.indexOf('</g>', i);
  return svg.slice(i, end).match(/<(path|line)\s[^>]*>/g) ?? [];
}

function sweepReport(withIntervals: boolean): ErgodicityReport {
  const dse = (from: number, to: number, v: number) => ({ from, to, dse: v, log10Dse: Math.log10(v), ...(withIntervals ? { dseLow: v * 0.8, dseHigh: v * 1.25 } : { dseLow: null, dseHigh: null }) });
  return {
    tool: 'ergo', version: '0', experiment: 'spectral-ergodicity', name: 'hand', semantics: 'definition', kind: 'angle', delta: 0.2, edges: null,
    uncertainty: withIntervals ? { method: 'bootstrap', resamples: 200, level: 0.95, seed: 1 } : { method: 'none', reason: 'hand-made rows' },
    series: [
      { label: 'CUE (spectral)', ensemble: 'CUE', method: 'spectral', sizes: [], dse: [dse(16, 32, 0.2), dse(32, 64, 0.1), dse(64, 128, 0.05)] },
      { label: 'COE (spectral)', ensemble: 'COE', method: 'spectral', sizes: [], dse: [dse(16, 32, 0.3), dse(32, 64, 0.2), dse(64, 128, 0.1)] },
    ],
  };
}

test('D_se lines: interval band and whiskers drawn from dseLow/dseHigh, none without them', async () => {
  const banded = (await dseFigure(sweepReport(true)))!;
  assert.equal(banded.id, 'dse');
  assert.match(banded.svg, /mark-area role-mark/);
  // One whisker per transition and series (rule layer), spanning log10 of the interval.
  const rules = markPaths(banded.svg, 'mark-rule role-mark');
  assert.equal(rules.length, 6);
  assert.match(banded.caption, /bands and whiskers are the intervals/);
  const plain = (await dseFigure(sweepReport(false)))!;
  assert.doesNotMatch(plain.svg, /mark-area role-mark/);
  assert.equal(markPaths(plain.svg, 'mark-rule role-mark').length, 0);
  assert.match(plain.caption, /no intervals/);
  // Lines: one per ensemble; x on a log2 axis labelled with the sizes.
  assert.equal(count(plain.svg, /aria-roledescription="line mark"/), 2);
  for (const n of ['32', '64', '128']) assert.match(plain.svg, new RegExp(`>${n}</text>`));
});

test('dseLines: a band whose ends are out of order, or only one end, is refused', async () => {
  await assert.rejects(dseLines([{ ensemble: 'CUE', n: 32, log10Dse: -1, lo: -0.5, hi: -1.5 }]), /lo -0.5 > hi -1.5/);
  await assert.rejects(dseLines([{ ensemble: 'CUE', n: 32, log10Dse: -1, lo: -1.5 }]), /only one end of its interval/);
});

test('cPSE figure: -Infinity depths are marked on the bottom edge, not dropped; cPSE (and its interval) in the legend', async () => {
  const net = (name: string, logs: number[], extra: object = {}) => ({
    name, path: `/m/${name}`, format: 'safetensors', layers: [], nMax: 64, cachedLayers: 0, computedLayers: 0, warnings: [],
    dLayers: logs.map((l, i) => ({ depth: i + 2, layer: `l${i + 1}`, n: 64, d: 10 ** l, log10D: l })),
    cpse: logs.reduce((a, b) => a + b, 0) / logs.length,
    ...extra,
  });
  const r: CpseReport = {
    tool: 'ergo', version: '0', experiment: 'cpse', semantics: 'definition', vanilla: false, bins: 10,
    uncertainty: { method: 'none', reason: 'deterministic' },
    networks: [net('flat', [-1, -Infinity, -Infinity, -2]), net('mixed', [-0.5, -1, -1.5], { cpseLow: -1.2, cpseHigh: -0.8 })],
  };
  const f = (await cpseFigure(r))!;
  // Two off-scale markers (depths 3 and 4 of "flat"), at the bottom edge (height 300 - 6).
  const markers = markPaths(f.svg, 'mark-symbol role-mark layer_1_marks');
  assert.equal(markers.length, 2);
  for (const m of markers) assert.match(m, /transform="translate\([\d.]+,294\)"/);
  assert.match(f.svg, /d = 0 \(log₁₀ d = −∞\)/);
  assert.match(f.svg, /flat  \(cPSE = −∞\)/);
  assert.match(f.svg, /mixed  \(cPSE = -1\.000, \[-1\.200, -0\.800\]\)/);
  assert.match(f.caption, /▼ on the bottom edge/);
  // Points: 2 finite of "flat" + 3 of "mixed" on the lines, and the 2 markers.
  assert.equal(markPaths(f.svg, 'layer_0_layer_1_marks').length, 5);
  assert.equal(count(f.svg, /aria-roledescription="point"/), 7);
  // Without zeros, no markers and no marker note.
  const g = (await cpseFigure({ ...r, networks: [r.networks[1]!] }))!;
  assert.equal(markPaths(g.svg, 'mark-symbol role-mark layer_1_marks').length, 0);
  assert.doesNotMatch(g.caption, /▼/);
  // A network whose every d is 0 is still drawn (markers only).
  const z = await depthCurves([], { zeros: [{ network: 'z', depth: 2 }, { network: 'z', depth: 3 }] });
  assert.equal(markPaths(z, 'mark-symbol role-mark layer_1_marks').length, 2);
  assert.equal(cpseLegend('n', NaN), 'n  (cPSE = NaN (< 3 layers))');
});

function csdReport(intervals: boolean): CsdReport {
  const bins = 200;
  const net = (name: string, v: number, cls: number, conjugate: boolean) => ({
    name, path: '', format: 'npz', layers: 3, orders: [8, 8, 8], pooled: 400, outsideFraction: 0,
    varCsd: { mean: v, std: v / 10, n: 3, ...(intervals ? { varLow: v * 0.7, varHigh: v * 1.4 } : {}) },
    cumulativeAtEMax: { mean: 0, std: 0, n: 3 }, conjugate, conjugateDraws: conjugate ? 3 : 0, class: cls,
    csd: Array.from({ length: bins }, (_, k) => Math.sin(k / 10) + (k % 2 ? 0.3 : -0.3)),
    cumulative: Array.from({ length: bins }, (_, k) => k / bins),
    warnings: [],
  });
  return {
    tool: 'ergo', version: '0', experiment: 'csd', against: 'ref', normalise: 'none', eMax: 6, bins, tolerance: 0.05, delta: 0.5, draws: 3, seed: 0,
    networks: [net('a_network_with_a_really_long_name_that_must_not_be_cut', 2, 0, false), net('b', 2.2, 0, false), net('c', 0.1, 1, true)],
    equivalence: { names: [], diff: [], equivalent: [], classes: [], flags: [] },
  } as unknown as CsdReport;
}

test('Var(CSD) bars: coloured by class and conjugacy, full labels, interval whiskers from varLow/varHigh', async () => {
  const figs = await csdFigures(csdReport(true), 3, () => 'all');
  const bars = figs.find((f) => f.id === 'var-csd')!;
  assert.match(bars.svg, />a_network_with_a_really_long_name_that_must_not_be_cut</, 'label drawn in full');
  assert.doesNotMatch(bars.svg, /…/);
  const fills = markPaths(bars.svg, 'mark-rect role-mark').map((p) => /fill="([^"]+)"/.exec(p)![1]);
  assert.equal(fills.length, 3);
  assert.equal(fills[0], fills[1], 'same class, same colour');
  assert.notEqual(fills[0], fills[2]);
  assert.match(bars.svg, /class 1, not conjugate/);
  assert.match(bars.svg, /class 2, conjugate/);
  assert.match(bars.svg, /whiskers: interval/);
  const plain = (await csdFigures(csdReport(false), 3, () => 'all')).find((f) => f.id === 'var-csd')!;
  assert.match(plain.svg, /mean ± std/);
});

test('CSD display: bins merged to suit the eigenvalue count (exact averages), moving average, raw curve kept', async () => {
  // 1000 computed bins for 500 eigenvalues: sqrt rule -> 22 display bins -> merge 45 at a time.
  assert.equal(csdDisplayFactor(1000, 500), 45);
  assert.equal(csdDisplayFactor(10, 1e6), 1, 'never finer than computed');
  const n = { csd: [1, 3, 5, 7, 9, 11, 13], cumulative: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7] };
  const d = csdDisplay(n, 7, 2, 3);
  assert.deepEqual(d.map((p) => p.raw), [2, 6, 10, 13]); // last group has one bin
  assert.deepEqual(d.map((p) => p.cumulative), [0.2, 0.4, 0.6, 0.7]);
  assert.deepEqual(d.map((p) => p.e), [1, 3, 5, 6.5]); // group centres, bin width 1
  assert.deepEqual(d.map((p) => p.smoothed), [4, 6, 29 / 3, 11.5]); // window 3, shortened at the ends
  assert.deepEqual(csdDisplay(n, 7, 1, 1).map((p) => p.smoothed), n.csd, 'window 1 = no smoothing');
  const figs = await csdFigures(csdReport(false), 5, () => 'all');
  const curves = figs.find((f) => f.id === 'csd-all')!;
  // 3 networks x (smoothed + cumulative) lines, plus 3 faint raw lines.
  assert.equal(count(curves.svg, /aria-roledescription="line mark"/), 6);
  assert.match(curves.caption, /moving average over 5 bins \(pale line: unsmoothed\)/);
  const unsmoothed = (await csdFigures(csdReport(false), 1, () => 'all')).find((f) => f.id === 'csd-all')!;
  assert.match(unsmoothed.caption, /unsmoothed\./);
});

test('histogramBins: a probability density (integrates to 1 over the values in range), log bins too', () => {
  const v = Float64Array.from({ length: 1000 }, (_, i) => 0.001 + (i * i) / 1000);
  for (const log of [false, true]) {
    const bins = histogramBins(v, 25, 0.001, 1000, log);
    assert.equal(bins.length, 25);
    const mass = bins.reduce((s, b) => s + b.density * (b.right - b.left), 0);
    assert.ok(Math.abs(mass - 1) < 1e-12, `mass ${mass} (log ${log})`);
  }
  assert.throws(() => histogramBins(v, 10, 0, 1, true), /0 < lo < hi/);
});

test('intervalOf reads <name>Low/<name>High only when both are finite', () => {
  assert.deepEqual(intervalOf({ dseLow: 1, dseHigh: 2 }, 'dse'), [1, 2]);
  assert.equal(intervalOf({ dseLow: 1 }, 'dse'), undefined);
  assert.equal(intervalOf({ dseLow: NaN, dseHigh: 2 }, 'dse'), undefined);
});

test('barChart: low > high is refused', async () => {
  await assert.rejects(barChart([{ label: 'a', value: 1, low: 2, high: 1 }], { title: 't', yTitle: 'y' }), /low 2 > high 1/);
});

test('report.html of a tiny sweep: self-contained, escaped, unique ids, every figure, rebuilt byte for byte', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ergo-html-'));
  const yaml = join(dir, 'tiny.yaml');
  writeFileSync(yaml, 'name: tiny\nseed: 5\nensembles: [CUE, COE]\nmethod: spectral\nsizes: [8, 16, 32]\nmatrices: 6\nchunk: 3\ndelta: 0.5\n');
  const out = join(dir, 'run');
  const res = await runExperiment(loadConfig(yaml), { outDir: out, workers: 0 });
  assert.ok(res.files.includes(join(out, REPORT_HTML)), 'written at the end of the run');
  const html = readFileSync(join(out, REPORT_HTML), 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.doesNotMatch(html, /<script|<link|src="http|href="http/i);
  // Every external-looking URL is an XML namespace, never fetched.
  for (const u of html.match(/https?:\/\/[^"\s)]+/g) ?? []) assert.match(u, /^http:\/\/www\.w3\.org\//);
  for (const id of ['dse', 'eigenphases', 'eigenphase-histogram']) assert.match(html, new RegExp(`data-figure="${id}"`));
  assert.equal(count(html, /<svg/g), 3);
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, 'ids unique across the inline SVGs');
  for (const m of html.matchAll(/url\(#([^)]+)\)/g)) assert.ok(ids.includes(m[1]), `url(#${m[1]}) resolves`);
  // Provenance and configuration.
  assert.match(html, /run created<\/td><td>\d{4}-\d\d-\d\dT/);
  assert.match(html, /<td>seed<\/td><td>5<\/td>/);
  assert.match(html, /sizes:\s*\n\s*- 8/);
  assert.equal(await buildHtmlReport(out), html, 'rebuilt from the directory: same bytes');
  assert.equal(esc(`<img src=x onerror="a">&'`), '&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;');
});
