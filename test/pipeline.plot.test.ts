// Tests for src/pipeline/plot.ts: the SVG must be well-formed XML, carry the
// titles, draw exactly one mark per datum at positions that follow from the
// data (bar heights proportional to values, points where the linear scales put
// them), be byte-identical for identical input, and refuse bad input clearly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barChart, csdCurves, depthCurves, eigenphasePlot, PlotInputError } from '../src/pipeline/report/plot/index.js';
import { NonFiniteInputError } from '../src/linalg/types.js';

// ---- a minimal XML reader for what Vega emits (no comments, CDATA or doctype)

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

/** Parses SVG into a tree; throws on unbalanced tags, bad attributes or unescaped '&' / '<'. */
function parseSvg(svg: string): El {
  const root: El = { name: '#root', attrs: {}, children: [], text: '' };
  const stack: El[] = [root];
  const token = /<\/?[^<>]*>|[^<]+/g;
  let pos = 0;
  for (let m = token.exec(svg); m !== null; m = token.exec(svg)) {
    assert.equal(m.index, pos, `stray '<' near offset ${pos}`);
    pos = m.index + m[0].length;
    const t = m[0];
    if (!t.startsWith('<')) {
      assert.doesNotMatch(t, /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/, `unescaped & in text ${t}`);
      stack.at(-1)!.text += t;
      continue;
    }
    if (t.startsWith('</')) {
      const name = t.slice(2, -1).trim();
      const open = stack.pop()!;
      assert.equal(open.name, name, `closing </${name}> does not match <${open.name}>`);
      continue;
    }
    const inner = t.slice(1, t.endsWith('/>') ? -2 : -1);
    const nameMatch = /^([a-zA-Z][\w:-]*)/.exec(inner);
    assert.ok(nameMatch, `bad tag ${t.slice(0, 80)}`);
    const el: El = { name: nameMatch[1]!, attrs: {}, children: [], text: '' };
    const rest = inner.slice(nameMatch[1]!.length);
    const attr = /\s+([\w:-]+)="([^"<]*)"/g;
    let consumed = 0;
    for (let a = attr.exec(rest); a !== null; a = attr.exec(rest)) {
      assert.equal(a.index, consumed, `bad attribute syntax in ${t.slice(0, 120)}`);
      consumed = a.index + a[0].length;
      el.attrs[a[1]!] = a[2]!;
    }
    assert.equal(rest.slice(consumed).trim(), '', `bad attribute syntax in ${t.slice(0, 120)}`);
    stack.at(-1)!.children.push(el);
    if (!t.endsWith('/>')) stack.push(el);
  }
  assert.equal(pos, svg.length, 'trailing garbage');
  assert.equal(stack.length, 1, `unclosed <${stack.at(-1)!.name}>`);
  assert.equal(root.children.length, 1, 'exactly one root element');
  return root.children[0]!;
}

function findAll(el: El, pred: (e: El) => boolean, out: El[] = []): El[] {
  if (pred(el)) out.push(el);
  for (const c of el.children) findAll(c, pred, out);
  return out;
}

const hasClass = (cls: string) => (e: El) => (e.attrs['class'] ?? '').split(/\s+/).includes(cls);
const role = (r: string) => (e: El) => e.attrs['aria-roledescription'] === r;
// Text of every <text> and <tspan> (multi-line titles are split into tspans).
const allText = (el: El): string[] =>
  findAll(el, (e) => (e.name === 'text' || e.name === 'tspan') && e.text !== '').map((e) => e.text);

/** Common checks: starts with <svg, parses, no NaN/undefined leaked into the markup. */
function checkSvg(svg: string): El {
  assert.ok(svg.startsWith('<svg'), `expected SVG, got ${svg.slice(0, 40)}`);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.doesNotMatch(svg, /NaN|undefined|Infinity/);
  const root = parseSvg(svg);
  assert.equal(root.name, 'svg');
  return root;
}

/** Height of a Vega rect path "M x,y h w v H h -w Z". */
function rectHeight(d: string): number {
  const m = /^M[-\d.e]+,[-\d.e]+h[-\d.e]+v([-\d.e]+)h/.exec(d);
  assert.ok(m, `unexpected rect path ${d}`);
  return Number(m[1]);
}

function translate(t: string | undefined): [number, number] {
  const m = /^translate\(([-\d.e]+),([-\d.e]+)\)/.exec(t ?? '');
  assert.ok(m, `no translate in ${t}`);
  return [Number(m[1]), Number(m[2])];
}

// Coordinates are rounded to 1/100 px by the module; allow that plus float slack.
const PX = 0.011;

// ---------------------------------------------------------- eigenphasePlot

