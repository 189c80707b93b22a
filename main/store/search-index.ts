/** The FTS5 index over both registers: one row per document, folded text of its metadata. */
import type { Db } from './db.js';
import { foldText, ftsQuery } from './fold.js';

/** Which register a document belongs to. */
export type RegisterKind = 'incoming' | 'outgoing';

/** Replaces the indexed text of one document. */
export function indexDocument(db: Db, kind: RegisterKind, messageId: string, parts: Array<string | number | null | undefined>): void {
  const body = foldText(parts.filter((p) => p !== null && p !== undefined && p !== '').join(' '));
  // Delete by rowid through the key table: FTS5 cannot index message_id (see migration 005).
  const prev = db.prepare('SELECT fts_rowid FROM register_fts_key WHERE kind = ? AND message_id = ?').get(kind, messageId) as
    | { fts_rowid: number }
    | undefined;
  if (prev) db.prepare('DELETE FROM register_fts WHERE rowid = ?').run(prev.fts_rowid);
  const { lastInsertRowid } = db.prepare('INSERT INTO register_fts (kind, message_id, body) VALUES (?, ?, ?)').run(kind, messageId, body);
  db.prepare(
    `INSERT INTO register_fts_key (kind, message_id, fts_rowid) VALUES (?, ?, ?)
     ON CONFLICT (kind, message_id) DO UPDATE SET fts_rowid = excluded.fts_rowid`,
  ).run(kind, messageId, lastInsertRowid);
}

/** One search hit, best first. */
export interface SearchHit {
  kind: RegisterKind;
  messageId: string;
  rank: number;
}

/** Full-text search over both registers (the index the register repositories keep). */
export class SearchRepo {
  // An ES private field: the connection is not reachable from outside the store, even at run time.
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Hits over one or both registers, best first; every typed word must match (as a prefix). */
  find(text: string, kind?: RegisterKind, limit = 100): SearchHit[] {
    const q = ftsQuery(text);
    if (!q) return [];
    const rows = this.#db
      .prepare(`SELECT kind, message_id, rank FROM register_fts WHERE register_fts MATCH @q AND (@kind IS NULL OR kind = @kind)
        ORDER BY rank LIMIT @limit`)
      .all({ q, kind: kind ?? null, limit }) as Array<{ kind: RegisterKind; message_id: string; rank: number }>;
    return rows.map((r) => ({ kind: r.kind, messageId: r.message_id, rank: r.rank }));
  }
}
