/**
 * `kyso verify FILE.pdf... [--trust ROOT.pem]... [--offline] [--time ISO8601] [--json]
 * [--report OUT.pdf|OUT.json]`. Exit: 0 all TOTAL_PASSED, 1 any TOTAL_FAILED, 2 otherwise
 * INDETERMINATE or unsigned, 3 a file is not a readable PDF.
 */
import { KysoError } from '../../api/errors.js';
import { kysoHome } from '../../services/paths.js';
import { reportFormatOf, verifyFiles, writeVerifyReport } from '../../services/verify.js';
import { exitStatus, resultsJson } from '../../validation/report/json.js';
import { fileLines } from '../../validation/report/lines.js';
import { documentPassword, passwordOptions } from '../doc-password.js';
import { parseArgs } from '../args.js';
import { tr, type Command } from '../io.js';

/** Parses `--time` strictly (ISO 8601 with a date). */
export function parseTime(s: string | undefined): Date | undefined {
  if (s === undefined) return undefined;
  const d = new Date(s);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s) || Number.isNaN(d.getTime())) throw new KysoError('verifyBadTime', { time: s });
  return d;
}

/** The `verify` subcommand. */
export const verifyCommand: Command = {
  name: 'verify',
  summaryKey: 'cli.cmd.verify',
  // 2 like an undecided verdict: nothing could be checked.
  exitCodes: { verifyNoFiles: 2, verifyTrustFile: 2, trustBadFile: 2 },
  async run(argv, io) {
    const { options, positionals } = parseArgs(argv, {
      trust: { type: 'string', multiple: true },
      offline: { type: 'boolean' },
      time: { type: 'string' },
      json: { type: 'boolean' },
      report: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...passwordOptions,
    });
    if (options.help) {
      io.out(tr(io, 'verify.usage') + '\n');
      return 0;
    }
    if (positionals.length === 0) throw new KysoError('verifyNoFiles');
    const time = parseTime(options.time as string | undefined);
    const password = await documentPassword(io, options);
    const files = await verifyFiles(kysoHome(io.env), positionals, { trust: (options.trust as string[] | undefined) ?? [], offline: options.offline === true, time, ...(password !== undefined ? { password } : {}) });
    if (options.json) io.out(JSON.stringify({ files: resultsJson(files).files }, null, 2) + '\n');
    else {
      for (const f of files) {
        for (const l of fileLines(io.lang, f)) io.out(`${'  '.repeat(l.indent)}${l.text}\n`);
        io.out('\n');
      }
    }
    const report = options.report as string | undefined;
    if (report) await writeVerifyReport(files, report, reportFormatOf(report), io.lang);
    return exitStatus(files);
  },
};