test('eigenphasePlot: one square panel per ensemble, unit circle, points where the scales put them', async () => {
  const pts = [
    { ensemble: 'CUE', re: 0, im: 0 },
    { ensemble: 'CUE', re: 1, im: 0 },
    { ensemble: 'CUE', re: 0, im: -1 },
    { ensemble: 'COE', re: -1, im: 0 },
    { ensemble: 'COE', re: Math.SQRT1_2, im: Math.SQRT1_2 },
  ];
  const svg = await eigenphasePlot(pts, { title: 'Spectra', panelSize: 200 });
  const root = checkSvg(svg);
  const texts = allText(root);
  assert.ok(texts.includes('Spectra'));
  assert.ok(texts.includes('CUE  (n = 3)') && texts.includes('COE  (n = 2)'), texts.join('|'));
  assert.ok(texts.includes('Re λ') && texts.includes('Im λ'));
  const symbolGroups = findAll(root, hasClass('mark-symbol'));
  assert.deepEqual(symbolGroups.map((g) => g.children.length), [3, 2]);
  const circles = findAll(root, hasClass('mark-line'));
  assert.equal(circles.length, 2, 'one reference circle per panel');
  // Square panels: cell backgrounds are 200 x 200.
  const cells = findAll(root, (e) => e.name === 'path' && hasClass('background')(e) && e.attrs['stroke'] !== undefined);
  assert.equal(cells.length, 2);
  for (const c of cells) assert.equal(c.attrs['d'], 'M0.5,0.5h200v200h-200Z');
  // Domain is [-1.1, 1.1] on both axes (extent 1 plus 10 %): (0,0) is the
  // centre, (1,0) is 100/1.1 px right of it, (0,-1) is 100/1.1 px below.
  const [c, r1, m1] = symbolGroups[0]!.children.map((p) => translate(p.attrs['transform']));
  assert.ok(Math.abs(c![0] - 100) < PX && Math.abs(c![1] - 100) < PX);
  assert.ok(Math.abs(r1![0] - (100 + 100 / 1.1)) < PX && Math.abs(r1![1] - 100) < PX);
  assert.ok(Math.abs(m1![0] - 100) < PX && Math.abs(m1![1] - (100 + 100 / 1.1)) < PX);
  // The circle passes through (1, 0): some vertex of its polyline sits there.
  const circleD = circles[0]!.children[0]!.attrs['d']!;
  assert.ok(circleD.includes(`${Math.round((100 + 100 / 1.1) * 100) / 100},100`), circleD.slice(0, 60));
});

test('eigenphasePlot: thinning keeps every k-th point per ensemble and says so; large input stays small', async () => {
  const pts = Array.from({ length: 10 }, (_, j) => ({ ensemble: 'CSE', re: Math.cos(j), im: Math.sin(j) }));
  const root = checkSvg(await eigenphasePlot(pts, { maxPoints: 4 }));
  // k = ceil(10 / 4) = 3 keeps input positions 0, 3, 6, 9.
  const sym = findAll(root, hasClass('mark-symbol'));
  assert.equal(sym.length, 1);
  assert.equal(sym[0]!.children.length, 4);
  const x = (j: number) => 130 + (130 / 1.1) * Math.cos(j);
  sym[0]!.children.forEach((p, i) => assert.ok(Math.abs(translate(p.attrs['transform'])[0] - x(3 * i)) < PX));
  const texts = allText(root);
  assert.ok(texts.includes('CSE  (4 of 10 shown)'), texts.join('|'));
  assert.ok(texts.some((t) => t.includes('every k-th')));

  // 3 ensembles x 40 x 1024 eigenvalues: thinned to the default 1000 each.
  const big: { ensemble: string; re: number; im: number }[] = [];
  for (const ens of ['CUE', 'COE', 'CSE']) {
    for (let j = 0; j < 40 * 1024; j++) big.push({ ensemble: ens, re: Math.cos(j * 0.37), im: Math.sin(j * 0.37) });
  }
  const t0 = performance.now();
  const svg = await eigenphasePlot(big);
  const ms = performance.now() - t0;
  const broot = checkSvg(svg);
  assert.deepEqual(findAll(broot, hasClass('mark-symbol')).map((g) => g.children.length), [1000, 1000, 1000]);
  assert.ok(svg.length < 1_000_000, `SVG is ${svg.length} bytes`);
  assert.ok((await eigenphasePlot(big)) === svg, 'same input gives the same SVG');
  console.log(`# eigenphasePlot 3 x 40960 points: ${ms.toFixed(0)} ms, ${(svg.length / 1024).toFixed(0)} KiB (noisy shared machine)`);
});

