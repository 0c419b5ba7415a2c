// results/report.html: one self-contained page per run (sweep, cpse, csd, mme) with the run's
// configuration, provenance (tool version, backend, seed, dates, input file hashes), tables
// and figures. Built only from what the run directory holds (manifest.json with its config
// copy, the results JSON, the finished chunks), so `ergo report <dir>` rebuilds the same
// bytes the run wrote. Self-contained: inline CSS and inline SVG (Vega renders them here,
// headless), no script, no external URL; a Content-Security-Policy forbids loading anything.
// Names come from model files (strangers' data): every text is HTML-escaped.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { openDataset, readChunk, type Dataset } from '../runtime/dataset.js';
import { StoreError, writeFileAtomic } from '../files.js';
import type { NetworkSpec } from '../config/types.js';
import { dseFigure, eigenphaseFigures, cpseFigure, mmeFigure, layerDensityFigures, type AnyReport, type Figure } from './figures.js';
import { csdFigures, DEFAULT_CSD_SMOOTH } from './figures-csd.js';
import { esc, num, table, sweepTables, cpseTables, csdTables, mmeTables } from './html-tables.js';
import { yaml } from '../vendor.js';

export { esc } from './html-tables.js';

export const REPORT_HTML = 'results/report.html';

/** Results JSON of each experiment, relative to the run directory. */
export const RESULT_FILES = {
  'spectral-ergodicity': 'results/results.json',
  cpse: 'results/cpse.json',
  csd: 'results/csd.json',
  mme: 'results/mme.json',
} as const;

/** The results JSON with the strings "NaN", "Infinity", "-Infinity" turned back into numbers (json.ts writes them so). */
export function readResults(ds: Dataset): AnyReport {
  const rel = RESULT_FILES[ds.manifest.config.experiment];
  const path = join(ds.dir, rel);
  if (!existsSync(path)) throw new StoreError(`${path}: no results here; the run has not finished (finish it with the same command, then rebuild the report)`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'), (_k, v: unknown) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v)) as AnyReport;
  } catch (e) {
    throw new StoreError(`${path}: unreadable results JSON (${(e as Error).message})`);
  }
}

/** Inline SVGs share one document: give each figure's ids (clip paths, gradients) its own prefix. */
function scopedSvg(svg: string, prefix: string): string {
  return svg
    .replace(/^<\?xml[^>]*>\s*/, '')
    .replace(/(\sid="|url\(#|\shref="#|xlink:href="#)([A-Za-z_][\w.-]*)/g, (_m, lead: string, id: string) => `${lead}${prefix}-${id}`);
}

function figureHtml(f: Figure, i: number): string {
  return `<figure class="plot" id="fig-${esc(f.id)}" data-figure="${esc(f.id)}">${scopedSvg(f.svg, `f${i + 1}`)}<figcaption><b>Figure ${i + 1}.</b> ${esc(f.caption)}</figcaption></figure>`;
}

// ------------------------------------------------------------------ provenance

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const part of createReadStream(path)) h.update(part as Buffer);
  return h.digest('hex');
}

/** Model files named in the config: path, size and sha256 when the file is still there. */
async function inputFiles(specs: readonly NetworkSpec[]): Promise<(string | number)[][]> {
  const rows: (string | number)[][] = [];
  for (const s of specs) {
    let size = '';
    let hash = 'not hashed: the file is no longer there';
    try {
      const st = statSync(s.path);
      if (st.isFile()) {
        size = String(st.size);
        hash = await fileSha256(s.path);
      } else {
        hash = 'a folder (its layers are hashed one by one below)';
      }
    } catch {
      /* stays "no longer there" */
    }
    rows.push([s.name, s.path, size, hash]);
  }
  return rows;
}

async function provenance(ds: Dataset, r: AnyReport): Promise<string> {
  const m = ds.manifest;
  const cfg = m.config;
  const layerRecs = m.chunks.filter((c) => c.identity.kind === 'layer');
  const backends = new Set<string>();
  for (const rec of layerRecs) if (rec.state === 'done') backends.add(readChunk(ds, rec).metadata.get('ergo.backend') ?? 'unrecorded');
  const random = m.chunks.some((c) => c.identity.kind !== 'layer');
  const backendText = [
    ...(backends.size ? [`layer spectra: ${[...backends].join(', ')}`] : []),
    ...(random ? ['random draws: the reproducible kernels (never native BLAS)'] : []),
  ].join('; ');
  const u = (r as { uncertainty?: { method?: string; resamples?: number; level?: number; seed?: string | number } }).uncertainty;
  const rows: [string, string][] = [
    ['experiment', cfg.experiment],
    ['run name', cfg.name],
    ['tool', `ergo ${r.version} (results); run directory written by ergo ${m.toolVersion}, format ${m.format}`],
    ['backend', backendText || 'none recorded'],
    ['seed', String(cfg.seed)],
    ['semantics', cfg.semantics],
    ['run created', m.created],
    ['run last updated', m.updated],
    ['config hash (data keys)', m.configHash],
    ['chunks', `${m.chunks.filter((c) => c.state === 'done').length} done of ${m.chunks.length}`],
    [
      'uncertainty',
      u ? `${u.method ?? 'interval'}, ${u.resamples ?? '?'} resamples, level ${u.level ?? '?'}, seed ${u.seed ?? '?'}` : cfg.experiment === 'cpse' ? 'none: a trained network’s cPSE is deterministic (same weights, same number)' : 'no intervals in this run',
    ],
  ];
  let html = `<h2 id="provenance">Provenance</h2>${table(['', ''], rows, 'kv')}`;
  if (cfg.experiment === 'cpse' || cfg.experiment === 'csd') {
    const specs = [...cfg.networks, ...(cfg.experiment === 'csd' && typeof cfg.csd.against === 'object' ? [cfg.csd.against.network] : [])];
    html += `<h3>Input files</h3>${table(['network', 'path', 'bytes', 'sha256'], await inputFiles(specs), 'mono')}`;
    if (layerRecs.length) {
      html += `<details><summary>Layer matrices (${layerRecs.length}): sha256 of each matrix and its shape, as the run hashed them</summary>${table(
        ['layer', 'N × M', 'sha256 of the matrix'],
        layerRecs.map((c) => [c.group ?? c.id, `${c.identity.n} × ${c.identity.m}`, c.identity.hash ?? '']),
        'mono',
      )}</details>`;
    }
  }
  return html;
}

