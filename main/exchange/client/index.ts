/**
 * The exchange client of one Kyso installation: one store, one inbox server, one token key.
 * Used by the CLI commands and by the app's exchange handlers.
 */
import path from 'node:path';
import { KysoError } from '../../api/errors.js';
import type { Signer } from '../../pki/signer.js';
import type { DocMeta, IncomingDoc, OrgEntry, Store } from '../../store/index.js';
import { acceptIncoming, answerRecall, recallOutgoing, rejectIncoming, reportHandling, type AnswerContext } from './actions.js';
import { InboxApi } from './api.js';
import { composeAndQueue, type Composed, type OrgRef } from './compose.js';
import { LiveListener } from './live.js';
import { DEFAULT_BACKOFF, OutboxSender, type BackoffPolicy, type DeliveryProgress, type DrainOptions, type DrainResult } from './sender.js';
import { InboxSync, type SyncEvents, type SyncResult } from './sync.js';
import type { PdfValidator } from './validate.js';

export { InboxApi } from './api.js';
export { ServerError } from './http.js';
export { describeDeliveryError } from './delivery-error.js';
export { defaultValidator, verdictOf, type PdfValidator, type FileVerdict } from './validate.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy, type DeliveryProgress } from './sender.js';
export { type OrgRef } from './compose.js';

/** Settings key of the default server URL. */
export const SERVER_SETTING = 'exchange.server';

/** Prefix of the settings keys caching our organization per server (learnt from the login). */
export const ORGANIZATION_SETTING_PREFIX = 'exchange.organization.';

/** Settings key caching our organization on a server. */
export function organizationSettingKey(server: string): string {
  return ORGANIZATION_SETTING_PREFIX + server.replace(/\/+$/, '');
}

/** How to build a client. */
export interface ClientOptions {
  store: Store;
  home: string;
  server: string;
  /** Provides the token key on first use (the PIN is asked only when a command needs it). */
  signer: () => Promise<Signer>;
  validator: PdfValidator;
  backoff?: BackoffPolicy;
  onProgress?(p: DeliveryProgress): void;
  events?: SyncEvents;
}

/** What a send needs from the clerk. */
export interface SendRequest {
  to: string[];
  subject: string;
  number: string;
  notation: string;
  type: string;
  files: string[];
  batchId?: string | null;
  /** Decree 30 metadata (issue date, signer, urgency, secrecy, reply-by date). */
  meta?: DocMeta;
  /** Issue date `YYYY-MM-DD` (default: today in Vietnam); see ComposeInput.issueDate. */
  issueDate?: string;
}

/** Facade over compose, sender, sync and answers for one server. */
export class ExchangeClient {
  readonly server: string;
  private signerP?: Promise<Signer>;
  private apiP?: Promise<InboxApi>;

  constructor(private readonly o: ClientOptions) {
    this.server = o.server.replace(/\/+$/, '');
  }

  /** The token key (asked once). */
  signer(): Promise<Signer> {
    // A failure (no token, not logged in) is not cached: the next call asks again.
    this.signerP ??= this.o.signer().catch((e: unknown) => {
      this.signerP = undefined;
      this.apiP = undefined;
      throw e;
    });
    return this.signerP;
  }

  /** The server API logged in with our key. */
  api(): Promise<InboxApi> {
    this.apiP ??= this.signer().then((s) => new InboxApi(this.server, s));
    return this.apiP;
  }

  /** Our organization on this server: cached in settings, learnt from the login otherwise. */
  async organization(): Promise<OrgRef> {
    const key = organizationSettingKey(this.server);
    const cached = this.o.store.settings.get(key) as { code?: string; name?: string } | undefined;
    if (cached?.code && cached.name) return { code: cached.code, name: cached.name };
    const org = await (await this.api()).organization();
    this.o.store.settings.set(key, { code: org.code, name: org.name });
    return org;
  }

  /** The organization directory (cached; refreshed on request or when empty). */
  async directory(refresh = false): Promise<OrgEntry[]> {
    if (refresh || !this.o.store.directory.fetchedAt(this.server)) {
      const orgs = await (await this.api()).directory();
      this.o.store.directory.replace(this.server, orgs);
    }
    return this.o.store.directory.list(this.server);
  }

