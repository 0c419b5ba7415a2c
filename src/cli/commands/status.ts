// ergo status <dir> and ergo datasets <dir>: what a run directory holds and how far it got.
import type { Command } from 'commander';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readManifest, type Manifest, type ChunkRecord } from '../../pipeline/manifest.js';
import { action, EXIT, UsageError } from '../errors.js';

/** Human label of the data group a chunk belongs to (ensemble and size, or network layer). */
export function groupLabel(identity: Record<string, string>): string {
  if (identity.ensemble) return `${identity.ensemble}/${identity.method} N=${identity.n}`;
  if (identity.network) return `${identity.network}${identity.layer ? ` layer ${identity.layer}` : ''}`;
  return identity.kind ?? 'chunks';
}

interface GroupCount {
  group: string;
  done: number;
  pending: number;
  failed: number;
  matrices: number;
}

export function countByGroup(chunks: ChunkRecord[]): GroupCount[] {
  const groups = new Map<string, GroupCount>();
  for (const c of chunks) {
    const key = groupLabel(c.identity);
    const g = groups.get(key) ?? { group: key, done: 0, pending: 0, failed: 0, matrices: 0 };
    g[c.state]++;
    if (c.state === 'done') g.matrices += Number(c.identity.count ?? 0);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** Who holds the directory's run.lock, if anyone (a run in progress, or a crashed one). */
export function lockHolder(dir: string): { pid: number; host: string; started: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(resolve(dir), 'run.lock'), 'utf8')) as { pid: number; host: string; started: string };
  } catch {
    return undefined;
  }
}

function mustManifest(dir: string): Manifest {
  const m = readManifest(resolve(dir));
  if (!m) throw new UsageError(`${dir}: no manifest.json here; is this an ergo run directory?`);
  return m;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

export function register(program: Command): void {
  program
    .command('status')
    .description('show done, pending and failed chunks of a run directory, per ensemble and size')
    .argument('<dir>', 'run directory')
    .option('--json', 'machine-readable output')
    .action(
      action(async (dir: string, o: { json?: boolean }) => {
        const m = mustManifest(dir);
        const groups = countByGroup(m.chunks);
        const failed = m.chunks.filter((c) => c.state === 'failed');
        const totals = { done: 0, pending: 0, failed: 0 };
        for (const c of m.chunks) totals[c.state]++;
        const lock = lockHolder(dir);
        if (o.json) {
          process.stdout.write(JSON.stringify({ name: m.config.name, experiment: m.config.experiment, updated: m.updated, lock: lock ?? null, totals, groups, failed: failed.map((f) => ({ id: f.id, error: f.error })) }, null, 2) + '\n');
        } else {
          process.stdout.write(`${m.config.name} (${m.config.experiment}), updated ${m.updated}, ergo ${m.toolVersion}\n`);
          if (lock) process.stdout.write(`locked by pid ${lock.pid} on ${lock.host} since ${lock.started} (a run in progress, or one that was killed)\n`);
          const rows = [['group', 'done', 'pending', 'failed', 'matrices'], ...groups.map((g) => [g.group, String(g.done), String(g.pending), String(g.failed), String(g.matrices)])];
          rows.push(['total', String(totals.done), String(totals.pending), String(totals.failed), '']);
          process.stdout.write(table(rows) + '\n');
          for (const f of failed) process.stdout.write(`failed ${f.id}: ${f.error}\n`);
        }
        return totals.failed ? EXIT.failed : EXIT.ok;
      }),
    );

  program
    .command('datasets')
    .description('list the eigenvalue datasets in a run directory or in a folder of run directories')
    .argument('<dir>', 'run directory, or a folder containing run directories')
    .option('--json', 'machine-readable output')
    .action(
      action(async (dir: string, o: { json?: boolean }) => {
        const root = resolve(dir);
        if (!existsSync(root)) throw new UsageError(`${dir}: no such directory`);
        const candidates = [root, ...readdirSync(root).map((d) => join(root, d)).filter((d) => statSync(d).isDirectory())];
        const found: { dir: string; manifest: Manifest }[] = [];
        for (const d of candidates) {
          try {
            const m = readManifest(d);
            if (m) found.push({ dir: d, manifest: m });
          } catch (e) {
            process.stderr.write(`ergo: skipping ${d}: ${(e as Error).message}\n`); // one bad folder must not hide the rest
          }
        }
        if (!found.length) throw new UsageError(`${dir}: no ergo datasets (manifest.json) here or one level below`);
        const out = found.map(({ dir: d, manifest: m }) => {
          const bytes = m.chunks.reduce((s, c) => s + (c.state === 'done' ? c.bytes ?? 0 : 0), 0);
          return {
            dir: d,
            name: m.config.name,
            experiment: m.config.experiment,
            semantics: m.config.semantics,
            toolVersion: m.toolVersion,
            format: m.format,
            groups: countByGroup(m.chunks).map((g) => ({ group: g.group, matrices: g.matrices, complete: g.pending === 0 && g.failed === 0 })),
            bytes,
          };
        });
        if (o.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        else
          for (const d of out) {
            process.stdout.write(`${d.dir}: ${d.name} (${d.experiment}, ${d.semantics} semantics, format ${d.format}, ergo ${d.toolVersion}), ${(d.bytes / 1e6).toFixed(2)} MB\n`);
            for (const g of d.groups) process.stdout.write(`  ${g.group}: ${g.matrices} matrices${g.complete ? '' : ' (incomplete)'}\n`);
          }
        return EXIT.ok;
      }),
    );
}
