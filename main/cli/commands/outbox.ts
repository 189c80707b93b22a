/**
 * `kyso outbox list|flush [--now] [--retry]|recall ID --reason R`: the queue of packages to upload; flush sends what
 * is due (after a crash too); --now also what is waiting for its backoff delay, --retry also
 * what was given up.
 */
import { KysoError } from '../../api/errors.js';
import { describeDeliveryError } from '../../exchange/client/delivery-error.js';
import { parseArgs } from '../args.js';
import { tr, type Command } from '../io.js';
import { exchangeOptions, printJson, storeFor, str, withClient } from './exchange-common.js';

/** The `outbox` subcommand. */
export const outboxCommand: Command = {
  name: 'outbox',
  summaryKey: 'cli.cmd.outbox',
  async run(argv, io) {
    const { options: o, positionals } = parseArgs(argv, { ...exchangeOptions, retry: { type: 'boolean' }, now: { type: 'boolean' }, reason: { type: 'string' } });
    const [sub, id] = positionals;
    if (sub === 'recall') {
      if (!id) throw new KysoError('cliMissingValue', { option: 'ID' });
      return withClient(o, io, async ({ client }) => {
        await client.recall(id, str(o, 'reason') ?? '');
        io.out(tr(io, 'exchange.recalled', { messageId: id }) + '\n');
        return 0;
      });
    }
    if (sub === 'list') {
      const { store } = storeFor(io);
      try {
        const items = store.outbox.list({}, 100_000);
        if (o.json === true) printJson(io, { items });
        else io.out((items.length ? items.map((i) => [i.createdAt, i.state, i.attempts, i.recipients.join(','), describeDeliveryError(i.lastError, io.lang) ?? '', i.messageId].join('\t')).join('\n') : tr(io, 'exchange.empty')) + '\n');
        return 0;
      } finally {
        store.close();
      }
    }
    if (sub !== 'flush') throw new KysoError('cliMissingValue', { option: tr(io, 'exchange.usage.outbox') });
    return withClient(o, io, async ({ client, store }) => {
      if (o.retry === true) for (const i of store.outbox.list({ state: 'failed' }, 100_000)) store.outbox.retry(i.messageId);
      if (o.now === true) store.outbox.makeDueNow();
      const r = await client.flush();
      if (o.json === true) printJson(io, r);
      else io.out(tr(io, 'exchange.flushed', { ...r }) + '\n');
      return r.failed ? 1 : r.pending ? 75 : 0;
    });
  },
};