  /** Builds, signs and queues a document (no upload yet). */
  async queue(req: SendRequest): Promise<Composed> {
    // Secret documents do not travel over the exchange network (Decree 30, art. 14; the law on
    // state secrets): refused before anything is signed or queued.
    if (req.meta?.secrecy && req.meta.secrecy !== 'normal') throw new KysoError('exSecretNotSent', { level: req.meta.secrecy });
    const from = await this.organization();
    // A document to ourselves could never be registered (the server refuses our own 03).
    if (req.to.includes(from.code)) throw new KysoError('exSendToSelf', { organId: from.code, name: from.name });
    let names = new Map(this.o.store.directory.list(this.server).map((o) => [o.code, o.name]));
    if (req.to.some((c) => !names.has(c))) {
      try {
        names = new Map((await this.directory(true)).map((o) => [o.code, o.name]));
      } catch {
        // Offline: queue anyway with codes as names; the server checks the codes on upload.
      }
    }
    for (const code of req.to) if (names.size && !names.has(code)) throw new KysoError('exUnknownRecipient', { organId: code });
    return composeAndQueue(this.o.store, this.o.home, await this.signer(), {
      server: this.server,
      from,
      to: req.to.map((code) => ({ code, name: names.get(code) ?? code })),
      subject: req.subject,
      number: req.number,
      notation: req.notation,
      type: req.type,
      files: req.files.map((f) => path.resolve(f)),
      batchId: req.batchId ?? null,
      ...(req.meta ? { meta: req.meta } : {}),
      ...(req.issueDate ? { issueDate: req.issueDate } : {}),
    });
  }

  private flushing: Promise<DrainResult> | null = null;
  private flushAgain = false;

  /**
   * Uploads what the outbox holds. One drain at a time: a call during a running drain (two
   * quick sends in the app) makes it take one more pass instead of uploading rows twice.
   */
  flush(opts: DrainOptions = {}): Promise<DrainResult> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    const run = async (): Promise<DrainResult> => {
      const api = await this.api();
      const sender = new OutboxSender(this.o.store, () => api, this.o.backoff ?? DEFAULT_BACKOFF, this.o.onProgress);
      const total: DrainResult = { sent: 0, pending: 0, failed: 0 };
      do {
        this.flushAgain = false;
        const r = await sender.drain(opts);
        total.sent += r.sent;
        total.failed += r.failed;
        total.pending = r.pending;
      } while (this.flushAgain);
      return total;
    };
    this.flushing = run().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private syncer?: InboxSync;

  /** Pulls new deliveries and statuses. */
  async sync(): Promise<SyncResult> {
    this.syncer ??= new InboxSync(this.o.store, this.o.home, await this.api(), this.o.validator, this.o.events);
    return this.syncer.sync();
  }

  /** Starts live notifications (each event triggers a sync). */
  async live(onError?: (e: unknown) => void): Promise<LiveListener> {
    const l = new LiveListener(await this.api(), { onSignal: () => this.sync(), onError });
    l.start();
    return l;
  }

  private async answerCtx(): Promise<AnswerContext> {
    return { store: this.o.store, api: await this.api(), signer: await this.signer(), org: await this.organization() };
  }

  /** Registers an incoming document (status 03, next arrival number). */
  async accept(messageId: string): Promise<IncomingDoc> {
    return acceptIncoming(await this.answerCtx(), messageId);
  }

  /** Rejects an incoming document with a reason (status 02). */
  async reject(messageId: string, reason: string): Promise<IncomingDoc> {
    return rejectIncoming(await this.answerCtx(), messageId, reason);
  }

  /** Reports handling progress of a registered document (04, 05, 06). */
  async report(messageId: string, code: '04' | '05' | '06', description = ''): Promise<IncomingDoc> {
    return reportHandling(await this.answerCtx(), messageId, code, description);
  }

  /** Recalls a document we sent (13); recipients answer 15 or 16. */
  async recall(messageId: string, reason: string): Promise<void> {
    return recallOutgoing(await this.answerCtx(), messageId, reason);
  }

  /** Answers a recall of an incoming document: 15 agree, 16 refuse. */
  async answerRecall(messageId: string, answer: '15' | '16', description = ''): Promise<IncomingDoc> {
    return answerRecall(await this.answerCtx(), messageId, answer, description);
  }
}
