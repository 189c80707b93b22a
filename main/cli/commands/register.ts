/** `kyso register list|search TEXT|export --out FILE.csv [--kind incoming|outgoing] [--year N] [--json]`. */
import { KysoError } from '../../api/errors.js';
import { exportRegister, registerEntries, searchRegisters, type RegisterKind } from '../../services/exchange.js';
import type { OutgoingDetail } from '../../store/index.js';
import { intOption } from '../args.js';
import { tr, type CliIo } from '../io.js';
import { defineCommand, type CommandSpec, type OptionSpecs, type ParsedArgs } from '../spec.js';
import { jsonOption, printJson, storeFor, str } from './exchange-common.js';
import { incomingLine } from './inbox.js';

function outgoingLine(d: OutgoingDetail): string {
  const statuses = d.recipients.map((r) => `${r}:${d.latest[r]?.statusCode ?? '--'}`).join(',');
  return [d.createdAt, `${d.number}/${d.notation}`, d.subject, statuses, d.messageId].join('\t');
}

/** Runs `register list|search|export` (one body: they share the filters). */
async function runRegister(sub: 'list' | 'search' | 'export', { options: o, positionals: rest }: ParsedArgs, io: CliIo): Promise<number> {
  const kind = str(o, 'kind');
  if (kind !== undefined && kind !== 'incoming' && kind !== 'outgoing') throw new KysoError('cliInvalidValue', { option: '--kind', value: kind, allowed: 'incoming|outgoing' });
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
    }
    if (o.json === true) printJson(io, { incoming, outgoing });
    else {
      const lines = [...incoming.map(incomingLine), ...outgoing.map(outgoingLine)];
      io.out((lines.length ? lines.join('\n') : tr(io, 'exchange.empty')) + '\n');
    }
    return 0;
  } finally {
    store.close();
  }
}

const filters: OptionSpecs = {
  kind: { type: 'string', value: 'incoming|outgoing', help: 'cli.opt.register.kind' },
  year: { type: 'string', value: 'N', help: 'cli.opt.register.year' },
};

const sub = (name: 'list' | 'search' | 'export', spec: Omit<CommandSpec, 'name' | 'summaryKey' | 'run'>): CommandSpec => ({
  name, summaryKey: `cli.sub.register.${name}`, ...spec, run: (a, io) => runRegister(name, a, io),
});

/** The `register` subcommand. */
export const registerCommand = defineCommand({
  name: 'register',
  summaryKey: 'cli.cmd.register',
  subcommands: [
    sub('list', { options: { ...filters, ...jsonOption }, examples: ['kyso register list', 'kyso register list --kind outgoing --year 2026 --json'] }),
    sub('search', { args: 'TEXT...', options: { kind: filters.kind!, ...jsonOption }, examples: ['kyso register search du toan ngan sach', 'kyso register search "Sở Tư pháp" --kind incoming'] }),
    sub('export', {
      options: { ...filters, out: { type: 'string', value: 'FILE.csv', help: 'cli.opt.register.out' }, ...jsonOption },
      examples: ['kyso register export --kind incoming --year 2026 --out so-den-2026.csv'],
    }),
  ],
});
