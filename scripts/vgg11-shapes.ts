// Writes VGG-11-shaped weights for the benchmark (`npm run bench`, cPSE rows): the 11 weight
// tensors of torchvision's vgg11 (8 convolutions, 3 dense layers; 132.9M weights), float32,
// Gaussian with He-initialisation scale sqrt(2 / fan_in), from ergo's seeded stream (seed
// 'vgg11-shapes'), as one folder of .npy files (sorted names = layer order), which
// `ergo cpse <folder>` reads as one network. Shapes from torchvision.models.vgg11 (config
// "A" of Simonyan & Zisserman 2015). Rewritten only if missing or incomplete.
//
//   node dist/scripts/vgg11-shapes.js <dir> [--scale k]
// --scale k divides every dimension except the 3 x 3 kernels and the 3 input channels by k
// (the bench's --quick rows).
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStream } from '../src/rng/index.js';

export const VGG11_SHAPES: [string, number[]][] = [
  ['features.0.weight', [64, 3, 3, 3]],
  ['features.3.weight', [128, 64, 3, 3]],
  ['features.6.weight', [256, 128, 3, 3]],
  ['features.8.weight', [256, 256, 3, 3]],
  ['features.11.weight', [512, 256, 3, 3]],
  ['features.13.weight', [512, 512, 3, 3]],
  ['features.16.weight', [512, 512, 3, 3]],
  ['features.18.weight', [512, 512, 3, 3]],
  ['classifier.0.weight', [4096, 25088]],
  ['classifier.3.weight', [4096, 4096]],
  ['classifier.6.weight', [1000, 4096]],
];

export function scaledShapes(k: number): [string, number[]][] {
  return VGG11_SHAPES.map(([name, s]) => [name, s.length === 4 ? [Math.max(1, s[0]! / k), s[1] === 3 ? 3 : Math.max(1, s[1]! / k), 3, 3] : s.map((d) => Math.max(2, Math.round(d / k)))]);
}

function npyF32(shape: number[], data: Float32Array): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export function writeVgg11Shapes(dir: string, k = 1): string[] {
  mkdirSync(dir, { recursive: true });
  const shapes = k === 1 ? VGG11_SHAPES : scaledShapes(k);
  const names = shapes.map(([name], i) => `${String(i).padStart(2, '0')}-${name}.npy`);
  const have = new Set(readdirSync(dir));
  if (names.every((n) => have.has(n))) return names.map((n) => join(dir, n));
  const stream = createStream('vgg11-shapes');
  shapes.forEach(([, shape], i) => {
    const count = shape.reduce((a, b) => a * b, 1);
    const fanIn = count / shape[0]!;
    const f64 = stream.fillNormal(new Float64Array(count), Math.sqrt(2 / fanIn));
    const tmp = join(dir, `${names[i]}.tmp`);
    writeFileSync(tmp, npyF32(shape, Float32Array.from(f64)));
    renameSync(tmp, join(dir, names[i]!));
  });
  return names.map((n) => join(dir, n));
}

if (process.argv[1] && /vgg11-shapes\.(js|ts)$/.test(process.argv[1])) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: vgg11-shapes <dir> [--scale k]\n');
    process.exit(2);
  }
  const si = process.argv.indexOf('--scale');
  const k = si > 0 ? Number(process.argv[si + 1]) : 1;
  const files = writeVgg11Shapes(dir, k);
  process.stdout.write(`${files.length} files in ${dir}${existsSync(dir) ? '' : ' (missing?)'}\n`);
}
