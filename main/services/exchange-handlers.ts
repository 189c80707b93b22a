/** Use cases of the exchange domain behind the contract: settings, sending, inbox, registers. */
import { KysoError } from '../api/errors.js';
import { receivedFileView } from '../files/doc-types.js';
import { defaultValidator, describeDeliveryError, ExchangeClient, ORGANIZATION_SETTING_PREFIX, SERVER_SETTING, type PdfValidator } from '../exchange/client/index.js';
import type { LiveListener } from '../exchange/client/live.js';
import { toKysoError } from '../exchange/client/http.js';
import type { Signer } from '../pki/signer.js';
import type { Lang } from '../../resources/locales/index.js';
import type { TokenManager } from '../../native/token-manager.js';
import type { OutgoingDetail, Priority, Store } from '../store/index.js';
import { DOCUMENT_TYPES } from '../api/doc-types.js';
import { checkSetup } from './setup-check.js';
import { saveAttachment } from './save-attachment.js';
import { answerIncoming, certSelector, exportRegister, registerEntries, searchRegisters } from './exchange.js';
import type { exchangeOperations } from '../api/contract/exchange.js';
import type { EmitFn, HandlersFor } from './types.js';

/** What the exchange handlers need besides the store. */
export interface ExchangeDeps {
  home: string;
  emit: EmitFn;
  /** Overrides the key (tests); by default the token named by the `exchange.signer` setting. */
  signer?: () => Promise<Signer>;
  /** The token bridge: the key is taken from the token the user logged in to (token:login). */
  tokens?: Pick<TokenManager, 'getSigner'> & Partial<Pick<TokenManager, 'list'>>;
  validator?: PdfValidator;
}

/** Settings key naming the exchange key: `{ module, label?, serial?, cert? }` (cert: CKA_ID hex or SHA-256 fingerprint). */
export const SIGNER_SETTING = 'exchange.signer';

/** The signer of the token selected in settings (the user logs in with token:login first). */
export function tokenSigner(store: Store, tokens: Pick<TokenManager, 'getSigner'> | undefined): () => Promise<Signer> {
  return async () => {
    const sel = store.settings.get(SIGNER_SETTING) as { module?: string; label?: string; serial?: string; cert?: string } | undefined;
    if (!tokens || !sel?.module) throw new KysoError('exNoSigner');
    return tokens.getSigner({ module: sel.module, label: sel.label, serial: sel.serial }, certSelector(sel.cert));
  };
}

/** The exchange service of the core: its handlers and what to stop on close. */
export interface ExchangeService {
  handlers: HandlersFor<keyof typeof exchangeOperations>;
  close(): Promise<void>;
}

/** Handlers for settings:* and exchange:* over the local store (use createExchangeService to also stop live listeners). */
export function createExchangeHandlers(store: Store, deps: ExchangeDeps): ExchangeService['handlers'] {
  return createExchangeService(store, deps).handlers;
}

