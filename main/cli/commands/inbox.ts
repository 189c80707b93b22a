/** `kyso inbox sync [--watch]|list|show ID|failures|accept ID|reject ID --reason R|status ID CODE` (04-06 handling, 15/16 recall answers). */
import { KysoError } from '../../api/errors.js';
import { ANSWER_CODES, answerIncoming } from '../../services/exchange.js';
import type { IncomingDoc } from '../../store/index.js';
import { parseArgs } from '../args.js';
import { tr, type CliIo, type Command } from '../io.js';
import { exchangeOptions, printJson, storeFor, str, withClient } from './exchange-common.js';
import { visibleName } from '../../files/doc-types.js';

/** One line of the inbox listing. */
export function incomingLine(d: IncomingDoc): string {
  const no = d.arrivalNumber ? `${d.arrivalNumber}/${d.arrivalYear}` : '-';
  return [no, d.receivedAt, d.fromCode, `${d.number}/${d.notation}`, d.subject, d.statusCode, d.validationStatus ?? '-', d.messageId].join('\t');
}

function local(io: CliIo, json: boolean, sub: string, id: string | undefined, state: string | undefined): number {
  const { store } = storeFor(io);
  try {
    if (sub === 'list') {
      const items = store.incoming.list({ state: state as IncomingDoc['state'] | undefined, limit: 1000 });
      if (json) printJson(io, { items });
      else io.out((items.length ? items.map(incomingLine).join('\n') : tr(io, 'exchange.empty')) + '\n');
      return 0;
    }
    const doc = store.incoming.require(id ?? '');
    const files = store.incoming.files(doc.messageId);
    if (json) printJson(io, { doc, files });
    else {
      io.out(incomingLine(doc) + '\n');
      if (doc.reason) io.out(`  ${doc.reason}\n`);
      if (doc.recallAt) io.out(`  13 ${doc.recallAt} ${doc.recallReason ?? ''} -> ${doc.recallAnswer ?? '?'}\n`);
      // The real name with bidi overrides and other invisible characters shown (a terminal would reorder them).
      for (const f of files) io.out(`  ${visibleName(f.name)}\t${f.validationStatus ?? '-'}\t${f.path}\n`);
    }
    return 0;
  } finally {
    store.close();
  }
}

/** The `inbox` subcommand. */
export const inboxCommand: Command = {
  name: 'inbox',
  summaryKey: 'cli.cmd.inbox',
  async run(argv, io) {
    const { options: o, positionals } = parseArgs(argv, {
      ...exchangeOptions,
      reason: { type: 'string' },
      description: { type: 'string' },
      state: { type: 'string' },
      watch: { type: 'boolean' },
    });
    const [sub, id, code] = positionals;
    const json = o.json === true;
    if (sub === 'list' || sub === 'show') return local(io, json, sub, id, str(o, 'state'));
    if (sub === 'failures') {
      const { store } = storeFor(io);
      try {
        const items = store.failures.list();
        if (json) printJson(io, { items });
        else io.out((items.length ? items.map((f) => [f.at, f.sender, f.errorCode, f.detail, f.messageId].join('\t')).join('\n') : tr(io, 'exchange.empty')) + '\n');
        return 0;
      } finally {
        store.close();
      }
    }
    if (sub !== 'sync' && !id) throw new KysoError('cliMissingValue', { option: tr(io, 'exchange.usage.inbox') });
    // In watch mode each arrival and refusal is printed as it happens.
    const events = o.watch === true ? {
      onArrival: (d: IncomingDoc) => io.out(tr(io, 'exchange.arrived', { subject: d.subject, from: d.fromName, validation: d.validationStatus ?? '-', messageId: d.messageId }) + '\n'),
      onFailure: (f: { messageId: string; errorCode: string }) => io.out(tr(io, 'exchange.refused', { messageId: f.messageId, code: f.errorCode }) + '\n'),
    } : undefined;
    return withClient(o, io, async ({ client }) => {
      if (sub === 'sync') {
        const r = await client.sync();
        if (json) printJson(io, r);
        else io.out(tr(io, 'exchange.synced', { ...r }) + '\n');
        if (o.watch === true) {
          const live = await client.live((e) => io.err(`${e instanceof Error ? e.message : String(e)}\n`));
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
          await live.stop();
        }
        return 0;
      }
      let doc: IncomingDoc;
      if (sub === 'accept') doc = await client.accept(id!);
      else if (sub === 'reject') doc = await client.reject(id!, str(o, 'reason') ?? '');
      else if (sub === 'status') {
        const answer = ANSWER_CODES.find((c) => c === code);
        if (!answer) throw new KysoError('cliMissingValue', { option: 'CODE (04|05|06|15|16)' });
        doc = await answerIncoming(client, id!, answer, str(o, 'description') ?? '');
      } else throw new KysoError('unknownCommand', { command: `inbox ${sub ?? ''}`.trim() });
      if (json) printJson(io, { doc });
      else if (sub === 'accept') io.out(tr(io, 'exchange.accepted', { number: doc.arrivalNumber, year: doc.arrivalYear }) + '\n');
      else if (sub === 'reject') io.out(tr(io, 'exchange.rejected', { messageId: doc.messageId }) + '\n');
      else io.out(tr(io, 'exchange.statusSent', { code: doc.statusCode, messageId: doc.messageId }) + '\n');
      return 0;
    }, events);
  },
};
