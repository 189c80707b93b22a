/**
 * The incoming register (sổ văn bản đến). An arrival is stored once per message id; when the
 * clerk registers it (status 03) it gets the next arrival number of its year (Vietnam time),
 * starting at 1 on 1 January. Validation results of its PDFs are stored per file.
 */
import type { FileVerdict } from '../api/contract/verdicts.js';
import { KysoError } from '../api/errors.js';
import type { Db } from './db.js';
import { metaFromJson, metaToJson, type DocMeta } from './doc-meta.js';
import { indexDocument } from './search-index.js';
import { vnYear } from '../api/vn-time.js';

/** Where an incoming document stands with the local clerk. */
export type IncomingState = 'arrived' | 'accepted' | 'rejected';

/** The package's XML signature as the edXML reader judged it (an invalid one is refused on arrival). */
export type PackageSignatureState = 'valid' | 'valid-weak-algorithm' | 'unsigned' | 'invalid';

/** A note of the edXML reader: what it tolerated (message `edxml.note.<code>`). */
export interface PackageNoteRow {
  code: string;
  params: Record<string, string | number>;
}

/** One received file with its signature validation. */
export interface IncomingFile {
  name: string;
  contentType: string;
  path: string;
  sha256: string;
  /** What the bytes are (sniffed), when recognized; may disagree with contentType. */
  detectedType: string | null;
  validationStatus: FileVerdict | null;
  /** The validation report as stored (JSON), or null when the file is not a PDF. */
  validation: unknown;
}

/** A received document. */
export interface IncomingDoc {
  messageId: string;
  server: string;
  fromCode: string;
  fromName: string;
  documentId: string;
  number: string;
  notation: string;
  type: string;
  subject: string;
  receivedAt: string;
  state: IncomingState;
  statusCode: string;
  reason: string | null;
  arrivalYear: number | null;
  arrivalNumber: number | null;
  registeredAt: string | null;
  /** Worst validation status over its PDFs (TOTAL_PASSED only when all passed). */
  validationStatus: FileVerdict | null;
  packagePath: string;
  /** Set when the sender recalled the document (status 13), with its reason. */
  recallReason: string | null;
  recallAt: string | null;
  /** Our answer to the recall: 15 agree, 16 refuse; null while unanswered. */
  recallAnswer: string | null;
  /** Decree 30 metadata from the package (issue date, signer, urgency, reply-by). */
  meta: DocMeta;
  /** The package's XML signature, its algorithm and the signer's name. */
  signatureState: PackageSignatureState;
  signatureAlgorithm: string | null;
  signer: string | null;
  /** What the edXML reader tolerated in this package. */
  packageNotes: PackageNoteRow[];
  /** yyyy/MM/dd; null for arrivals stored before it was kept. */
  promulgationDate: string | null;
  /** Bussiness block: 0 new, 1 revocation, 2 update, 3 replace, with its reason. */
  bussinessDocType: number;
  bussinessReason: string | null;
  /** TraceHeaderList: the organizations the package passed through, when. */
  traces: Array<{ organId: string; timestamp: string }>;
}

/** What the edXML reader adds to an arrival; a package stored without it counts as unsigned, never as signed. */
type ArrivalExtras = 'signatureState' | 'signatureAlgorithm' | 'signer' | 'packageNotes' | 'promulgationDate' | 'bussinessDocType' | 'bussinessReason' | 'traces';

/** Input for a new arrival. */
export type NewIncoming = Omit<IncomingDoc, 'state' | 'statusCode' | 'reason' | 'arrivalYear' | 'arrivalNumber' | 'registeredAt' | 'validationStatus' | 'recallReason' | 'recallAt' | 'recallAnswer' | ArrivalExtras | 'meta'> &
  Partial<Pick<IncomingDoc, ArrivalExtras>> & {
    files: Array<Omit<IncomingFile, 'validation' | 'validationStatus' | 'detectedType'> & { detectedType?: string | null }>;
    meta?: DocMeta;
  };

