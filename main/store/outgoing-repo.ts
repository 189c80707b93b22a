/** The outgoing register (sổ văn bản đi) with a per-recipient status timeline. */
import type { Db } from './db.js';
import { metaFromJson, metaToJson, type DocMeta } from './doc-meta.js';
import { indexDocument } from './search-index.js';
import { vnYear } from '../api/vn-time.js';

/** Metadata of a sent document. */
export interface OutgoingDoc {
  messageId: string;
  documentId: string;
  number: string;
  notation: string;
  type: string;
  subject: string;
  recipients: string[];
  files: string[];
  server: string;
  createdAt: string;
  sentAt: string | null;
  year: number;
  /** Decree 30 metadata given when sending. */
  meta: DocMeta;
}

/** One status event from one recipient. */
export interface StatusEvent {
  orgCode: string;
  statusCode: string;
  description: string | null;
  at: string;
}

/** A sent document with each recipient's latest status and full timeline. */
export interface OutgoingDetail extends OutgoingDoc {
  timeline: StatusEvent[];
  latest: Record<string, StatusEvent | undefined>;
}

interface Row {
  message_id: string;
  document_id: string;
  number: string;
  notation: string;
  type: string;
  subject: string;
  recipients: string;
  files: string;
  server: string;
  year: number;
  created_at: string;
  sent_at: string | null;
  meta: string | null;
}

function fromRow(r: Row): OutgoingDoc {
  return {
    messageId: r.message_id,
    documentId: r.document_id,
    number: r.number,
    notation: r.notation,
    type: r.type,
    subject: r.subject,
    recipients: JSON.parse(r.recipients) as string[],
    files: JSON.parse(r.files) as string[],
    server: r.server,
    year: r.year,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    meta: metaFromJson(r.meta),
  };
}

/** Reads and writes the outgoing register. */
export class OutgoingRepo {
  // An ES private field: the connection is not reachable from outside the store, even at run time.
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Records a document being sent (idempotent by message id). */
  add(doc: Omit<OutgoingDoc, 'sentAt' | 'year' | 'createdAt' | 'meta'> & { createdAt?: Date; meta?: DocMeta }): void {
    const created = doc.createdAt ?? new Date();
    const r = this.#db
      .prepare(`INSERT INTO outgoing (message_id, document_id, number, notation, type, subject, recipients, files, server, year, created_at, meta)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`)
      .run(doc.messageId, doc.documentId, doc.number, doc.notation, doc.type, doc.subject, JSON.stringify(doc.recipients),
        JSON.stringify(doc.files), doc.server, vnYear(created), created.toISOString(), metaToJson(doc.meta));
    if (r.changes) {
      indexDocument(this.#db, 'outgoing', doc.messageId, [doc.subject, doc.number, doc.notation, doc.type, doc.documentId, ...doc.recipients, ...doc.files]);
    }
  }

  /** Marks the document delivered to the server. */
  markSent(messageId: string, at = new Date()): void {
    this.#db.prepare('UPDATE outgoing SET sent_at = coalesce(sent_at, ?) WHERE message_id = ?').run(at.toISOString(), messageId);
  }

  /** Appends a recipient's status (duplicates from a re-sync are ignored); false when unknown or duplicate. */
  addStatus(messageId: string, ev: StatusEvent): boolean {
    if (!this.#db.prepare('SELECT 1 FROM outgoing WHERE message_id = ?').get(messageId)) return false;
    // 01 (arrived) comes both from the send reply and from the status feed: keep the first.
    if (ev.statusCode === '01' && this.#db.prepare("SELECT 1 FROM outgoing_status WHERE message_id = ? AND org_code = ? AND status_code = '01'").get(messageId, ev.orgCode)) return false;
    const r = this.#db
      .prepare(`INSERT INTO outgoing_status (message_id, org_code, status_code, description, at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT DO NOTHING`)
      .run(messageId, ev.orgCode, ev.statusCode, ev.description, ev.at);
    return r.changes === 1;
  }

  /** The document with its timeline, or undefined. */
  get(messageId: string): OutgoingDetail | undefined {
    const r = this.#db.prepare('SELECT * FROM outgoing WHERE message_id = ?').get(messageId) as Row | undefined;
    if (!r) return undefined;
    const timeline = (this.#db
      .prepare('SELECT org_code, status_code, description, at FROM outgoing_status WHERE message_id = ? ORDER BY id')
      .all(messageId) as Array<{ org_code: string; status_code: string; description: string | null; at: string }>)
      .map((s) => ({ orgCode: s.org_code, statusCode: s.status_code, description: s.description, at: s.at }));
    const doc = fromRow(r);
    const latest: Record<string, StatusEvent | undefined> = {};
    for (const code of doc.recipients) latest[code] = undefined;
    for (const ev of timeline) latest[ev.orgCode] = ev;
    return { ...doc, timeline, latest };
  }

  /** Documents newest first, optionally of one year (Vietnam time). */
  list(opts: { year?: number; limit?: number; offset?: number } = {}): OutgoingDoc[] {
    return (this.#db
      .prepare('SELECT * FROM outgoing WHERE (@year IS NULL OR year = @year) ORDER BY created_at DESC, rowid DESC LIMIT @limit OFFSET @offset')
      .all({ year: opts.year ?? null, limit: opts.limit ?? 100, offset: opts.offset ?? 0 }) as Row[]).map(fromRow);
  }

  /** Documents by message ids, in the order given (search results). */
  byIds(ids: string[]): OutgoingDoc[] {
    const get = this.#db.prepare('SELECT * FROM outgoing WHERE message_id = ?');
    return ids.map((id) => get.get(id) as Row | undefined).filter((r): r is Row => !!r).map(fromRow);
  }
}
