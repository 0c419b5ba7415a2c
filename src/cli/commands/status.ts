// ergo status <dir> and ergo datasets <dir>: what a run directory holds and how far it got.
import { action, define, type Command } from '../command.js';
import { EXIT, UsageError } from '../errors.js';
import { textTable } from '../../pipeline/report/table.js';
import { pathArg } from '../session.js';
import { TOOL_VERSION } from '../../pipeline/version.js';

export function register(cmd: Command): void {
  const { program, io } = cmd;
  define(program, 'status', 'machine-readable output')
    .argument('<dir>', 'run directory')
    .action(
      action(cmd, async (dir: string, o: { json?: boolean }) => {
        const { openDataset, countByGroup, lockHolder } = await import('../../pipeline/runtime/dataset.js');
        const m = openDataset(pathArg(io, dir)).manifest;
        const groups = countByGroup(m.chunks);
        const failed = m.chunks.filter((c) => c.state === 'failed');
        const totals = { done: 0, pending: 0, failed: 0 };
        for (const c of m.chunks) totals[c.state]++;
        const lock = lockHolder(pathArg(io, dir));
        if (o.json) {
          io.stdout.write(JSON.stringify({ tool: 'ergo', version: TOOL_VERSION, name: m.config.name, experiment: m.config.experiment, updated: m.updated, lock: lock ?? null, totals, groups, failed: failed.map((f) => ({ id: f.id, error: f.error })) }, null, 2) + '\n');
        } else {
          io.stdout.write(`${m.config.name} (${m.config.experiment}), updated ${m.updated}, ergo ${m.toolVersion}\n`);
          if (lock) io.stdout.write(`locked by pid ${lock.pid} on ${lock.host} since ${lock.started} (a run in progress, or one that was killed)\n`);
          const rows = [['group', 'done', 'pending', 'failed', 'matrices'], ...groups.map((g) => [g.group, String(g.done), String(g.pending), String(g.failed), String(g.matrices)])];
          rows.push(['total', String(totals.done), String(totals.pending), String(totals.failed), '']);
          io.stdout.write(textTable(rows).join('\n') + '\n');
          for (const f of failed) io.stdout.write(`failed ${f.id}: ${f.error}\n`);
        }
        return totals.failed ? EXIT.failed : EXIT.ok;
      }),
    );

  define(program, 'datasets', 'machine-readable output')
    .argument('<dir>', 'run directory, or a folder containing run directories')
    .action(
      action(cmd, async (dir: string, o: { json?: boolean }) => {
        const { listDatasets, countByGroup } = await import('../../pipeline/runtime/dataset.js');
        const found = listDatasets(pathArg(io, dir), (d, why) => io.stderr.write(`ergo: skipping ${d}: ${why}\n`));
        if (!found.length) throw new UsageError(`${dir}: no ergo datasets (manifest.json) here or one level below`);
        const out = found.map(({ dir: d, manifest: m }) => ({
          dir: d,
          name: m.config.name,
          experiment: m.config.experiment,
          semantics: m.config.semantics,
          toolVersion: m.toolVersion,
          format: m.format,
          groups: countByGroup(m.chunks).map((g) => ({ group: g.group, matrices: g.matrices, complete: g.pending === 0 && g.failed === 0 })),
          bytes: m.chunks.reduce((s, c) => s + (c.state === 'done' ? c.bytes ?? 0 : 0), 0),
        }));
        if (o.json) io.stdout.write(JSON.stringify({ tool: 'ergo', version: TOOL_VERSION, datasets: out }, null, 2) + '\n');
        else
          for (const d of out) {
            io.stdout.write(`${d.dir}: ${d.name} (${d.experiment}, ${d.semantics} semantics, format ${d.format}, ergo ${d.toolVersion}), ${(d.bytes / 1e6).toFixed(2)} MB\n`);
            for (const g of d.groups) io.stdout.write(`  ${g.group}: ${g.matrices} matrices${g.complete ? '' : ' (incomplete)'}\n`);
          }
        return EXIT.ok;
      }),
    );
}