/** The exchange service: handlers plus live listeners stopped by close(). */
export function createExchangeService(store: Store, deps: ExchangeDeps): ExchangeService {
  const lives = new Map<string, LiveListener>();
  const clients = new Map<string, ExchangeClient>();
  const client = (server?: string): ExchangeClient => {
    const url = server ?? (store.settings.get(SERVER_SETTING) as string | undefined);
    if (!url) throw new KysoError('exNoServer');
    let c = clients.get(url);
    if (!c) {
      c = new ExchangeClient({
        store,
        home: deps.home,
        server: url,
        signer: deps.signer ?? tokenSigner(store, deps.tokens),
        validator: deps.validator ?? defaultValidator([], false, deps.home),
        onProgress: (p) => {
          const counts = p.item.batchId ? store.outbox.batchCounts(p.item.batchId) : { total: 1, sent: p.state === 'sent' ? 1 : 0, failed: p.state === 'failed' ? 1 : 0 };
          deps.emit('exchange:outboxProgress', { batchId: p.item.batchId, messageId: p.item.messageId, state: p.state, attempts: p.item.attempts, error: p.error, total: counts.total, sent: counts.sent, failed: counts.failed });
        },
        events: {
          onArrival: (doc) => deps.emit('exchange:inboxArrival', { doc }),
          onStatus: (messageId, event) => deps.emit('exchange:status', { messageId, event }),
          onFailure: (f) => deps.emit('exchange:arrivalFailed', { messageId: f.messageId, sender: f.sender, errorCode: f.errorCode }),
        },
      });
      clients.set(url, c);
    }
    return c;
  };
  const outgoing = (d: OutgoingDetail, lang: Lang) => {
    const box = store.outbox.get(d.messageId);
    const names = new Map(store.directory.list(d.server).map((o) => [o.code, o.name]));
    const recipientNames = Object.fromEntries(d.recipients.flatMap((c) => (names.has(c) ? [[c, names.get(c)!]] : [])));
    return { ...d, delivery: box?.state ?? null, lastError: describeDeliveryError(box?.lastError ?? null, lang), recipientNames };
  };
  /**
   * A new server or connecting certificate: the cached clients hold the old key, its session
   * and its organization (the next certificate may belong to another body), and the live
   * listeners run on that session. Drop them all; the next call (and the Inbox screen, which
   * turns live notifications on) starts over with the new settings.
   */
  const forgetConnections = async () => {
    for (const key of Object.keys(store.settings.all(ORGANIZATION_SETTING_PREFIX))) store.settings.set(key, null);
    clients.clear();
    const running = [...lives.values()];
    lives.clear();
    await Promise.all(running.map((l) => l.stop()));
  };
  const server = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw toKysoError(e);
    }
  };
  const handlers: ExchangeService['handlers'] = {
    'settings:get': async ({ prefix }) => ({ values: store.settings.all(prefix) }),
    'settings:set': async ({ key, value }, ctx) => {
      const changed = JSON.stringify(store.settings.get(key) ?? null) !== JSON.stringify(value);
      store.settings.set(key, value);
      if (changed && (key === SIGNER_SETTING || key === SERVER_SETTING)) await forgetConnections();
      ctx.emit('settings:changed', { key, value });
      return { key, value };
    },
    'settings:check': async (input, ctx) => {
      const saved = (k: string) => store.settings.get(k) as never;
      const values = {
        server: input.server ?? saved(SERVER_SETTING),
        signer: input.signer ?? saved(SIGNER_SETTING),
        tsaUrl: input.tsaUrl ?? saved('sign.tsaUrl'),
        signatureImage: input.signatureImage ?? saved('sign.signatureImage'),
        sealImage: input.sealImage ?? saved('sign.sealImage'),
      };
      const tokens = deps.tokens?.list ? { list: () => deps.tokens!.list!() } : undefined;
      return { results: await checkSetup(values, tokens, ctx.lang, input.parts) };
    },
    'exchange:send': ({ server: url, batchId, issueDate, signerName, signerPosition, priority, secrecy, dueDate, ...req }) =>
      server(async () => {
        const c = client(url);
        const meta = { issueDate, signerName, signerPosition, priority: priority as Priority | undefined, secrecy, dueDate, typeCode: DOCUMENT_TYPES.find((d) => d.name === req.type)?.code };
        const r = await c.queue({ ...req, batchId: batchId ?? null, meta });
        // Upload in the background: progress events report it; the outbox survives a crash.
        void c.flush().catch(() => undefined);
        return { messageId: r.messageId, queued: r.queued };
      }),
    'exchange:live': ({ server: url, on }) =>
      server(async () => {
        const c = client(url);
        const running = lives.get(c.server);
        if (on && !running) lives.set(c.server, await c.live());
        if (!on && running) {
          lives.delete(c.server);
          await running.stop();
        }
        return { on };
      }),
    'exchange:outboxFlush': ({ server: url }) => server(() => client(url).flush()),
    'exchange:inboxSync': ({ server: url }) => server(() => client(url).sync()),
    'exchange:inboxList': async ({ state, limit, offset }) => ({ items: store.incoming.list({ state, limit, offset }) }),
    'exchange:inboxFailures': async () => ({ items: store.failures.list() }),
    'exchange:inboxShow': async ({ messageId }) => ({
      doc: store.incoming.require(messageId),
      files: store.incoming.files(messageId).map(receivedFileView),
    }),
    'exchange:saveAttachment': (input) => saveAttachment(store, deps.home, input),
    'exchange:inboxAccept': ({ server: url, messageId }) => server(async () => ({ doc: await client(url ?? store.incoming.require(messageId).server).accept(messageId) })),
    'exchange:inboxReject': ({ server: url, messageId, reason }) => server(async () => ({ doc: await client(url ?? store.incoming.require(messageId).server).reject(messageId, reason) })),
    'exchange:inboxStatus': ({ server: url, messageId, code, description }) =>
      server(async () => ({ doc: await answerIncoming(client(url ?? store.incoming.require(messageId).server), messageId, code, description) })),
    'exchange:recall': ({ server: url, messageId, reason }, ctx) =>
      server(async () => {
        const d = store.outgoing.get(messageId);
        if (!d) throw new KysoError('inboxUnknownMessage', { messageId });
        await client(url ?? d.server).recall(messageId, reason);
        return { doc: outgoing(store.outgoing.get(messageId)!, ctx.lang) };
      }),
    'exchange:outgoingShow': async ({ messageId }, ctx) => {
      const d = store.outgoing.get(messageId);
      if (!d) throw new KysoError('inboxUnknownMessage', { messageId });
      return { doc: outgoing(d, ctx.lang) };
    },
    'exchange:registerList': async ({ register, year, limit, offset }, ctx) => {
      const r = registerEntries(store, { kind: register, year, limit, offset });
      return { incoming: r.incoming, outgoing: r.outgoing.map((d) => outgoing(d, ctx.lang)) };
    },
    'exchange:registerSearch': async ({ query, register, limit }, ctx) => {
      const r = searchRegisters(store, query, register, limit);
      return { incoming: r.incoming, outgoing: r.outgoing.map((d) => outgoing(d, ctx.lang)) };
    },
    'exchange:registerExport': async ({ register, year, path: out }) => exportRegister(store, register, year, out),
    'exchange:directory': ({ server: url, refresh }) =>
      server(async () => {
        const c = client(url);
        const organizations = await c.directory(refresh);
        const self = await c.organization().catch(() => null);
        return { organizations, fetchedAt: store.directory.fetchedAt(c.server), self };
      }),
  };
  return {
    handlers,
    close: async () => {
      for (const l of lives.values()) await l.stop();
      lives.clear();
    },
  };
}
