// ergo report <run dir>: rebuild results/report.html from what the run directory holds.
import { action, define, type Command } from '../command.js';
import { EXIT } from '../errors.js';
import { wholeNumber } from '../parsers.js';
import { TOOL_VERSION } from '../../pipeline/version.js';
import { pathArg, wroteLine } from '../session.js';

export function register(cmd: Command): void {
  const { program, io } = cmd;
  define(program, 'report', 'print {tool, version, report} (the page written) as JSON on stdout')
    .argument('<dir>', 'run directory (manifest.json, results/, chunks/)')
    .option('--smooth <bins>', 'CSD curves: moving-average window in display bins (1 = none; default: the run config\'s plot.smooth, else 3)', wholeNumber('--smooth', 1))
    .action(
      action(cmd, async (dir: string, o: { smooth?: number; json?: boolean }) => {
        const { writeHtmlReport } = await import('../../pipeline/report/html.js');
        const path = await writeHtmlReport(pathArg(io, dir), o.smooth === undefined ? {} : { smooth: o.smooth });
        if (o.json) io.stdout.write(JSON.stringify({ tool: 'ergo', version: TOOL_VERSION, report: path }, null, 2) + '\n');
        else wroteLine(io, [path]);
        return EXIT.ok;
      }),
    );
}
