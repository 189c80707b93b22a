/** The FTS5 index over both registers: one row per document, folded text of its metadata. */
import type { Db } from './db.js';
import { foldText, ftsQuery } from './fold.js';

/** Which register a document belongs to. */
export type RegisterKind = 'incoming' | 'outgoing';

/** Replaces the indexed text of one document. */
export function indexDocument(db: Db, kind: RegisterKind, messageId: string, parts: Array<string | number | null | undefined>): void {
  const body = foldText(parts.filter((p) => p !== null && p !== undefined && p !== '').join(' '));
  db.prepare('DELETE FROM register_fts WHERE kind = ? AND message_id = ?').run(kind, messageId);
  db.prepare('INSERT INTO register_fts (kind, message_id, body) VALUES (?, ?, ?)').run(kind, messageId, body);
}

/** One search hit, best first. */
export interface SearchHit {
  kind: RegisterKind;
  messageId: string;
  rank: number;
}

/** Full-text search over one or both registers; every typed word must match (as a prefix). */
export function searchDocuments(db: Db, text: string, kind?: RegisterKind, limit = 100): SearchHit[] {
  const q = ftsQuery(text);
  if (!q) return [];
  const rows = db
    .prepare(`SELECT kind, message_id, rank FROM register_fts WHERE register_fts MATCH @q AND (@kind IS NULL OR kind = @kind)
      ORDER BY rank LIMIT @limit`)
    .all({ q, kind: kind ?? null, limit }) as Array<{ kind: RegisterKind; message_id: string; rank: number }>;
  return rows.map((r) => ({ kind: r.kind, messageId: r.message_id, rank: r.rank }));
}
