// ergo export <dir> --format npy|csv: eigenvalues per data group for people without Arrow
// (pipeline/report/export.ts says what is written).
import { join, resolve } from 'node:path';
import { action, type Command } from '../command.js';
import { choice } from '../parsers.js';
import { EXIT, UsageError } from '../errors.js';
import { pathArg, shown } from '../session.js';

export function register(cmd: Command): void {
  const { program, io } = cmd;
  program
    .command('export')
    .description('write eigenvalues per data group (ensemble and size, network layer) as .npy (complex128) or .csv')
    .argument('<dir>', 'run directory')
    .requiredOption('--format <fmt>', 'npy or csv', choice('--format', ['npy', 'csv'] as const))
    .option('-o, --out <dir>', 'output folder (default: <dir>/export)')
    .action(
      action(cmd, async (dir: string, o: { format: 'npy' | 'csv'; out?: string }) => {
        const { openDataset, dataGroups } = await import('../../pipeline/runtime/dataset.js');
        const { groupNpy, groupCsv } = await import('../../pipeline/report/export.js');
        const { writeFileAtomic } = await import('../../pipeline/files.js');
        const ds = openDataset(pathArg(io, dir));
        const groups = dataGroups(ds);
        if (!groups.length) throw new UsageError(`${dir}: no finished chunks to export yet`);
        const outDir = o.out !== undefined ? resolve(io.cwd, o.out) : join(ds.dir, 'export');
        for (const g of groups) {
          writeFileAtomic(join(outDir, `${g.name}.${o.format}`), o.format === 'npy' ? groupNpy(g) : groupCsv(g));
          if (g.missingChunks) io.stderr.write(`[ergo] ${g.name}: incomplete (${g.missingChunks} chunk(s) not done); exported ${g.rows} matrices\n`);
        }
        io.stderr.write(`[ergo] wrote ${groups.length} file(s) to ${shown(io, outDir)}\n`);
        return EXIT.ok;
      }),
    );
}
