/** `kyso inbox sync [--watch]|list|show ID|failures|accept ID|reject ID --reason R|status ID CODE` (04-06 handling, 15/16 recall answers). */
import { KysoError } from '../../api/errors.js';
import { ANSWER_CODES, answerIncoming } from '../../services/exchange.js';
import type { IncomingDoc } from '../../store/index.js';
import { tr, type CliIo } from '../io.js';
import { defineCommand, type CommandSpec, type OptionSpecs, type ParsedArgs } from '../spec.js';
import { exchangeOptions, jsonOption, printJson, storeFor, str, withClient } from './exchange-common.js';
import { receivedFileView, visibleName } from '../../files/doc-types.js';

/** One line of the inbox listing; the package signature state last (an unsigned package says `unsigned`). */
export function incomingLine(d: IncomingDoc): string {
  const no = d.arrivalNumber ? `${d.arrivalNumber}/${d.arrivalYear}` : '-';
  return [no, d.receivedAt, d.fromCode, `${d.number}/${d.notation}`, d.subject, d.statusCode, d.validationStatus ?? '-', d.messageId, d.signatureState].join('\t');
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
    if (json) printJson(io, { doc, files: files.map(receivedFileView) });
    else {
      io.out(incomingLine(doc) + '\n');
      io.out(`  ${tr(io, 'edxml.sig.label')}: ${tr(io, `edxml.sig.${doc.signatureState}`, { weak: doc.signatureAlgorithm ?? '' })}${doc.signer ? ` — ${doc.signer}` : ''}\n`);
      for (const n of doc.packageNotes) io.out(`  ${tr(io, `edxml.note.${n.code}`, n.params)}\n`);
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

/** The arrivals refused at sync (bad packages), from the store. */
function failures(io: CliIo, json: boolean): number {
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

/** The subcommands that talk to the server: sync, accept, reject, status. */
async function remote(sub: string, { options: o, positionals }: ParsedArgs, io: CliIo): Promise<number> {
  const [id, code] = positionals;
  const json = o.json === true;
  if (sub !== 'sync' && !id) throw new KysoError('cliMissingValue', { option: 'ID' });
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
}

const json = jsonOption;
const id = 'ID';

/** A subcommand of `inbox` that talks to the server. */
function remoteSub(name: string, args: string | undefined, options: OptionSpecs, examples: string[]): CommandSpec {
  return { name, summaryKey: `cli.sub.inbox.${name}`, ...(args ? { args } : {}), options: { ...options, ...exchangeOptions }, noteKey: 'cli.note.pin', examples, run: (a, io) => remote(name, a, io) };
}

/** The `inbox` subcommand. */
export const inboxCommand = defineCommand({
  name: 'inbox',
  summaryKey: 'cli.cmd.inbox',
  subcommands: [
    remoteSub('sync', undefined, { watch: { type: 'boolean', help: 'cli.opt.inbox.watch' } }, ['kyso inbox sync --server https://hop-thu.example.vn --pin-env KYSO_PIN', 'kyso inbox sync --watch --pin-env KYSO_PIN']),
    {
      name: 'list',
      summaryKey: 'cli.sub.inbox.list',
      options: { state: { type: 'string', value: 'arrived|accepted|rejected', help: 'cli.opt.inbox.state' }, ...json },
      examples: ['kyso inbox list', 'kyso inbox list --state arrived --json'],
      run: async ({ options: o }, io) => local(io, o.json === true, 'list', undefined, str(o, 'state')),
    },
    {
      name: 'show',
      summaryKey: 'cli.sub.inbox.show',
      args: id,
      options: json,
      examples: ['kyso inbox show 7d0c7f1e-0b7e-4a57-9a55-3f1c0f6f2a10'],
      run: async ({ options: o, positionals: [messageId] }, io) => {
        if (!messageId) throw new KysoError('cliMissingValue', { option: 'ID' });
        return local(io, o.json === true, 'show', messageId, undefined);
      },
    },
    {
      name: 'failures',
      summaryKey: 'cli.sub.inbox.failures',
      options: json,
      examples: ['kyso inbox failures --json'],
      run: async ({ options: o }, io) => failures(io, o.json === true),
    },
    remoteSub('accept', id, {}, ['kyso inbox accept 7d0c7f1e-0b7e-4a57-9a55-3f1c0f6f2a10 --pin-env KYSO_PIN']),
    remoteSub('reject', id, { reason: { type: 'string', value: 'TEXT', help: 'cli.opt.inbox.reject.reason' } },
      ['kyso inbox reject 7d0c7f1e-0b7e-4a57-9a55-3f1c0f6f2a10 --reason "Không đúng thẩm quyền giải quyết" --pin-env KYSO_PIN']),
    remoteSub('status', `${id} 04|05|06|15|16`, { description: { type: 'string', value: 'TEXT', help: 'cli.opt.inbox.status.description' } },
      ['kyso inbox status 7d0c7f1e-0b7e-4a57-9a55-3f1c0f6f2a10 05 --description "Đang xử lý" --pin-env KYSO_PIN']),
  ],
});
