/**
 * The outbox: packages waiting to go to the inbox server. A row is written (with the package
 * already on disk) before any network I/O, so a crash never loses a document; the message id
 * is the idempotency key the server dedups on, so resending after a crash never duplicates it.
 */
import type { Db } from './db.js';

/** Delivery state of one outbox row. */
export type OutboxState = 'pending' | 'sent' | 'failed';

/** One queued package. */
export interface OutboxItem {
  messageId: string;
  server: string;
  packagePath: string;
  recipients: string[];
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  batchId: string | null;
  createdAt: string;
  sentAt: string | null;
}

interface Row {
  message_id: string;
  server: string;
  package_path: string;
  recipients: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  batch_id: string | null;
  created_at: string;
  sent_at: string | null;
}

function fromRow(r: Row): OutboxItem {
  return {
    messageId: r.message_id,
    server: r.server,
    packagePath: r.package_path,
    recipients: JSON.parse(r.recipients) as string[],
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    batchId: r.batch_id,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  };
}

/** Counts by state for one batch (progress reporting). */
export interface BatchCounts {
  total: number;
  pending: number;
  sent: number;
  failed: number;
}

/** Reads and updates the outbox. */
export class OutboxRepo {
  // An ES private field: the connection is not reachable from outside the store, even at run time.
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Queues a package; returns false when this message id is already queued (idempotent). */
  enqueue(item: { messageId: string; server: string; packagePath: string; recipients: string[]; batchId?: string | null }, now = Date.now()): boolean {
    const r = this.#db
      .prepare(`INSERT INTO outbox (message_id, server, package_path, recipients, state, attempts, next_attempt_at, batch_id, created_at)
        VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`)
      .run(item.messageId, item.server, item.packagePath, JSON.stringify(item.recipients), now, item.batchId ?? null, new Date(now).toISOString());
    return r.changes === 1;
  }

  /** One row by message id. */
  get(messageId: string): OutboxItem | undefined {
    const r = this.#db.prepare('SELECT * FROM outbox WHERE message_id = ?').get(messageId) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  /** Pending rows whose next attempt is due, oldest first. */
  due(now = Date.now(), limit = 100): OutboxItem[] {
    return (this.#db
      .prepare("SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY created_at, rowid LIMIT ?")
      .all(now, limit) as Row[]).map(fromRow);
  }

  /** Earliest next attempt among pending rows (ms epoch), or null when nothing is pending. */
  nextDueAt(): number | null {
    const r = this.#db.prepare("SELECT min(next_attempt_at) AS t FROM outbox WHERE state = 'pending'").get() as { t: number | null };
    return r.t;
  }

  /** Every row, newest first, optionally of one batch or state. */
  list(filter: { batchId?: string; state?: OutboxState } = {}, limit = 500): OutboxItem[] {
    return (this.#db
      .prepare(`SELECT * FROM outbox WHERE (@batch IS NULL OR batch_id = @batch) AND (@state IS NULL OR state = @state)
        ORDER BY created_at DESC, rowid DESC LIMIT @limit`)
      .all({ batch: filter.batchId ?? null, state: filter.state ?? null, limit }) as Row[]).map(fromRow);
  }

  /** Marks a row delivered (the server acknowledged the message id). */
  markSent(messageId: string, at = new Date()): void {
    this.#db.prepare("UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE message_id = ?").run(at.toISOString(), messageId);
  }

  /** Records a failed attempt: retry at `nextAttemptAt`, or give up (`final`) on a permanent error. */
  markAttemptFailed(messageId: string, error: string, nextAttemptAt: number, final: boolean): void {
    this.#db
      .prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, state = ? WHERE message_id = ?')
      .run(error, nextAttemptAt, final ? 'failed' : 'pending', messageId);
  }

  /** Puts a failed row back in the queue (the user asked to retry). */
  retry(messageId: string, now = Date.now()): void {
    this.#db.prepare("UPDATE outbox SET state = 'pending', next_attempt_at = ? WHERE message_id = ? AND state = 'failed'").run(now, messageId);
  }

  /** Makes every pending row due now (the user fixed the network and does not want to wait). */
  makeDueNow(now = Date.now()): void {
    this.#db.prepare("UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending' AND next_attempt_at > ?").run(now, now);
  }

  /** Counts of one batch by state. */
  batchCounts(batchId: string): BatchCounts {
    const rows = this.#db.prepare('SELECT state, count(*) AS n FROM outbox WHERE batch_id = ? GROUP BY state').all(batchId) as Array<{ state: OutboxState; n: number }>;
    const c: BatchCounts = { total: 0, pending: 0, sent: 0, failed: 0 };
    for (const r of rows) {
      c[r.state] = r.n;
      c.total += r.n;
    }
    return c;
  }
}
