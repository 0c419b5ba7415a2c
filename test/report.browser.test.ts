// The HTML report in a real browser: Debian's chromium, headless, driven by playwright-core
// (no browser download). A small sweep, a cpse run and a csd run are made with the command
// line (in this process); each results/report.html is opened from a file:// URL and must show no console or
// page errors, request nothing but its own file, draw every figure with a non-zero size and
// non-blank pixels, and give a screenshot that is not blank. Gated on chromiumMissing():
// skipped without chromium, a failure under ERGO_STRICT=1 (.ci/run installs chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pngjs from 'pngjs';
import { chromium, type Browser } from 'playwright-core';
import { ergo, repoRoot, tempDir } from './helpers/cli.js';
import { testNeeding, chromiumMissing, CHROMIUM } from './helpers/resources.js';
import { safetensorsBytes, synthNetwork } from './helpers/weightfiles.js';
import { absHaar } from './helpers/haar.js';
import { createStream } from '../src/rng/index.js';

const dir = tempDir('ergo-browser-');

/** Make the three runs (in this process: the CLI is not what is under test here); returns their report paths. */
async function makeRuns(): Promise<Record<'sweep' | 'cpse' | 'csd', string>> {
  const yaml = join(dir, 'sweep.yaml');
  writeFileSync(yaml, 'name: browser\nseed: 11\nensembles: [CUE, COE, CSE]\nmethod: spectral\nsizes: [8, 16, 32]\nmatrices: 8\nchunk: 4\ndelta: 0.4\n');
  const synth = join(dir, 'synth.safetensors');
  writeFileSync(synth, safetensorsBytes(synthNetwork(), 'F64'));
  // Four equal layers: every d_layers is 0, so cPSE = -Infinity (the figure marks those depths).
  const same = absHaar(16, createStream('browser-flat'));
  const flat = join(dir, 'flat.safetensors');
  writeFileSync(flat, safetensorsBytes([0, 1, 2, 3].map((l) => ({ name: `l${l}.weight`, shape: [16, 16], data: same })), 'F64'));
  const s = createStream('browser-circ');
  const circ = join(dir, 'circ.safetensors');
  writeFileSync(circ, safetensorsBytes([16, 24, 32].map((n, l) => ({ name: `layer${l}.weight`, shape: [n, n], data: absHaar(n, s) })), 'F64'));
  const cache = join(dir, 'cache');
  const runs = {
    sweep: ['run', yaml, '--out', join(dir, 'sweep'), '--workers', '0', '-q'],
    cpse: ['cpse', synth, flat, '--out', join(dir, 'cpse'), '--cache', cache, '--workers', '0'],
    csd: ['csd', synth, circ, '--draws', '2', '--out', join(dir, 'csd'), '--cache', cache, '--workers', '0'],
  };
  for (const [kind, args] of Object.entries(runs)) {
    const r = await ergo(args);
    assert.equal(r.status, 0, `${kind}: ${r.stderr}`);
  }
  return { sweep: join(dir, 'sweep', 'results', 'report.html'), cpse: join(dir, 'cpse', 'results', 'report.html'), csd: join(dir, 'csd', 'results', 'report.html') };
}

/** Distinct RGBA colours of a PNG and the variance of its grey levels. */
function pixelStats(png: Buffer): { colours: number; variance: number; width: number; height: number } {
  const img = pngjs.PNG.sync.read(png);
  const seen = new Set<number>();
  let sum = 0;
  let sum2 = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const [r, g, b, a] = [img.data[4 * i]!, img.data[4 * i + 1]!, img.data[4 * i + 2]!, img.data[4 * i + 3]!];
    seen.add(((r << 24) | (g << 16) | (b << 8) | a) >>> 0);
    const grey = (r + g + b) / 3;
    sum += grey;
    sum2 += grey * grey;
  }
  return { colours: seen.size, variance: sum2 / n - (sum / n) ** 2, width: img.width, height: img.height };
}

const EXPECTED: Record<string, RegExp[]> = {
  sweep: [/^dse$/, /^eigenphases$/, /^eigenphase-histogram$/],
  cpse: [/^cpse-depth$/, /^layer-density-01$/, /^layer-density-log-01$/],
  csd: [/^csd-synth$/, /^csd-circ$/, /^var-csd$/, /^layer-density-01$/],
};

