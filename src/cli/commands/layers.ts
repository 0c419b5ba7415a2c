// ergo layers <model>: the layer matrices a weights file yields (SPEC section 5),
// in network order, with the layout rule applied to each; warnings name the
// tensors left out because their layout cannot be told.
import type { Command } from 'commander';
import { openWeights, layerMatrices, type WeightsFormat } from '../../weights/index.js';
import { action, EXIT, UsageError } from '../errors.js';

function regex(flag: string, text: string | undefined): RegExp | undefined {
  if (text === undefined) return undefined;
  try {
    return new RegExp(text);
  } catch (e) {
    throw new UsageError(`${flag}: not a valid regular expression: ${(e as Error).message}`);
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 1 || i === 5 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

const FORMATS: WeightsFormat[] = ['safetensors', 'npy', 'npz', 'npy-dir', 'onnx', 'tfjs', 'gguf', 'keras-h5', 'keras'];

export function register(program: Command): void {
  program
    .command('layers')
    .description('list the layer matrices of a trained network (safetensors, .npy/.npz or a folder of .npy, ONNX, TF.js)')
    .argument('<model>', 'weights file, TF.js model.json / weights manifest, or a directory of .npy files')
    .option('--include <re>', 'keep only tensors whose name matches this regular expression')
    .option('--exclude <re>', 'drop tensors whose name matches this regular expression (e.g. fixed buffers)')
    .option('--format <fmt>', `skip detection: one of ${FORMATS.join(', ')}`)
    .option('--json', 'machine-readable output')
    .action(
      action(async (model: string, o: { include?: string; exclude?: string; format?: string; json?: boolean }) => {
        if (o.format !== undefined && !FORMATS.includes(o.format as WeightsFormat)) {
          throw new UsageError(`--format: expected one of ${FORMATS.join(', ')}, got '${o.format}'`);
        }
        const include = regex('--include', o.include);
        const exclude = regex('--exclude', o.exclude);
        const source = await openWeights(model, o.format ? { format: o.format as WeightsFormat } : {});
        const layers = layerMatrices(source, { include, exclude });
        if (o.json) {
          const out = {
            model: source.path,
            format: source.format,
            tensors: source.tensors.length,
            layers: layers.map(({ index, name, shape, n, m, dtype, layout }) => ({ index, name, shape, n, m, dtype, layout })),
            warnings: layers.warnings,
          };
          process.stdout.write(JSON.stringify(out, null, 2) + '\n');
          return EXIT.ok;
        }
        process.stdout.write(`${source.path}: ${source.format}, ${source.tensors.length} tensors, ${layers.length} layers\n`);
        if (layers.length) {
          const rows = [['#', 'name', 'shape', 'N x M', 'dtype', 'layout rule']];
          for (const l of layers) rows.push([String(l.index), l.name, `[${l.shape.join(', ')}]`, `${l.n} x ${l.m}`, l.dtype, l.layout]);
          process.stdout.write(table(rows) + '\n');
        }
        for (const w of layers.warnings) process.stderr.write(`warning: ${w}\n`);
        return layers.length ? EXIT.ok : EXIT.failed;
      }),
    );
}
