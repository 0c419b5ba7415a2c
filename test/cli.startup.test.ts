// The command table (src/cli/commands/table.ts) that lets `ergo` load only the command that
// runs: every row matches what its module registers (name, usage, description), every command
// a module registers has a row, and `ergo --help` lists them all. That --help and layers load
// no other command module is checked on a real process in test/e2e/startup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, Help } from 'commander';
import { COMMANDS, commandNamed } from '../src/cli/commands/table.js';
import type { Command as Cmd } from '../src/cli/command.js';
import { ergo, repoRoot } from './helpers/cli.js';

/** The commands a module registers, on a fresh program. */
function registered(mod: { register: (cmd: Cmd) => void }): readonly Command[] {
  const program = new Command();
  mod.register({ program, io: { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: repoRoot }, done: () => {} });
  return program.commands;
}

test('every row of the command table matches what its module registers: name, usage and description', async () => {
  const help = new Help();
  for (const row of COMMANDS) {
    const c = registered(await row.load()).find((x) => x.name() === row.name);
    assert.ok(c, `${row.name}: its module registers no such command`);
    assert.equal(c.description(), row.summary, `${row.name}: description`);
    assert.equal(help.subcommandTerm(c), `${row.name} ${row.usage}`.trim(), `${row.name}: usage`);
  }
});

test('every command that a module in src/cli/commands registers has a row in the table, pointing at that module', async () => {
  const dir = join(repoRoot, 'dist', 'src', 'cli', 'commands');
  let seen = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.js'))) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { register?: (cmd: Cmd) => void };
    if (typeof mod.register !== 'function') continue;
    for (const c of registered(mod as { register: (cmd: Cmd) => void })) {
      const row = COMMANDS.find((r) => r.name === c.name());
      assert.ok(row, `${f} registers '${c.name()}', which commands/table.ts does not list`);
      assert.equal(await row.load(), mod, `${c.name()}: the row loads another module than ${f}`);
      seen++;
    }
  }
  assert.equal(seen, COMMANDS.length, 'every row was found in some module');
});

test('commandNamed: the first operand, or the one after help', () => {
  assert.equal(commandNamed(['--help']), undefined);
  assert.equal(commandNamed(['layers', 'm.npz', '--json']), 'layers');
  assert.equal(commandNamed(['-V']), undefined);
  assert.equal(commandNamed(['help', 'csd']), 'csd');
  assert.equal(commandNamed(['help']), undefined);
});

test('ergo --help lists every command of the table with its usage; ergo help <cmd> shows that command', async () => {
  const r = await ergo(['--help']);
  assert.equal(r.code, 0, r.stderr);
  for (const row of COMMANDS) assert.match(r.stdout, new RegExp(`\\n  ${row.name} ${row.usage.replace(/[.[\]]/g, '\\$&')}`), row.name);
  const h = await ergo(['help', 'datasets']);
  assert.equal(h.code, 0, h.stderr);
  assert.match(h.stdout, /^Usage: ergo datasets \[options\] <dir>\n/);
  const u = await ergo(['runn']);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /unknown command 'runn'\n\(Did you mean run\?\)/);
});
