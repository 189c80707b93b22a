/**
 * Contract of the exchange domain: sending documents, the inbox, both registers, the
 * recipient directory, and the app settings (kept in the same local store).
 */
import { z } from 'zod';
import { eventsOf, operations } from './define.js';
import { fileVerdictSchema } from './verdicts.js';

const jsonValue = z.json();
const messageId = z.string().min(1).max(100);
const orgCode = z.string().regex(/^(?=.{3,35}$)[0-9A-Z]+(?:\.[0-9A-Z]+)+$/);
const registerKind = z.enum(['incoming', 'outgoing']);

/** Decree 30 metadata of a document (appendix VI) beyond number, notation, type and subject. */
export const docMetaSchema = z.object({
  typeCode: z.string().max(20).optional(),
  /** Issue date, yyyy-mm-dd. */
  issueDate: z.string().optional(),
  signerName: z.string().max(200).optional(),
  signerPosition: z.string().max(200).optional(),
  /** Độ khẩn as edXML Priority: 0 normal, 1 urgent, 2 very urgent, 3 express, 4 express with deadline. */
  priority: z.number().int().min(0).max(4).optional(),
  /** Độ mật: only normal documents are sent over the network. */
  secrecy: z.enum(['normal', 'confidential', 'secret', 'topSecret']).optional(),
  /** Reply-by date (hạn trả lời), yyyy-mm-dd. */
  dueDate: z.string().optional(),
});

/** A calendar day, `YYYY-MM-DD`, that exists (not 2026-02-30); the rule of isCalendarDate in main/api/vn-time.ts. */
export const calendarDateSchema = z.iso.date();

/** A status event of one recipient in the outgoing register. */
export const statusEventSchema = z.object({
  orgCode: z.string(),
  statusCode: z.string(),
  description: z.string().nullable(),
  at: z.string(),
});

/** One row of the outgoing register, with each recipient's latest status and the timeline. */
export const outgoingDocSchema = z.object({
  messageId: z.string(),
  documentId: z.string(),
  number: z.string(),
  notation: z.string(),
  type: z.string(),
  subject: z.string(),
  recipients: z.array(z.string()),
  files: z.array(z.string()),
  server: z.string(),
  year: z.number(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  /** Delivery to the server: pending (queued or retrying), sent, failed (gave up). */
  delivery: z.enum(['pending', 'sent', 'failed']).nullable(),
  lastError: z.string().nullable(),
  latest: z.record(z.string(), statusEventSchema.optional()),
  timeline: z.array(statusEventSchema),
  meta: docMetaSchema.default({}),
  /** Recipient names by code, from the directory (codes without a known name are absent). */
  recipientNames: z.record(z.string(), z.string()).default({}),
});

/** One row of the inbox / incoming register. */
export const incomingDocSchema = z.object({
  messageId: z.string(),
  server: z.string(),
  fromCode: z.string(),
  fromName: z.string(),
  documentId: z.string(),
  number: z.string(),
  notation: z.string(),
  type: z.string(),
  subject: z.string(),
  receivedAt: z.string(),
  state: z.enum(['arrived', 'accepted', 'rejected']),
  statusCode: z.string(),
  reason: z.string().nullable(),
  arrivalYear: z.number().nullable(),
  arrivalNumber: z.number().nullable(),
  registeredAt: z.string().nullable(),
  /** Worst verdict over its PDFs (FILE_VERDICTS), or null before any was validated. */
  validationStatus: fileVerdictSchema.nullable(),
  /** Set when the sender recalled it (13); recallAnswer 15 agree / 16 refuse once answered. */
  recallReason: z.string().nullable(),
  recallAt: z.string().nullable(),
  recallAnswer: z.string().nullable(),
  meta: docMetaSchema.default({}),
  /** The edXML package's XML signature: shown as such everywhere, an unsigned package never as signed. */
  signatureState: z.enum(['valid', 'valid-weak-algorithm', 'unsigned', 'invalid']),
  signatureAlgorithm: z.string().nullable(),
  signer: z.string().nullable(),
  /** What the edXML reader tolerated (message `edxml.note.<code>` with params). */
  packageNotes: z.array(z.object({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) })),
  promulgationDate: z.string().nullable(),
  /** Bussiness block: 0 new, 1 revocation, 2 update, 3 replace, and its reason. */
  bussinessDocType: z.number().int(),
  bussinessReason: z.string().nullable(),
  traces: z.array(z.object({ organId: z.string(), timestamp: z.string() })),
});