testNeeding(chromiumMissing(), 'report.html of a sweep, a cpse and a csd run renders in headless chromium: no errors, every figure drawn, not blank', { timeout: 1_800_000 }, async () => {
  // One browser for the three reports, started while the runs are made.
  const launching = chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'], timeout: 300_000 });
  launching.catch(() => {}); // awaited below; a failed run must not leave it unhandled
  let reports: Awaited<ReturnType<typeof makeRuns>>;
  try {
    reports = await makeRuns();
  } catch (e) {
    await launching.then((b) => b.close(), () => {});
    throw e;
  }
  const browser: Browser = await launching;
  try {
    for (const [kind, path] of Object.entries(reports)) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('request', (r) => requests.push(r.url()));
      const url = pathToFileURL(path).href;
      await page.goto(url, { waitUntil: 'load', timeout: 300_000 });
      assert.deepEqual(problems, [], `${kind}: console and page errors`);
      assert.deepEqual(requests, [url], `${kind}: the page loads nothing but itself`);

      const figures = await page.$$eval('figure.plot', (els) =>
        els.map((e) => {
          const svg = e.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          // Marks drawn with a size: the data, not just axes.
          const marks = svg ? [...svg.querySelectorAll('.role-mark path, .role-mark line')].filter((m) => {
            const b = (m as unknown as { getBBox(): { width: number; height: number } }).getBBox();
            return b.width > 0 || b.height > 0;
          }).length : 0;
          return { id: (e as unknown as { dataset: Record<string, string | undefined> }).dataset['figure'] ?? '', width: box?.width ?? 0, height: box?.height ?? 0, marks };
        }),
      );
      for (const want of EXPECTED[kind]!) assert.ok(figures.some((f) => want.test(f.id)), `${kind}: a figure ${want} among ${figures.map((f) => f.id).join(', ')}`);
      for (const f of figures) {
        assert.ok(f.width > 100 && f.height > 100, `${kind}/${f.id}: rendered ${f.width} x ${f.height}`);
        assert.ok(f.marks > 0, `${kind}/${f.id}: no mark with a size`);
      }
      // Each figure's own pixels are not blank (axes alone give few colours; data adds more).
      const handles = await page.$$('figure.plot svg');
      for (const [i, h] of handles.entries()) {
        const st = pixelStats(await h.screenshot());
        assert.ok(st.colours >= 8 && st.variance > 1, `${kind}/${figures[i]!.id}: ${st.colours} colours, variance ${st.variance.toFixed(2)}`);
      }
      // The page as a reader first sees it.
      const shot = pixelStats(await page.screenshot());
      assert.equal(shot.width, 1280);
      assert.ok(shot.colours > 50 && shot.variance > 10, `${kind}: screenshot has ${shot.colours} colours, variance ${shot.variance.toFixed(2)}`);
      // The cpse page shows the -Infinity markers and explains them; tables carry the notes.
      if (kind === 'cpse') {
        const text = await page.textContent('body');
        assert.match(text ?? '', /flat {2}\(cPSE = −∞\)/);
        assert.match(text ?? '', /The last layer has no d/);
      }
      await page.close();
    }
  } finally {
    await browser.close();
  }
});

testNeeding(undefined, 'chromiumMissing: a chromium that is not there fails the browser test under ERGO_STRICT=1', { timeout: 120_000 }, () => {
  const helpers = pathToFileURL(join(repoRoot, 'dist', 'test', 'helpers', 'resources.js')).href;
  const src = `import { testNeeding, chromiumMissing } from ${JSON.stringify(helpers)};\ntestNeeding(chromiumMissing(), 'browser', {}, () => {});`;
  const env: NodeJS.ProcessEnv = { ...process.env, ERGO_STRICT: '1', ERGO_CHROMIUM: join(dir, 'no-such-chromium') };
  delete env['NODE_TEST_CONTEXT'];
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { encoding: 'utf8', env, timeout: 60_000 });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /required resource is missing: chromium is not installed at .*no-such-chromium/);
});