interface Row {
  message_id: string;
  server: string;
  from_code: string;
  from_name: string;
  document_id: string;
  number: string;
  notation: string;
  type: string;
  subject: string;
  received_at: string;
  state: IncomingState;
  status_code: string;
  reason: string | null;
  arrival_year: number | null;
  arrival_number: number | null;
  registered_at: string | null;
  validation_status: FileVerdict | null;
  package_path: string;
  recall_reason: string | null;
  recall_at: string | null;
  recall_answer: string | null;
  meta: string | null;
  signature_state: PackageSignatureState;
  signature_algorithm: string | null;
  signer: string | null;
  package_notes: string;
  promulgation_date: string | null;
  bussiness_doc_type: number;
  bussiness_reason: string | null;
  traces: string;
}

/**
 * Which received files are validated as PDFs (SQL over incoming_file `f`): those stored as .pdf
 * (the sniffer found a PDF, whatever name or type they were sent with: `ho-so.docx` whose
 * bytes are a PDF), and those sent as a PDF (bytes that are not one get the verdict UNREADABLE).
 */
const VALIDATED_AS_PDF = "(lower(f.path) LIKE '%.pdf' OR f.content_type = 'application/pdf' OR lower(f.name) LIKE '%.pdf')";

function json<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function fromRow(r: Row): IncomingDoc {
  return {
    messageId: r.message_id,
    server: r.server,
    fromCode: r.from_code,
    fromName: r.from_name,
    documentId: r.document_id,
    number: r.number,
    notation: r.notation,
    type: r.type,
    subject: r.subject,
    receivedAt: r.received_at,
    state: r.state,
    statusCode: r.status_code,
    reason: r.reason,
    arrivalYear: r.arrival_year,
    arrivalNumber: r.arrival_number,
    registeredAt: r.registered_at,
    validationStatus: r.validation_status,
    packagePath: r.package_path,
    recallReason: r.recall_reason,
    recallAt: r.recall_at,
    recallAnswer: r.recall_answer,
    meta: metaFromJson(r.meta),
    signatureState: r.signature_state,
    signatureAlgorithm: r.signature_algorithm,
    signer: r.signer,
    packageNotes: json(r.package_notes, []),
    promulgationDate: r.promulgation_date,
    bussinessDocType: r.bussiness_doc_type,
    bussinessReason: r.bussiness_reason,
    traces: json(r.traces, []),
  };
}

/** Order of validation outcomes from best to worst, to summarize several PDFs. */
const severity: readonly FileVerdict[] = ['TOTAL_PASSED', 'INDETERMINATE', 'TOTAL_FAILED'];

