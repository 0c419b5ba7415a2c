#!/usr/bin/env node
// Makes docs/report-sweep.png, docs/report-cpse.png and docs/report-csd.png: runs a small
// sweep (config/quickstart.yaml), a cpse and a csd run on fetched networks (face-api tiny
// face detector, whose cPSE is -Infinity, and face recognition; the upscaler for csd), then
// opens each results/report.html in Debian's chromium (playwright-core, headless) and saves
// a screenshot of the page's top (figures and the start of the tables).
//   npm run build && node scripts/fetch-models.mjs && node scripts/report-screenshots.mjs
// Options: --chromium PATH (default /usr/bin/chromium), --out DIR (default docs),
// --height PX (screenshot height, default 2600), --keep (keep the run directories).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const browserPath = arg('--chromium', '/usr/bin/chromium');
const outDir = arg('--out', join(root, 'docs'));
const height = Number(arg('--height', '2600'));
const models = process.env.ERGO_MODELS_CACHE ?? join(root, '.cache', 'models');
const need = ['face-api/tiny_face_detector_model-weights_manifest.json', 'face-api/face_recognition_model-weights_manifest.json', 'upscaler-default/model.json'].map((f) => join(models, f));
for (const f of need) if (!existsSync(f)) throw new Error(`${f} is missing: run node scripts/fetch-models.mjs first`);

const work = mkdtempSync(join(tmpdir(), 'ergo-screens-'));
const ergo = (args) => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'ergo.js'), ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`ergo ${args.join(' ')} exited with ${r.status}`);
};
ergo(['run', join(root, 'config', 'quickstart.yaml'), '--out', join(work, 'sweep'), '--workers', '1', '-q']);
ergo(['cpse', need[0], need[1], '--out', join(work, 'cpse'), '--cache', join(work, 'cache'), '--workers', '1']);
ergo(['csd', need[0], need[1], need[2], '--draws', '3', '--out', join(work, 'csd'), '--cache', join(work, 'cache'), '--workers', '1']);

const browser = await chromium.launch({ executablePath: browserPath, headless: true, args: ['--no-sandbox'] });
try {
  for (const kind of ['sweep', 'cpse', 'csd']) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(join(work, kind, 'results', 'report.html')).href);
    const full = await page.evaluate(() => document.documentElement.scrollHeight);
    const path = join(outDir, `report-${kind}.png`);
    await page.screenshot({ path, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.min(full, height) } });
    process.stdout.write(`wrote ${path} (page height ${full} px)\n`);
    await page.close();
  }
} finally {
  await browser.close();
  if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
  else process.stdout.write(`runs kept in ${work}\n`);
}
