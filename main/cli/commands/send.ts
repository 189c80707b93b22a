/**
 * `kyso send --server URL --to CODE[,CODE...] --subject S --number N --notation X --type T
 * FILE.pdf [ATTACHMENT...]`: builds and signs the edXML package, queues it (SQLite) before
 * any upload, then uploads it. Running the same command again never sends it twice.
 */
import { existsSync } from 'node:fs';
import { KysoError } from '../../api/errors.js';
import { parseArgs } from '../args.js';
import { tr, type Command } from '../io.js';
import { exchangeOptions, printJson, str, withClient } from './exchange-common.js';

/** The `send` subcommand. */
export const sendCommand: Command = {
  name: 'send',
  summaryKey: 'cli.cmd.send',
  async run(argv, io) {
    const { options: o, positionals: files } = parseArgs(argv, {
      ...exchangeOptions,
      to: { type: 'string', multiple: true },
      subject: { type: 'string' },
      number: { type: 'string' },
      notation: { type: 'string' },
      type: { type: 'string' },
      'no-upload': { type: 'boolean' },
    });
    const to = ((o.to as string[] | undefined) ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
    const need = (name: string): string => {
      const v = str(o, name);
      if (!v) throw new KysoError('cliMissingValue', { option: `--${name}` });
      return v;
    };
    if (!to.length) throw new KysoError('cliMissingValue', { option: '--to' });
    if (!files.length) throw new KysoError('cliMissingValue', { option: 'FILE.pdf' });
    for (const f of files) if (!existsSync(f)) throw new KysoError('exFileMissing', { path: f });
    const req = { to, subject: need('subject'), number: need('number'), notation: need('notation'), type: need('type'), files };
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
};
