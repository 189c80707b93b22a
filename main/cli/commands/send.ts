/**
 * `kyso send --server URL --to CODE[,CODE...] --subject S --number N --notation X --type T
 * [--date YYYY-MM-DD] FILE.pdf [ATTACHMENT...]`: builds and signs the edXML package, queues it
 * (SQLite) before any upload, then uploads it. Running the same command again (same issue
 * date, by default today in Vietnam) never sends it twice.
 */
import { existsSync } from 'node:fs';
import { KysoError } from '../../api/errors.js';
import { isCalendarDate, vnDate } from '../../api/vn-time.js';
import { tr } from '../io.js';
import { defineCommand } from '../spec.js';
import { exchangeOptions, printJson, str, withClient } from './exchange-common.js';

/** The `send` subcommand. */
export const sendCommand = defineCommand({
  name: 'send',
  summaryKey: 'cli.cmd.send',
  args: 'FILE.pdf [ATTACHMENT...]',
  options: {
    to: { type: 'string', multiple: true, value: 'CODE[,CODE...]', help: 'cli.opt.send.to' },
    subject: { type: 'string', value: 'TEXT', help: 'cli.opt.send.subject' },
    number: { type: 'string', value: 'N', help: 'cli.opt.send.number' },
    notation: { type: 'string', value: 'TEXT', help: 'cli.opt.send.notation' },
    type: { type: 'string', value: 'TEXT', help: 'cli.opt.send.type' },
    date: { type: 'string', value: 'YYYY-MM-DD', help: 'cli.opt.send.date' },
    'no-upload': { type: 'boolean', help: 'cli.opt.send.no-upload' },
    ...exchangeOptions,
  },
  noteKey: 'cli.note.pin',
  examples: [
    'kyso send --server https://hop-thu.example.vn --to 000.00.01.H49,000.00.02.H49 --subject "Quyết định phê duyệt dự toán" --number 125 --notation QĐ-UBND --type "Quyết định" --date 2026-11-22 quyet-dinh-da-ky.pdf phu-luc.pdf --pin-env KYSO_PIN',
  ],
  async run({ options: o, positionals: files }, io) {
    const to = ((o.to as string[] | undefined) ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
    const need = (name: string): string => {
      const v = str(o, name);
      if (!v) throw new KysoError('cliMissingValue', { option: `--${name}` });
      return v;
    };
    if (!to.length) throw new KysoError('cliMissingValue', { option: '--to' });
    if (!files.length) throw new KysoError('cliMissingValue', { option: 'FILE.pdf' });
    for (const f of files) if (!existsSync(f)) throw new KysoError('exFileMissing', { path: f });
    // The issue date is the document's (Decree 30), not the moment of the run: given with
    // --date, a repeat of the command on another day (or across midnight in Vietnam) is the
    // same document. By default it is today in Vietnam, decided once here.
    const issueDate = str(o, 'date') ?? vnDate();
    if (!isCalendarDate(issueDate)) throw new KysoError('cliInvalidValue', { option: '--date', value: issueDate, allowed: 'YYYY-MM-DD' });
    const req = { to, subject: need('subject'), number: need('number'), notation: need('notation'), type: need('type'), files, issueDate };
    return withClient(o, io, async ({ client }) => {
      const queued = await client.queue(req);
      const drained = o['no-upload'] === true ? null : await client.flush();
      if (o.json === true) printJson(io, { ...queued, delivery: drained });
      else {
        io.out(tr(io, queued.queued ? 'exchange.queued' : 'exchange.alreadyQueued', { ...queued }) + '\n');
        if (drained) io.out(tr(io, 'exchange.flushed', { ...drained }) + '\n');
      }
      // 75 (EX_TEMPFAIL): queued, the upload will be retried by `kyso outbox flush`.
      return drained && drained.failed > 0 ? 1 : drained && drained.pending > 0 ? 75 : 0;
    });
  },
});
