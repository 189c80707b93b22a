/**
 * `kyso outbox list|flush [--now] [--retry]|recall ID --reason R`: the queue of packages to upload; flush sends what
 * is due (after a crash too); --now also what is waiting for its backoff delay, --retry also
 * what was given up.
 */
import { KysoError } from '../../api/errors.js';
import { describeDeliveryError } from '../../exchange/client/delivery-error.js';
import { tr } from '../io.js';
import { defineCommand, type CommandSpec } from '../spec.js';
import { exchangeOptions, jsonOption, printJson, storeFor, str, withClient } from './exchange-common.js';

const list: CommandSpec = {
  name: 'list',
  summaryKey: 'cli.sub.outbox.list',
  options: jsonOption,
  examples: ['kyso outbox list', 'kyso outbox list --json'],
  async run({ options: o }, io) {
    const { store } = storeFor(io);
    try {
      const items = store.outbox.list({}, 100_000);
      if (o.json === true) printJson(io, { items });
      else io.out((items.length ? items.map((i) => [i.createdAt, i.state, i.attempts, i.recipients.join(','), describeDeliveryError(i.lastError, io.lang) ?? '', i.messageId].join('\t')).join('\n') : tr(io, 'exchange.empty')) + '\n');
      return 0;
    } finally {
      store.close();
    }
  },
};

const flush: CommandSpec = {
  name: 'flush',
  summaryKey: 'cli.sub.outbox.flush',
  options: {
    now: { type: 'boolean', help: 'cli.opt.outbox.now' },
    retry: { type: 'boolean', help: 'cli.opt.outbox.retry' },
    ...exchangeOptions,
  },
  noteKey: 'cli.note.exitTempFail',
  examples: ['kyso outbox flush --pin-env KYSO_PIN', 'kyso outbox flush --now --retry --json --pin-env KYSO_PIN'],
  run: ({ options: o }, io) =>
    withClient(o, io, async ({ client, store }) => {
      if (o.retry === true) for (const i of store.outbox.list({ state: 'failed' }, 100_000)) store.outbox.retry(i.messageId);
      if (o.now === true) store.outbox.makeDueNow();
      const r = await client.flush();
      if (o.json === true) printJson(io, r);
      else io.out(tr(io, 'exchange.flushed', { ...r }) + '\n');
      return r.failed ? 1 : r.pending ? 75 : 0;
    }),
};

const recall: CommandSpec = {
  name: 'recall',
  summaryKey: 'cli.sub.outbox.recall',
  args: 'ID',
  options: { reason: { type: 'string', value: 'TEXT', help: 'cli.opt.outbox.recall.reason' }, ...exchangeOptions },
  examples: ['kyso outbox recall 7d0c7f1e-0b7e-4a57-9a55-3f1c0f6f2a10 --reason "Ban hành nhầm phiên bản" --pin-env KYSO_PIN'],
  async run({ options: o, positionals: [id] }, io) {
    if (!id) throw new KysoError('cliMissingValue', { option: 'ID' });
    return withClient(o, io, async ({ client }) => {
      await client.recall(id, str(o, 'reason') ?? '');
      io.out(tr(io, 'exchange.recalled', { messageId: id }) + '\n');
      return 0;
    });
  },
};

/** The `outbox` subcommand. */
export const outboxCommand = defineCommand({ name: 'outbox', summaryKey: 'cli.cmd.outbox', subcommands: [list, flush, recall] });