// ------------------------------------------------------------------ page

const CSS = `
body{font:15px/1.45 Helvetica,Arial,sans-serif;color:#222;margin:0;background:#fafafa}
main{max-width:1180px;margin:0 auto;padding:20px 28px 60px;background:#fff}
h1{font-size:24px;margin:8px 0 4px}h2{font-size:20px;margin:30px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:16px;margin:18px 0 6px}.sub{font-weight:normal;color:#555}
nav a{margin-right:14px;color:#2a5d9f}
table{border-collapse:collapse;margin:6px 0 10px;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}
table.kv td:first-child{font-weight:bold;white-space:nowrap}table.kv thead{display:none}
table.mono td{font-family:Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
figure.plot{margin:18px 0;padding:8px;border:1px solid #e4e4e4;overflow-x:auto}
figure.plot svg{display:block;max-width:none}
figcaption{font-size:13px;color:#444;margin-top:6px}
.note{font-size:13px;color:#444;background:#f6f8fa;border-left:3px solid #9ab;padding:6px 10px}
.warn{font-size:13px;color:#8a4b00}
pre{background:#f6f8fa;padding:10px;font-size:12px;overflow-x:auto}
`;

export interface HtmlOptions {
  /** CSD plot smoothing window (display bins); default: the run config's plot.smooth, else 3. */
  smooth?: number;
}

/** The report page of the run in `dir`. */
export async function buildHtmlReport(dir: string, opts: HtmlOptions = {}): Promise<string> {
  const ds = openDataset(dir);
  const cfg = ds.manifest.config;
  const r = readResults(ds);
  if (r.experiment !== cfg.experiment) throw new StoreError(`${dir}: the results JSON is of experiment ${r.experiment}, the manifest of ${cfg.experiment}`);
  const figures: Figure[] = [];
  let tables = '';
  let headline = '';
  switch (r.experiment) {
    case 'spectral-ergodicity': {
      const dse = await dseFigure(r);
      if (dse) figures.push(dse);
      figures.push(...(await eigenphaseFigures(ds, r, cfg)));
      tables = sweepTables(r);
      headline = `${r.series.length} series; sizes ${esc(r.series[0]?.sizes.map((z) => z.n).join(', ') ?? '')}`;
      break;
    }
    case 'cpse': {
      const f = await cpseFigure(r);
      if (f) figures.push(f);
      figures.push(...(await layerDensityFigures(ds)));
      tables = cpseTables(r);
      headline = r.networks.map((n) => `${esc(n.name)}: cPSE = ${esc(num(n.cpse, 6))}`).join('; ');
      break;
    }
    case 'csd': {
      figures.push(...(await csdFigures(r, opts.smooth ?? cfg.plot.smooth ?? DEFAULT_CSD_SMOOTH)));
      figures.push(...(await layerDensityFigures(ds)));
      tables = csdTables(r);
      headline = `${r.networks.length} network(s) against ${esc(r.against)}; ${r.equivalence.classes.length} equivalence class(es)`;
      break;
    }
    case 'mme': {
      const f = await mmeFigure(r);
      if (f) figures.push(f);
      tables = mmeTables(r);
      headline = `cPSE = ${esc(num(r.cpse, 6))}`;
      break;
    }
  }
  const title = `ergo report: ${cfg.name} (${cfg.experiment})`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><main>
<h1>${esc(title)}</h1><p>${headline}</p>
<nav><a href="#figures">Figures</a><a href="#tables">Tables</a><a href="#provenance">Provenance</a><a href="#config">Configuration</a></nav>
<h2 id="figures">Figures</h2>
${figures.map(figureHtml).join('\n')}
${tables}
${await provenance(ds, r)}
<h2 id="config">Configuration</h2><p>The run’s configuration as stored in its manifest.json (what <code>ergo run</code> resumes with).</p>
<pre>${esc(yaml().stringify(cfg))}</pre>
</main></body></html>
`;
}

/** Build and write results/report.html of the run in `dir`; returns its path. */
export async function writeHtmlReport(dir: string, opts: HtmlOptions = {}): Promise<string> {
  const html = await buildHtmlReport(dir, opts);
  const path = join(openDataset(dir).dir, REPORT_HTML);
  writeFileAtomic(path, html);
  return path;
}
