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
import { defineCommand, strs } from '../spec.js';
import { documentPassword, passwordOptions } from '../doc-password.js';

/** Parses `--time` strictly (ISO 8601 with a date). */
export function parseTime(s: string | undefined): Date | undefined {
  if (s === undefined) return undefined;
  const d = new Date(s);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s) || Number.isNaN(d.getTime())) throw new KysoError('verifyBadTime', { time: s });
  return d;
}

/** The `verify` subcommand. */
export const verifyCommand = defineCommand({
  name: 'verify',
  summaryKey: 'cli.cmd.verify',
  args: 'FILE.pdf...',
  options: {
    trust: { type: 'string', multiple: true, value: 'ROOT.pem', help: 'cli.opt.trust' },
    offline: { type: 'boolean', help: 'cli.opt.verify.offline' },
    time: { type: 'string', value: 'ISO8601', help: 'cli.opt.verify.time' },
    json: { type: 'boolean', help: 'cli.opt.json' },
    report: { type: 'string', value: 'REPORT.pdf|.json', help: 'cli.opt.verify.report' },
    ...passwordOptions,
  },
  noteKey: 'cli.note.verify',
  examples: ['kyso verify cong-van-da-ky.pdf', 'kyso verify *.pdf --trust root-ca.pem --json', 'kyso verify ho-so.pdf --time 2024-06-30T17:00:00+07:00 --report bao-cao.pdf'],
  // 2 like an undecided verdict: nothing could be checked.
  exitCodes: { verifyTrustFile: 2, trustBadFile: 2 },
  async run({ options, positionals }, io) {
    if (positionals.length === 0) throw new KysoError('verifyNoFiles');
    const time = parseTime(options.time as string | undefined);
    const password = await documentPassword(io, options);
    const files = await verifyFiles(kysoHome(io.env), positionals, { trust: strs(options, 'trust'), offline: options.offline === true, time, ...(password !== undefined ? { password } : {}) });
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
});
