/** `kyso register list|search TEXT|export --out FILE.csv [--kind incoming|outgoing] [--year N] [--json]`. */
import { KysoError } from '../../api/errors.js';
import { exportRegister, registerEntries, searchRegisters, type RegisterKind } from '../../services/exchange.js';
import type { OutgoingDetail } from '../../store/index.js';
import { intOption, parseArgs } from '../args.js';
import { tr, type Command } from '../io.js';
import { printJson, storeFor, str } from './exchange-common.js';
import { incomingLine } from './inbox.js';

function outgoingLine(d: OutgoingDetail): string {
  const statuses = d.recipients.map((r) => `${r}:${d.latest[r]?.statusCode ?? '--'}`).join(',');
  return [d.createdAt, `${d.number}/${d.notation}`, d.subject, statuses, d.messageId].join('\t');
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
      let { incoming, outgoing } = registerEntries(store, { kind: kind as RegisterKind | undefined, year, limit: 100_000 });
      if (sub === 'search') {
        const text = rest.join(' ');
        if (!text.trim()) throw new KysoError('cliMissingValue', { option: 'TEXT' });
        ({ incoming, outgoing } = searchRegisters(store, text, kind as RegisterKind | undefined, 500));
      } else if (sub === 'export') {
        const out = str(o, 'out');
        if (!out) throw new KysoError('cliMissingValue', { option: '--out FILE.csv' });
        const r = exportRegister(store, kind === 'outgoing' ? 'outgoing' : 'incoming', year, out);
        if (o.json === true) printJson(io, r);
        else io.out(tr(io, 'exchange.exported', { rows: r.rows, path: r.path }) + '\n');
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
