// ergo export <dir> --to npy|csv: eigenvalues per data group for people without Arrow
// (pipeline/report/export.ts says what is written). --to was --format (still accepted, with
// a warning): --format names the input format in the other commands.
import { join, resolve } from 'node:path';
import { action, define, type Command } from '../command.js';
import { choice } from '../parsers.js';
import { EXIT, UsageError } from '../errors.js';
import { info } from '../io.js';
import { deprecatedAlias } from '../aliases.js';
import { pathArg, shown } from '../session.js';
import { TOOL_VERSION } from '../../pipeline/version.js';

const TO = ['npy', 'csv'] as const;

export function register(cmd: Command): void {
  const { program, io } = cmd;
  const c = define(program, 'export', 'print the files written as JSON on stdout')
    .argument('<dir>', 'run directory')
    .option('--to <fmt>', 'required: the output format, npy or csv', choice('--to', TO))
    .option('-o, --out <dir>', 'output folder (default: <dir>/export)');
  deprecatedAlias(c, '--format <fmt>', '--to', choice('--format', TO)).action(
    action(cmd, async (dir: string, o: { to?: 'npy' | 'csv'; out?: string; json?: boolean }) => {
      const to = o.to;
      if (to === undefined) throw new UsageError('export: required option --to npy|csv not given');
      const { openDataset, dataGroups } = await import('../../pipeline/runtime/dataset.js');
      const { groupNpy, groupCsv } = await import('../../pipeline/report/export.js');
      const { writeFileAtomic } = await import('../../pipeline/files.js');
      const ds = openDataset(pathArg(io, dir));
      const groups = dataGroups(ds);
      if (!groups.length) throw new UsageError(`${dir}: no finished chunks to export yet`);
      const outDir = o.out !== undefined ? resolve(io.cwd, o.out) : join(ds.dir, 'export');
      const files: { group: string; file: string; rows: number; incomplete: boolean }[] = [];
      for (const g of groups) {
        const file = join(outDir, `${g.name}.${to}`);
        writeFileAtomic(file, to === 'npy' ? groupNpy(g) : groupCsv(g));
        files.push({ group: g.name, file, rows: g.rows, incomplete: g.missingChunks > 0 });
        if (g.missingChunks) info(io, `${g.name}: incomplete (${g.missingChunks} chunk(s) not done); exported ${g.rows} matrices`);
      }
      if (o.json) io.stdout.write(JSON.stringify({ tool: 'ergo', version: TOOL_VERSION, format: to, dir: outDir, files }, null, 2) + '\n');
      info(io, `wrote ${groups.length} file(s) to ${shown(io, outDir)}`);
      return EXIT.ok;
    }),
  );
}