/** A received file with its stored validation report. */
export const incomingFileSchema = z.object({
  /** The name as the sender wrote it (register, search). */
  name: z.string(),
  /** The same name for display: invisible characters (bidi overrides, zero-width) shown as ⟨U+202E⟩. */
  displayName: z.string(),
  /** MIME type the sender declared. */
  contentType: z.string(),
  /** The type Kyso found in the bytes, as the extension it stored the file under (pdf, docx, jpg...), or `bin` (kept, never opened). */
  kind: z.string(),
  /** True when shell:openPath opens it (an allowed document type whose bytes match its extension). */
  openable: z.boolean(),
  /** The name a copy saved with exchange:saveAttachment gets: the safe name, with the extension of `kind`. */
  saveName: z.string(),
  /** Where Kyso keeps it (its own safe name under KYSO_HOME/inbox). */
  path: z.string(),
  sha256: z.string(),
  /** What the bytes are (sniffed), when recognized; may disagree with contentType. */
  detectedType: z.string().nullable(),
  validationStatus: fileVerdictSchema.nullable(),
  validation: z.unknown(),
});

const connection = {
  /** Inbox server URL; defaults to the `exchange.server` setting. */
  server: z.string().url().optional(),
};

const page = { limit: z.number().int().min(1).max(1000).default(100), offset: z.number().int().min(0).default(0) };

