// ergo layers <model>: the layer matrices a weights file yields (SPEC section 5),
// in network order, with the layout rule applied to each; warnings name the
// tensors left out because their layout cannot be told.
import { WEIGHTS_FORMATS, type WeightsFormat } from '../../weights/formats.js';
import { textTable } from '../../pipeline/report/table.js';
import { action, define, type Command } from '../command.js';
import { choice, regex, collect, ALLOW_PATH_HELP } from '../parsers.js';
import { deprecatedAlias } from '../aliases.js';
import { TOOL_VERSION } from '../../pipeline/version.js';
import { EXIT } from '../errors.js';
import { pathArg } from '../session.js';

export function register(cmd: Command): void {
  const { program, io } = cmd;
  const c = define(program, 'layers', 'machine-readable output')
    .argument('<model>', 'weights file, TF.js model.json / weights manifest, or a directory of .npy files')
    .option('--include <re>', 'keep only tensors whose name matches this regular expression', regex('--include'))
    .option('--exclude <re>', 'drop tensors whose name matches this regular expression (e.g. fixed buffers)', regex('--exclude'))
    .option('--input-format <fmt>', `skip detection: one of ${WEIGHTS_FORMATS.join(', ')}`, choice('--input-format', WEIGHTS_FORMATS))
    .option('--allow-path <dir>', ALLOW_PATH_HELP, collect);
  deprecatedAlias(c, '--format <fmt>', '--input-format', choice('--format', WEIGHTS_FORMATS))
    .action(
      action(cmd, async (model: string, o: { include?: string; exclude?: string; inputFormat?: WeightsFormat; json?: boolean; allowPath?: string[] }) => {
        const [{ openWeights }, { layerMatrices }] = await Promise.all([import('../../weights/open.js'), import('../../weights/layers.js')]);
        const source = await openWeights(pathArg(io, model), {
          ...(o.inputFormat ? { format: o.inputFormat } : {}),
          ...(o.allowPath ? { allowDirs: o.allowPath.map((d) => pathArg(io, d)) } : {}),
        });
        const layers = layerMatrices(source, {
          ...(o.include !== undefined ? { include: new RegExp(o.include) } : {}),
          ...(o.exclude !== undefined ? { exclude: new RegExp(o.exclude) } : {}),
        });
        if (o.json) {
          const out = {
            tool: 'ergo',
            version: TOOL_VERSION,
            model: source.path,
            format: source.format,
            tensors: source.tensors.length,
            layers: layers.map(({ index, name, shape, rows, cols, dtype, layout }) => ({ index, name, shape, n: rows, m: cols, dtype, layout })),
            warnings: layers.warnings,
          };
          io.stdout.write(JSON.stringify(out, null, 2) + '\n');
          return EXIT.ok;
        }
        io.stdout.write(`${source.path}: ${source.format}, ${source.tensors.length} tensors, ${layers.length} layers\n`);
        if (layers.length) {
          const rows = [['#', 'name', 'shape', 'N x M', 'dtype', 'layout rule']];
          for (const l of layers) rows.push([String(l.index), l.name, `[${l.shape.join(', ')}]`, `${l.rows} x ${l.cols}`, l.dtype, l.layout]);
          io.stdout.write(textTable(rows, { align: ['right', 'left', 'right', 'right', 'right', 'left'] }).join('\n') + '\n');
        }
        for (const w of layers.warnings) io.stderr.write(`warning: ${w}\n`);
        return layers.length ? EXIT.ok : EXIT.failed;
      }),
    );
}
