/** Inbox sync cursors, one per server: where the last completed sync stopped. */
import type { Db } from './db.js';

/** Reads and advances sync cursors. */
export class CursorRepo {
  // An ES private field: the connection is not reachable from outside the store, even at run time.
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The stored cursor for `server`, or null before the first sync. */
  get(server: string): string | null {
    const r = this.#db.prepare('SELECT cursor FROM sync_cursor WHERE server = ?').get(server) as { cursor: string } | undefined;
    return r?.cursor ?? null;
  }

  /** Stores the cursor after the items before it are safely stored. */
  set(server: string, cursor: string): void {
    this.#db
      .prepare(`INSERT INTO sync_cursor (server, cursor, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (server) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`)
      .run(server, cursor, new Date().toISOString());
  }
}