/** Operations of the exchange domain. */
export const exchangeOperations = operations({
  'settings:get': {
    input: z.object({ prefix: z.string().max(200).default('') }).strict(),
    output: z.object({ values: z.record(z.string(), jsonValue) }),
  },
  'settings:set': {
    input: z.object({ key: z.string().min(1).max(200), value: jsonValue }).strict(),
    output: z.object({ key: z.string(), value: jsonValue }),
  },
  /**
   * Checks the first-run setup as a whole (inbox server, connecting certificate, TSA,
   * signature and seal images): the saved settings, or the values given. Never asks for a PIN.
   */
  'settings:check': {
    input: z.object({
      server: z.string().optional(),
      signer: z.object({ module: z.string().optional(), label: z.string().optional(), serial: z.string().optional(), cert: z.string().optional() }).optional(),
      tsaUrl: z.string().optional(),
      signatureImage: z.string().optional(),
      sealImage: z.string().optional(),
      /** Only these parts (Home checks the server alone). */
      parts: z.array(z.enum(['server', 'certificate', 'tsa', 'signatureImage', 'sealImage'])).optional(),
    }).strict(),
    output: z.object({
      results: z.array(z.object({
        part: z.enum(['server', 'certificate', 'tsa', 'signatureImage', 'sealImage']),
        state: z.enum(['ok', 'failed', 'notSet']),
        message: z.string(),
        code: z.string().optional(),
      })),
    }),
  },
  'exchange:send': {
    input: z.object({
      ...connection,
      to: z.array(orgCode).min(1).max(500),
      subject: z.string().min(1).max(2000),
      number: z.string().min(1).max(50),
      notation: z.string().min(1).max(150),
      type: z.string().min(1).max(200),
      /** The signed main document first, then attachments (absolute paths). */
      files: z.array(z.string().min(1)).min(1).max(100),
      /** Signer and position, urgency, secrecy, reply-by date (Decree 30; the issue date is below). */
      signerName: z.string().max(200).optional(),
      signerPosition: z.string().max(200).optional(),
      priority: z.number().int().min(0).max(4).optional(),
      secrecy: z.enum(['normal', 'confidential', 'secret', 'topSecret']).optional(),
      dueDate: z.iso.date().optional(),
      /** Groups several sends for progress events. */
      batchId: z.string().max(100).optional(),
      /**
       * The issue date (Decree 30 ngày ban hành); default: today in Vietnam (vnDate). It is
       * part of the DocumentId, so sending the same files again on another day is another
       * document unless the same date is given.
       */
      issueDate: calendarDateSchema.optional(),
    }).strict(),
    output: z.object({ messageId: z.string(), queued: z.boolean() }),
  },
  /** Live notifications from the server (SSE): each arrival or status is synced at once. */
  'exchange:live': {
    input: z.object({ ...connection, on: z.boolean() }).strict(),
    output: z.object({ on: z.boolean() }),
  },
  'exchange:outboxFlush': {
    input: z.object({ ...connection }).strict(),
    output: z.object({ sent: z.number(), pending: z.number(), failed: z.number() }),
  },
  'exchange:inboxSync': {
    input: z.object({ ...connection }).strict(),
    output: z.object({ received: z.number(), statuses: z.number() }),
  },
  'exchange:inboxList': {
    input: z.object({ state: z.enum(['arrived', 'accepted', 'rejected']).optional(), ...page }).strict(),
    output: z.object({ items: z.array(incomingDocSchema) }),
  },
  /** Deliveries refused on arrival (corrupt package, bad XML-DSig): stored nowhere, listed here. */
  'exchange:inboxFailures': {
    input: z.object({}).strict(),
    output: z.object({ items: z.array(z.object({ server: z.string(), messageId: z.string(), sender: z.string(), errorCode: z.string(), detail: z.string(), at: z.string() })) }),
  },
  'exchange:inboxShow': {
    input: z.object({ messageId }).strict(),
    output: z.object({ doc: incomingDocSchema, files: z.array(incomingFileSchema) }),
  },
  /**
   * Saves a copy of one received file (the document's file at `index`, as inboxShow lists
   * them; never a path the caller names) to `path`: a folder (the file's safe name is added)
   * or a file path (its name cleaned, the extension the bytes prove). An existing file is
   * replaced only with `overwrite`; the copy is written atomically.
   */
  'exchange:saveAttachment': {
    input: z.object({ messageId, index: z.number().int().min(0).max(999), path: z.string().min(1).max(4096), overwrite: z.boolean().default(false) }).strict(),
    output: z.object({ path: z.string(), name: z.string() }),
  },
  'exchange:inboxAccept': {
    input: z.object({ ...connection, messageId }).strict(),
    output: z.object({ doc: incomingDocSchema }),
  },
  'exchange:inboxReject': {
    input: z.object({ ...connection, messageId, reason: z.string().trim().min(1).max(2000) }).strict(),
    output: z.object({ doc: incomingDocSchema }),
  },
  'exchange:inboxStatus': {
    /** 04 assigned, 05 in progress, 06 done; 15/16 answer a recall (agree/refuse). */
    input: z.object({ ...connection, messageId, code: z.enum(['04', '05', '06', '15', '16']), description: z.string().max(2000).default('') }).strict(),
    output: z.object({ doc: incomingDocSchema }),
  },
  /** Recalls a document we sent (13) with a reason; recipients answer 15/16 (exchange:status events). */
  'exchange:recall': {
    input: z.object({ ...connection, messageId, reason: z.string().trim().min(1).max(2000) }).strict(),
    output: z.object({ doc: outgoingDocSchema }),
  },
  'exchange:outgoingShow': {
    input: z.object({ messageId }).strict(),
    output: z.object({ doc: outgoingDocSchema }),
  },
  'exchange:registerList': {
    input: z.object({ register: registerKind, year: z.number().int().optional(), ...page }).strict(),
    output: z.object({ incoming: z.array(incomingDocSchema), outgoing: z.array(outgoingDocSchema) }),
  },
  'exchange:registerSearch': {
    input: z.object({ query: z.string().min(1).max(500), register: registerKind.optional(), limit: z.number().int().min(1).max(500).default(100) }).strict(),
    output: z.object({ incoming: z.array(incomingDocSchema), outgoing: z.array(outgoingDocSchema) }),
  },
  'exchange:registerExport': {
    input: z.object({ register: registerKind, year: z.number().int().optional(), path: z.string().min(1) }).strict(),
    output: z.object({ path: z.string(), rows: z.number() }),
  },
  'exchange:directory': {
    input: z.object({ ...connection, refresh: z.boolean().default(false) }).strict(),
    // outside: a body reached through the national axis (the recipient picker marks it).
    output: z.object({
      organizations: z.array(z.object({ code: z.string(), name: z.string(), parent: z.string().nullable(), outside: z.boolean().default(false) })),
      fetchedAt: z.string().nullable(),
      /** Our own organization on that server (documents cannot be sent to it), when known. */
      self: z.object({ code: z.string(), name: z.string() }).nullable().default(null),
    }),
  },
});

/** Events of the exchange domain. */
export const exchangeEvents = eventsOf({
  'settings:changed': z.object({ key: z.string(), value: jsonValue }),
  /** Progress of the outbox: after every delivery attempt. */
  'exchange:outboxProgress': z.object({
    batchId: z.string().nullable(),
    messageId: z.string(),
    state: z.enum(['pending', 'sent', 'failed']),
    attempts: z.number(),
    error: z.string().nullable(),
    total: z.number(),
    sent: z.number(),
    failed: z.number(),
  }),
  /** A new document arrived in the inbox (already validated and stored). */
  'exchange:inboxArrival': z.object({ doc: incomingDocSchema }),
  /** A delivery was refused on arrival (see exchange:inboxFailures). */
  'exchange:arrivalFailed': z.object({ messageId: z.string(), sender: z.string(), errorCode: z.string() }),
  /** A recipient reported a status on a document we sent. */
  'exchange:status': z.object({ messageId: z.string(), event: statusEventSchema }),
});
