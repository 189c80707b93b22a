/**
 * The clerk's answers to an incoming document: register (03), reject with a reason (02),
 * handling statuses (04-06). The signed status message is accepted by the server first, then
 * the local register changes, so the local register never claims a status the sender lacks.
 */
import { KysoError } from '../../api/errors.js';
import type { Signer } from '../../pki/signer.js';
import type { IncomingDoc, Store } from '../../store/index.js';
import { buildStatus, documentIdDate, formatEdxmlTimestamp } from '../edxml/index.js';
import type { InboxApi } from './api.js';
import type { OrgRef } from './compose.js';

/** What answering needs: the store, the server API, the token key and our organization. */
export interface AnswerContext {
  store: Store;
  api: InboxApi;
  signer: Signer;
  org: OrgRef;
  staff?: string;
}

/** The document a status message is about, as edXML ResponseFor names it. */
interface DocRef {
  messageId: string;
  /** Organization that issued the document. */
  issuer: string;
  number: string;
  notation: string;
  documentId: string;
  /** yyyy/MM/dd; when unknown, taken from a structured DocumentId. */
  promulgationDate?: string | null;
}

const refOf = (d: IncomingDoc): DocRef => ({ messageId: d.messageId, issuer: d.fromCode, number: d.number, notation: d.notation, documentId: d.documentId, promulgationDate: d.promulgationDate });

async function postStatus(c: AnswerContext, doc: DocRef, statusCode: '02' | '03' | '04' | '05' | '06' | '13' | '15' | '16', description: string): Promise<void> {
  // A DocumentId from the axis may be an opaque UUID: the date then comes from the register.
  const promulgationDate = doc.promulgationDate ?? documentIdDate(doc.documentId) ?? '';
  const xml = await buildStatus(
    {
      responseFor: { organId: doc.issuer, code: `${doc.number}/${doc.notation}`, promulgationDate, documentId: doc.documentId },
      from: { organId: c.org.code, organName: c.org.name },
      statusCode,
      description,
      timestamp: formatEdxmlTimestamp(),
      staffInfo: c.staff ? { staff: c.staff } : undefined,
    },
    c.signer,
  );
  await c.api.postStatus(doc.messageId, xml);
}

/** Registers an incoming document: status 03 to the sender, then the next arrival number. */
export async function acceptIncoming(c: AnswerContext, messageId: string, at = new Date()): Promise<IncomingDoc> {
  const doc = c.store.incoming.require(messageId);
  if (doc.state === 'accepted') return doc;
  if (doc.state === 'rejected') throw new KysoError('inboxAlreadyRejected', { messageId });
  await postStatus(c, refOf(doc), '03', '');
  return c.store.incoming.accept(messageId, at);
}

/** Rejects an incoming document with the mandatory reason (status 02). */
export async function rejectIncoming(c: AnswerContext, messageId: string, reason: string): Promise<IncomingDoc> {
  if (!reason.trim()) throw new KysoError('inboxReasonRequired');
  const doc = c.store.incoming.require(messageId);
  if (doc.state === 'accepted') throw new KysoError('inboxAlreadyAccepted', { messageId });
  if (doc.state === 'rejected') return doc;
  await postStatus(c, refOf(doc), '02', reason.trim());
  return c.store.incoming.reject(messageId, reason.trim());
}

/** Reports handling progress (04 assigned, 05 in progress, 06 done) of a registered document. */
export async function reportHandling(c: AnswerContext, messageId: string, code: '04' | '05' | '06', description = ''): Promise<IncomingDoc> {
  const doc = c.store.incoming.require(messageId);
  if (doc.state !== 'accepted') throw new KysoError('inboxNotRegistered', { messageId });
  await postStatus(c, refOf(doc), code, description);
  return c.store.incoming.setHandlingStatus(messageId, code);
}

/** Recalls a document we sent (13, with a reason); the server relays it to every recipient. */
export async function recallOutgoing(c: AnswerContext, messageId: string, reason: string): Promise<void> {
  if (!reason.trim()) throw new KysoError('inboxReasonRequired');
  const doc = c.store.outgoing.get(messageId);
  if (!doc) throw new KysoError('inboxUnknownMessage', { messageId });
  await postStatus(c, { messageId, issuer: c.org.code, number: doc.number, notation: doc.notation, documentId: doc.documentId }, '13', reason.trim());
  c.store.outgoing.addStatus(messageId, { orgCode: c.org.code, statusCode: '13', description: reason.trim(), at: new Date().toISOString() });
}

/** Answers the sender's recall of an incoming document: 15 agree, 16 refuse. */
export async function answerRecall(c: AnswerContext, messageId: string, answer: '15' | '16', description = ''): Promise<IncomingDoc> {
  const doc = c.store.incoming.require(messageId);
  if (!doc.recallAt) throw new KysoError('inboxNoRecall', { messageId });
  await postStatus(c, refOf(doc), answer, description);
  return c.store.incoming.answerRecall(messageId, answer);
}