/** Reads and writes the incoming register. */
export class IncomingRepo {
  // An ES private field: the connection is not reachable from outside the store, even at run time.
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Stores an arrival with its files; returns false when it was already stored (re-sync). */
  add(doc: NewIncoming): boolean {
    return this.#db.transaction(() => {
      const r = this.#db
        .prepare(`INSERT INTO incoming (message_id, server, from_code, from_name, document_id, number, notation, type, subject,
            received_at, state, status_code, package_path, signature_state, signature_algorithm, signer, package_notes,
            promulgation_date, bussiness_doc_type, bussiness_reason, traces, meta)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'arrived', '01', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`)
        .run(doc.messageId, doc.server, doc.fromCode, doc.fromName, doc.documentId, doc.number, doc.notation, doc.type,
          doc.subject, doc.receivedAt, doc.packagePath, doc.signatureState ?? 'unsigned', doc.signatureAlgorithm ?? null, doc.signer ?? null,
          JSON.stringify(doc.packageNotes ?? []), doc.promulgationDate ?? null, doc.bussinessDocType ?? 0, doc.bussinessReason ?? null,
          JSON.stringify(doc.traces ?? []), metaToJson(doc.meta));
      if (!r.changes) return false;
      const ins = this.#db.prepare('INSERT INTO incoming_file (message_id, name, content_type, path, sha256, detected_type) VALUES (?, ?, ?, ?, ?, ?)');
      for (const f of doc.files) ins.run(doc.messageId, f.name, f.contentType, f.path, f.sha256, f.detectedType ?? null);
      indexDocument(this.#db, 'incoming', doc.messageId, [doc.subject, doc.number, doc.notation, doc.type, doc.documentId,
        doc.fromCode, doc.fromName, ...doc.files.map((f) => f.name)]);
      return true;
    }).immediate();
  }

  /** Stores one file's validation and refreshes the document's summary status. */
  setValidation(messageId: string, fileName: string, status: FileVerdict, report: unknown): void {
    this.#db.transaction(() => {
      this.#db
        .prepare('UPDATE incoming_file SET validation_status = ?, validation = ? WHERE message_id = ? AND name = ?')
        .run(status, JSON.stringify(report), messageId, fileName);
      const statuses = (this.#db
        .prepare('SELECT validation_status AS s FROM incoming_file WHERE message_id = ? AND validation_status IS NOT NULL')
        .all(messageId) as Array<{ s: FileVerdict }>).map((r) => r.s);
      const worst = statuses.reduce<FileVerdict | null>((w, s) => (w === null || rank(s) > rank(w) ? s : w), null);
      this.#db.prepare('UPDATE incoming SET validation_status = ? WHERE message_id = ?').run(worst, messageId);
    }).immediate();
  }

  /** Registers the document: next arrival number of the current Vietnam year, status 03. */
  accept(messageId: string, at = new Date()): IncomingDoc {
    return this.#db.transaction(() => {
      const doc = this.require(messageId);
      if (doc.state === 'accepted') return doc;
      if (doc.state === 'rejected') throw new KysoError('inboxAlreadyRejected', { messageId });
      const year = vnYear(at);
      const { n } = this.#db.prepare('SELECT coalesce(max(arrival_number), 0) + 1 AS n FROM incoming WHERE arrival_year = ?').get(year) as { n: number };
      this.#db
        .prepare("UPDATE incoming SET state = 'accepted', status_code = '03', arrival_year = ?, arrival_number = ?, registered_at = ? WHERE message_id = ?")
        .run(year, n, at.toISOString(), messageId);
      indexDocument(this.#db, 'incoming', messageId, [doc.subject, doc.number, doc.notation, doc.type, doc.documentId, doc.fromCode,
        doc.fromName, ...this.files(messageId).map((f) => f.name), `${n}/${year}`]);
      return this.require(messageId);
    }).immediate();
  }

  /** Rejects the document (status 02) with the mandatory reason. */
  reject(messageId: string, reason: string): IncomingDoc {
    if (!reason.trim()) throw new KysoError('inboxReasonRequired');
    return this.#db.transaction(() => {
      const doc = this.require(messageId);
      if (doc.state === 'accepted') throw new KysoError('inboxAlreadyAccepted', { messageId });
      this.#db.prepare("UPDATE incoming SET state = 'rejected', status_code = '02', reason = ? WHERE message_id = ?").run(reason, messageId);
      return this.require(messageId);
    }).immediate();
  }

  /** Records a handling status (04 assigned, 05 in progress, 06 done) of a registered document. */
  setHandlingStatus(messageId: string, code: '04' | '05' | '06'): IncomingDoc {
    const doc = this.require(messageId);
    if (doc.state !== 'accepted') throw new KysoError('inboxNotRegistered', { messageId });
    this.#db.prepare('UPDATE incoming SET status_code = ? WHERE message_id = ?').run(code, messageId);
    return this.require(messageId);
  }

  /** Records the sender's recall (13); false when the document is unknown here. */
  markRecall(messageId: string, reason: string, at: string): boolean {
    // A replayed 13 (same time) must not erase the answer already given.
    const r = this.#db
      .prepare('UPDATE incoming SET recall_reason = ?, recall_at = ?, recall_answer = NULL WHERE message_id = ? AND (recall_at IS NULL OR recall_at <> ?)')
      .run(reason, at, messageId, at);
    return r.changes === 1;
  }

  /** Records our answer to a recall: 15 agree, 16 refuse. */
  answerRecall(messageId: string, answer: '15' | '16'): IncomingDoc {
    const doc = this.require(messageId);
    if (!doc.recallAt) throw new KysoError('inboxNoRecall', { messageId });
    this.#db.prepare('UPDATE incoming SET recall_answer = ? WHERE message_id = ?').run(answer, messageId);
    return this.require(messageId);
  }

  /** One document, or undefined. */
  get(messageId: string): IncomingDoc | undefined {
    const r = this.#db.prepare('SELECT * FROM incoming WHERE message_id = ?').get(messageId) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  /** One document, or a clear error. */
  require(messageId: string): IncomingDoc {
    const d = this.get(messageId);
    if (!d) throw new KysoError('inboxUnknownMessage', { messageId });
    return d;
  }

  /** The files of a document with their validation. */
  files(messageId: string): IncomingFile[] {
    const rows = this.#db
      .prepare('SELECT name, content_type, path, sha256, detected_type, validation_status, validation FROM incoming_file WHERE message_id = ? ORDER BY rowid')
      .all(messageId) as Array<{ name: string; content_type: string; path: string; sha256: string; detected_type: string | null; validation_status: FileVerdict | null; validation: string | null }>;
    return rows.map((r) => ({
      name: r.name,
      contentType: r.content_type,
      path: r.path,
      sha256: r.sha256,
      detectedType: r.detected_type,
      validationStatus: r.validation_status,
      validation: r.validation === null ? null : (JSON.parse(r.validation) as unknown),
    }));
  }

  /** Documents newest first; `registered` lists the register (accepted ones by arrival number). */
  list(opts: { state?: IncomingState; year?: number; limit?: number; offset?: number } = {}): IncomingDoc[] {
    const order = opts.state === 'accepted' ? 'arrival_year DESC, arrival_number DESC' : 'received_at DESC, rowid DESC';
    return (this.#db
      .prepare(`SELECT * FROM incoming WHERE (@state IS NULL OR state = @state) AND (@year IS NULL OR arrival_year = @year)
        ORDER BY ${order} LIMIT @limit OFFSET @offset`)
      .all({ state: opts.state ?? null, year: opts.year ?? null, limit: opts.limit ?? 100, offset: opts.offset ?? 0 }) as Row[]).map(fromRow);
  }

  /** The files of a document that are validated as PDFs and have no verdict yet. */
  unvalidatedPdfs(messageId: string): IncomingFile[] {
    const names = new Set((this.#db
      .prepare(`SELECT f.name FROM incoming_file f WHERE f.message_id = ? AND f.validation_status IS NULL AND ${VALIDATED_AS_PDF}`)
      .all(messageId) as Array<{ name: string }>).map((r) => r.name));
    return this.files(messageId).filter((f) => names.has(f.name));
  }

  /**
   * Documents of one server with a PDF whose validation has no verdict yet (a crash came
   * between storing the arrival and validating it).
   */
  pendingValidation(server: string): string[] {
    const rows = this.#db
      .prepare(`SELECT DISTINCT f.message_id AS id FROM incoming_file f JOIN incoming i USING (message_id)
        WHERE f.validation_status IS NULL AND i.server = ? AND ${VALIDATED_AS_PDF}`)
      .all(server) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  /** Documents by message ids, in the order given (search results). */
  byIds(ids: string[]): IncomingDoc[] {
    const get = this.#db.prepare('SELECT * FROM incoming WHERE message_id = ?');
    return ids.map((id) => get.get(id) as Row | undefined).filter((r): r is Row => !!r).map(fromRow);
  }
}

function rank(status: FileVerdict): number {
  const i = severity.indexOf(status);
  return i < 0 ? severity.length : i;
}