test('eigenphasePlot: rejects bad input', async () => {
  await assert.rejects(eigenphasePlot([]), PlotInputError);
  await assert.rejects(
    eigenphasePlot([{ ensemble: 'CUE', re: 0.5, im: Infinity }]),
    (e: Error) => e instanceof NonFiniteInputError && /points\[0\]\.im is Infinity/.test(e.message),
  );
  // A bad value is reported even where thinning would have skipped it.
  const pts = Array.from({ length: 9 }, (_, j) => ({ ensemble: 'CUE', re: j === 5 ? NaN : 0, im: 0 }));
  await assert.rejects(eigenphasePlot(pts, { maxPoints: 2 }), /points\[5\]\.re is NaN/);
  await assert.rejects(eigenphasePlot([{ ensemble: 'CUE', re: 0, im: 0 }], { maxPoints: 0 }), PlotInputError);
  await assert.rejects(eigenphasePlot([{ ensemble: 'CUE', re: 0, im: 0 }], { maxPoints: 2.5 }), PlotInputError);
});

// ------------------------------------------------------------- depthCurves

test('depthCurves: one line per network through points sorted by depth; deterministic; rejects bad input', async () => {
  // Depths given out of order: the line must still run left to right.
  const series = [
    { network: 'vgg16', depth: 3, log10D: -1.5 },
    { network: 'vgg16', depth: 1, log10D: -1.0 },
    { network: 'vgg16', depth: 2, log10D: -1.2 },
    { network: 'resnet18', depth: 1, log10D: -0.8 },
    { network: 'resnet18', depth: 2, log10D: -1.6 },
  ];
  const svg = await depthCurves(series, { title: 'Depth test' });
  const root = checkSvg(svg);
  const texts = allText(root);
  assert.ok(texts.includes('Depth test'));
  assert.ok(texts.some((t) => t.includes('d_layers') && t.includes('bits')));
  assert.ok(texts.some((t) => t.startsWith('depth')));
  assert.ok(texts.includes('vgg16') && texts.includes('resnet18'), 'legend entries');
  const lines = findAll(root, role('line mark'));
  assert.equal(lines.length, 2);
  assert.equal(findAll(root, role('point')).length, series.length);
  for (const l of lines) {
    const xs = [...l.attrs['d']!.matchAll(/[ML]([-\d.e]+),/g)].map((m) => Number(m[1]));
    assert.ok(xs.length >= 2);
    for (let i = 1; i < xs.length; i++) assert.ok(xs[i]! > xs[i - 1]!, `x increasing in ${l.attrs['d']}`);
  }
  assert.notEqual(lines[0]!.attrs['stroke'], lines[1]!.attrs['stroke']);
  assert.ok((await depthCurves(series, { title: 'Depth test' })) === svg, 'same input gives the same SVG');
  await assert.rejects(depthCurves([]), PlotInputError);
  await assert.rejects(
    depthCurves([{ network: 'vgg16', depth: 2, log10D: -Infinity }]),
    (e: Error) => e instanceof NonFiniteInputError && /log10D is -Infinity/.test(e.message) && /vgg16/.test(e.message),
  );
  await assert.rejects(depthCurves([series[0]!, { ...series[0]!, log10D: 0 }]), /both have network 'vgg16' and depth 3/);
});

// --------------------------------------------------------------- csdCurves

test('csdCurves: two stacked panels, one line per network in each, e axis from 0', async () => {
  const series: { network: string; e: number; csd: number; cumulative: number }[] = [];
  for (const net of ['vgg16', 'vgg19', 'vgg11']) {
    let cum = 0;
    for (let b = 0; b < 60; b++) {
      const e = b * 0.1;
      const csd = Math.sin(e + net.length) * 0.3;
      cum += csd * 0.1;
      series.push({ network: net, e, csd, cumulative: cum });
    }
  }
  const svg = await csdCurves(series, { title: 'CSD: VGG' });
  const root = checkSvg(svg);
  const texts = allText(root);
  assert.ok(texts.includes('CSD: VGG'));
  assert.ok(texts.includes('CSD(e)') && texts.includes('cumulative CSD(e)'), texts.join('|'));
  assert.ok(texts.includes('eigenvalue e of X = A Aᵀ'));
  const lines = findAll(root, role('line mark'));
  assert.equal(lines.length, 6, '3 networks x 2 panels');
  // Each network keeps its colour in both panels (shared colour scale, one legend).
  const strokes = lines.map((l) => l.attrs['stroke']);
  assert.deepEqual(strokes.slice(0, 3), strokes.slice(3));
  assert.equal(new Set(strokes).size, 3);
  assert.equal(findAll(root, role('legend')).length, 1);
  // Every curve starts at e = 0, the left edge of the panel.
  for (const l of lines) assert.match(l.attrs['d']!, /^M0,/);
  // Panels are stacked: the second panel group sits below the first one's plot area.
  const groups = findAll(root, (e) => /concat_\d_group/.test(e.attrs['class'] ?? ''));
  assert.equal(groups.length, 2);
  const y0 = translate(groups[0]!.children[0]!.attrs['transform'])[1];
  const y1 = translate(groups[1]!.children[0]!.attrs['transform'])[1];
  assert.ok(y1 - y0 >= 200, `second panel at ${y1}, first at ${y0}`);
  assert.ok((await csdCurves(series, { title: 'CSD: VGG' })) === svg, 'same input gives the same SVG');
});

