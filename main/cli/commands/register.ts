/** `kyso register list|search TEXT|export --out FILE.csv [--kind incoming|outgoing] [--year N] [--json]`. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { KysoError } from '../../api/errors.js';
import { incomingCsv, outgoingCsv, searchDocuments, type OutgoingDetail, type Store } from '../../store/index.js';
import { intOption, parseArgs } from '../args.js';
import { tr, type Command } from '../io.js';
import { printJson, storeFor, str } from './exchange-common.js';
import { incomingLine } from './inbox.js';

function outgoingLine(d: OutgoingDetail): string {
  const statuses = d.recipients.map((r) => `${r}:${d.latest[r]?.statusCode ?? '--'}`).join(',');
  return [d.createdAt, `${d.number}/${d.notation}`, d.subject, statuses, d.messageId].join('\t');
}

function details(store: Store, ids: string[]): OutgoingDetail[] {
  return ids.map((id) => store.outgoing.get(id)).filter((d): d is OutgoingDetail => !!d);
}

/** The `register` subcommand. */
export const registerCommand: Command = {
  name: 'register',
  summaryKey: 'cli.cmd.register',
  async run(argv, io) {
    const { options: o, positionals } = parseArgs(argv, {
      kind: { type: 'string' },
      year: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [sub, ...rest] = positionals;
    const kind = str(o, 'kind');
    if (kind !== undefined && kind !== 'incoming' && kind !== 'outgoing') throw new KysoError('cliMissingValue', { option: '--kind incoming|outgoing' });
    const year = intOption(o, 'year', 1945, 9999);
    const { store } = storeFor(io);
    try {
      let incoming = kind === 'outgoing' ? [] : store.incoming.list({ state: 'accepted', year, limit: 100_000 });
      let outgoing = kind === 'incoming' ? [] : details(store, store.outgoing.list({ year, limit: 100_000 }).map((d) => d.messageId));
      if (sub === 'search') {
        const text = rest.join(' ');
        if (!text.trim()) throw new KysoError('cliMissingValue', { option: 'TEXT' });
        const hits = searchDocuments(store.db, text, kind as 'incoming' | 'outgoing' | undefined, 500);
        incoming = store.incoming.byIds(hits.filter((h) => h.kind === 'incoming').map((h) => h.messageId));
        outgoing = details(store, hits.filter((h) => h.kind === 'outgoing').map((h) => h.messageId));
      } else if (sub === 'export') {
        const out = str(o, 'out');
        if (!out) throw new KysoError('cliMissingValue', { option: '--out FILE.csv' });
        const csv = kind === 'outgoing' ? outgoingCsv(outgoing) : incomingCsv(incoming);
        writeFileSync(out, csv, 'utf8');
        const rows = kind === 'outgoing' ? outgoing.length : incoming.length;
        if (o.json === true) printJson(io, { path: path.resolve(out), rows });
        else io.out(tr(io, 'exchange.exported', { rows, path: path.resolve(out) }) + '\n');
        return 0;
      } else if (sub !== 'list') throw new KysoError('cliMissingValue', { option: tr(io, 'exchange.usage.register') });
      if (o.json === true) printJson(io, { incoming, outgoing });
      else {
        const lines = [...incoming.map(incomingLine), ...outgoing.map(outgoingLine)];
        io.out((lines.length ? lines.join('\n') : tr(io, 'exchange.empty')) + '\n');
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
