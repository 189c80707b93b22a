/**
 * Turns "send these files to these organizations" into a signed edXML package on disk and
 * an outbox row, all before any network I/O. The message id is derived from the sender, the
 * document id (which holds the issue date), the recipients and the file contents, so running
 * the same send again after a crash finds the queued row instead of creating a duplicate.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { KysoError } from '../../api/errors.js';
import { isCalendarDate, vnDate } from '../../api/vn-time.js';
import { mimeOfExt } from '../../files/doc-types.js';
import { joinInside } from '../../files/inside.js';
import { mkdirPrivate } from '../../files/private.js';
import type { Signer } from '../../pki/signer.js';
import { typeDetailOf } from '../../api/doc-types.js';
import type { DocMeta, Store } from '../../store/index.js';
import { documentIdOf } from '../edxml/envelope.js';
import { writePackage } from '../edxml/writer.js';

/** An organization as sender or recipient. */
export interface OrgRef {
  code: string;
  name: string;
}

/** What the clerk sends. */
export interface ComposeInput {
  server: string;
  from: OrgRef;
  to: OrgRef[];
  subject: string;
  number: string;
  notation: string;
  /** Type name, e.g. `Quyết định`, `Công văn`. */
  type: string;
  /** The signed main document first, then attachments. */
  files: string[];
  place?: string;
  signerPosition?: string;
  signerName?: string;
  batchId?: string | null;
  /**
   * The issue date (Decree 30 ngày ban hành), `YYYY-MM-DD`; default: today in Vietnam at
   * `date`. It is part of the DocumentId and so of the message id: a repeat of the same send
   * is recognized only with the same issue date.
   */
  issueDate?: string;
  /** When the send is composed (the outgoing register's time); default: now. */
  date?: Date;
  /** Decree 30 metadata: issue date, signer and position, urgency, secrecy, reply-by date. */
  meta?: DocMeta;
}

/** Result: the message id, and whether a new row was queued (false: already queued earlier). */
export interface Composed {
  messageId: string;
  queued: boolean;
  documentId: string;
}

/** MIME type from the file extension (edXML carries it in the manifest); one table with the receiving side. */
export function contentTypeOf(file: string): string {
  return mimeOfExt(file);
}

async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file)) h.update(c as Buffer);
  return h.digest('hex');
}

/** The idempotency key of a send (32 hex chars). */
export async function messageIdFor(fromCode: string, documentId: string, recipients: string[], files: string[]): Promise<string> {
  const h = createHash('sha256');
  h.update(JSON.stringify(['kyso-send-v1', fromCode, documentId, [...recipients].sort()]));
  for (const f of files) h.update(await fileSha256(f));
  return h.digest('hex').slice(0, 32);
}

/** The certificate holder's common name (edXML SignerInfo.FullName when none is given). */
export function commonName(certificate: Uint8Array): string {
  const subject = new X509Certificate(certificate).subject;
  return /^CN=(.+)$/m.exec(subject)?.[1]?.trim() ?? 'Kyso';
}

/** Builds the package into KYSO_HOME/outbox and queues it with its outgoing register row. */
export async function composeAndQueue(store: Store, home: string, signer: Signer, input: ComposeInput): Promise<Composed> {
  const date = input.date ?? new Date();
  const meta = input.meta ?? {};
  // The issue date the clerk gave (the letter's date), else today in Vietnam time.
  const issueDate = input.issueDate ?? meta.issueDate ?? vnDate(date);
  if (!isCalendarDate(issueDate)) throw new KysoError('exBadIssueDate', { date: issueDate });
  const promulgationDate = issueDate.replaceAll('-', '/');
  const documentId = documentIdOf({ from: { organId: input.from.code, organName: input.from.name }, code: { codeNumber: input.number, codeNotation: input.notation }, promulgationInfo: { place: '-', promulgationDate } });
  const recipients = input.to.map((t) => t.code);
  const messageId = await messageIdFor(input.from.code, documentId, recipients, input.files);
  if (store.outbox.get(messageId)) return { messageId, queued: false, documentId };
  const dir = path.join(home, 'outbox');
  mkdirPrivate(dir);
  const packagePath = joinInside(dir, `${messageId}.edxml`);
  // A package left by a run that crashed before queueing is rebuilt: it was never sent.
  await writePackage(
    {
      header: {
        from: { organId: input.from.code, organName: input.from.name },
        to: input.to.map((t) => ({ organId: t.code, organName: t.name })),
        code: { codeNumber: input.number, codeNotation: input.notation },
        promulgationInfo: { place: input.place ?? input.from.name, promulgationDate },
        documentType: { type: 1, typeDetail: typeDetailOf(input.type), typeName: input.type },
        subject: input.subject,
        signerInfo: { position: meta.signerPosition || input.signerPosition || 'Văn thư', fullName: meta.signerName || input.signerName || commonName(signer.certificate) },
        ...(meta.dueDate ? { dueDate: meta.dueDate.replaceAll('-', '/') } : {}),
        otherInfo: { priority: meta.priority ?? 0, appendixes: [] },
      },
      attachments: input.files.map((f, i) => ({
        meta: { contentId: `att${i + 1}`, attachmentName: path.basename(f), contentType: contentTypeOf(f), description: i === 0 ? 'main' : 'attachment' },
        path: f,
      })),
    },
    signer,
    packagePath,
  );
  if (!existsSync(packagePath)) throw new Error('package not written');
  const queued = store.transaction(() => {
    store.outgoing.add({ messageId, documentId, number: input.number, notation: input.notation, type: input.type, subject: input.subject,
      recipients, files: input.files.map((f) => path.basename(f)), server: input.server, createdAt: date, meta: { ...meta, issueDate } });
    return store.outbox.enqueue({ messageId, server: input.server, packagePath, recipients, batchId: input.batchId ?? null });
  });
  return { messageId, queued, documentId };
}