test('csdCurves: rejects bad input', async () => {
  await assert.rejects(csdCurves([]), PlotInputError);
  await assert.rejects(
    csdCurves([{ network: 'a', e: 0.1, csd: 0.2, cumulative: NaN }]),
    (e: Error) => e instanceof NonFiniteInputError && /series\[0\]\.cumulative is NaN/.test(e.message),
  );
  await assert.rejects(csdCurves([{ network: 'a', e: 0.1, csd: '1' as unknown as number, cumulative: 0 }]), /csd is string "1"/);
});

// ---------------------------------------------------------------- barChart

test('barChart: bars and error bars match value and value ± error', async () => {
  const rows = [
    { label: 'vgg16', value: 0.15, error: 0.02 },
    { label: 'resnet50', value: 1.2, error: 0.3 },
    { label: 'densenet121', value: 0.4 },
  ];
  const svg = await barChart(rows, { title: 'Var(CSD) per network', yTitle: 'Var(CSD)' });
  const root = checkSvg(svg);
  const texts = allText(root);
  assert.ok(texts.includes('Var(CSD) per network') && texts.includes('Var(CSD)'));
  const bars = findAll(root, role('bar'));
  assert.equal(bars.length, 3);
  const err = findAll(root, role('errorbar'));
  assert.equal(err.length, 2, 'no error bar where no error was given');
  // Bars start at 0, so (whisker length) / (bar height) = 2 error / value.
  for (const [i, row] of rows.slice(0, 2).entries()) {
    const h = rectHeight(bars[i]!.attrs['d']!);
    const len = Math.abs(Number(err[i]!.attrs['y2']));
    assert.ok(Math.abs(len / h - (2 * row.error!) / row.value) < 1e-3, `${row.label}: ${len}/${h}`);
  }
  assert.ok(Math.abs(rectHeight(bars[2]!.attrs['d']!) / rectHeight(bars[1]!.attrs['d']!) - 0.4 / 1.2) < 1e-3);
  assert.ok((await barChart(rows, { title: 'Var(CSD) per network', yTitle: 'Var(CSD)' })) === svg, 'same input gives the same SVG');
  // Without any error the chart has no error-bar layer at all.
  const plain = checkSvg(await barChart([{ label: 'a', value: 1 }, { label: 'b', value: 2 }], { title: 'T', yTitle: 'Y (u)' }));
  assert.equal(findAll(plain, role('bar')).length, 2);
  assert.equal(findAll(plain, role('errorbar')).length, 0);
});

test('barChart: rejects bad input', async () => {
  const opts = { title: 'T', yTitle: 'Y' };
  await assert.rejects(barChart([], opts), PlotInputError);
  await assert.rejects(barChart([{ label: 'a', value: NaN }], opts), NonFiniteInputError);
  await assert.rejects(barChart([{ label: 'a', value: 1, error: -0.1 }], opts), /error bar half-width must be >= 0/);
  await assert.rejects(barChart([{ label: 'a', value: 1, error: Infinity }], opts), /rows\[0\]\.error is Infinity/);
  await assert.rejects(barChart([{ label: 'a', value: 1 }, { label: 'a', value: 2 }], opts), /label 'a'/);
  await assert.rejects(barChart([{ label: 'a', value: 1 }], undefined as unknown as typeof opts), /title and opts\.yTitle/);
});

// ------------------------------------------------------------ determinism

test('output does not depend on what was rendered before or at the same time', async () => {
  const series = [0, 1, 2, 3].map((b) => ({ network: 'n', e: b, csd: b % 2, cumulative: b / 4 }));
  const first = await csdCurves(series);
  const [, again] = await Promise.all([
    barChart([{ label: 'a', value: 1 }, { label: 'b', value: 2 }], { title: 'bars', yTitle: 'v' }),
    csdCurves(series),
    csdCurves(series, { title: 'other' }),
  ]);
  assert.ok(again === first, 'same input gives the same SVG');
  // Every clip reference resolves to a clipPath defined in the same document.
  const refs = [...first.matchAll(/url\(#([\w-]+)\)/g)].map((m) => m[1]!);
  assert.ok(refs.length > 0, 'the line marks are clipped');
  for (const id of refs) assert.ok(first.includes(`<clipPath id="${id}"`), `missing clipPath ${id}`);
});
