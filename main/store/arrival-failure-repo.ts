/**
 * Deliveries the client refused (package digest, XML-DSig or format errors): the document is
 * stored nowhere, but the clerk sees which message from whom failed and why.
 */
import type { Db } from './db.js';

/** One refused delivery. */
export interface ArrivalFailure {
  server: string;
  messageId: string;
  sender: string;
  errorCode: string;
  detail: string;
  at: string;
}

/** Records and lists refused deliveries. */
export class ArrivalFailureRepo {
  // An ES private field: the connection is not reachable from outside the store, even at run time.
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Records (or updates) why a delivery was refused. */
  record(f: Omit<ArrivalFailure, 'at'>, at = new Date()): void {
    this.#db
      .prepare(`INSERT INTO arrival_failure (server, message_id, sender, error_code, detail, at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (server, message_id) DO UPDATE SET error_code = excluded.error_code, detail = excluded.detail, at = excluded.at`)
      .run(f.server, f.messageId, f.sender, f.errorCode, f.detail, at.toISOString());
  }

  /** Forgets a failure (the delivery was accepted on a later try). */
  clear(server: string, messageId: string): void {
    this.#db.prepare('DELETE FROM arrival_failure WHERE server = ? AND message_id = ?').run(server, messageId);
  }

  /** Every refused delivery, newest first. */
  list(): ArrivalFailure[] {
    return (this.#db.prepare('SELECT * FROM arrival_failure ORDER BY at DESC').all() as Array<{ server: string; message_id: string; sender: string; error_code: string; detail: string; at: string }>).map(
      (r) => ({ server: r.server, messageId: r.message_id, sender: r.sender, errorCode: r.error_code, detail: r.detail, at: r.at }),
    );
  }
}
