/**
 * Drains the outbox: each due package is uploaded under its message id (the server's
 * idempotency key), so a crash between upload and bookkeeping only causes a harmless resend
 * that the server answers as a duplicate. Retryable failures back off exponentially.
 */
import type { OutboxItem, Store } from '../../store/index.js';
import type { InboxApi } from './api.js';
import { existsSync } from 'node:fs';
import { encodeDeliveryError } from './delivery-error.js';
import { ServerError, unreachable } from './http.js';

/** Retry policy of the sender. */
export interface BackoffPolicy {
  /** First retry delay (ms). */
  baseMs: number;
  /** Largest delay (ms). */
  maxMs: number;
  /** Attempts before a retryable failure is given up (the user can retry it later). */
  maxAttempts: number;
}

/** Defaults: 2 s, doubling, capped at 10 min, 12 attempts (about an hour). */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 600_000, maxAttempts: 12 };

/** The delay before attempt `attempts + 1`: exponential with jitter so many clients do not retry in step. */
export function backoffDelay(attempts: number, p: BackoffPolicy, random: () => number = Math.random): number {
  const exp = Math.min(p.maxMs, p.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp * (0.5 + random() / 2));
}

/** What happened to one outbox row, for progress events. */
export interface DeliveryProgress {
  item: OutboxItem;
  state: 'pending' | 'sent' | 'failed';
  error: string | null;
}

/** Options of a drain. */
export interface DrainOptions {
  /** Keep waiting for backed-off rows until none is pending (true), or stop when nothing is due now. */
  untilEmpty?: boolean;
  /** Parallel uploads. */
  concurrency?: number;
  signal?: AbortSignal;
}

/** Totals after a drain. */
export interface DrainResult {
  sent: number;
  pending: number;
  failed: number;
}

/** Sends outbox rows through the API of their server. */
export class OutboxSender {
  constructor(
    private readonly store: Store,
    private readonly apiFor: (server: string) => InboxApi,
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly onProgress: (p: DeliveryProgress) => void = () => {},
  ) {}

  /** Sends every due row; returns the counts of this drain. */
  async drain(opts: DrainOptions = {}): Promise<DrainResult> {
    const result: DrainResult = { sent: 0, pending: 0, failed: 0 };
    const concurrency = Math.max(1, opts.concurrency ?? 4);
    for (;;) {
      if (opts.signal?.aborted) break;
      const due = this.store.outbox.due(Date.now(), 500);
      if (!due.length) {
        const next = this.store.outbox.nextDueAt();
        if (next === null || !opts.untilEmpty) break;
        await sleep(Math.max(10, next - Date.now()), opts.signal);
        continue;
      }
      let i = 0;
      const worker = async () => {
        while (i < due.length && !opts.signal?.aborted) {
          const item = due[i++]!;
          const outcome = await this.sendOne(item);
          if (outcome === 'sent') result.sent++;
          else if (outcome === 'failed') result.failed++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
    }
    result.pending = this.store.outbox.list({ state: 'pending' }).length;
    return result;
  }

  /** Uploads one row and records the outcome durably. */
  async sendOne(item: OutboxItem): Promise<'sent' | 'pending' | 'failed'> {
    try {
      const res = await this.apiFor(item.server).sendPackage(item.messageId, item.packagePath);
      const at = new Date();
      this.store.transaction(() => {
        this.store.outbox.markSent(item.messageId, at);
        this.store.outgoing.markSent(item.messageId, at);
        for (const r of res.recipients) {
          this.store.outgoing.addStatus(item.messageId, { orgCode: r.organId, statusCode: r.status, description: null, at: at.toISOString() });
        }
      });
      this.onProgress({ item, state: 'sent', error: null });
      return 'sent';
    } catch (e) {
      // The package file gone from the outbox folder is not the server's fault, and retrying cannot help.
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(item.packagePath);
      const err = e instanceof ServerError ? e : missing ? new ServerError(0, 'fileNotFound', 'package file missing', { path: item.packagePath }) : unreachable(item.server, e instanceof Error ? e.message : String(e));
      const attempts = item.attempts + 1;
      const final = !err.retryable || attempts >= this.policy.maxAttempts;
      const message = encodeDeliveryError(err);
      this.store.outbox.markAttemptFailed(item.messageId, message, Date.now() + backoffDelay(attempts, this.policy), final);
      const state = final ? 'failed' : 'pending';
      this.onProgress({ item: { ...item, attempts }, state, error: message });
      return state;
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
