/**
 * The inbox server's use cases: accept a package (verify everything, then commit blob and
 * rows atomically; a rejected package is stored nowhere), relay statuses by the rules of
 * edXML status codes, list by cursor, serve packages only to their sender and recipients.
 */
import { createHash } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { KysoError, isKysoError } from '../main/api/errors.js';
import { readPackage } from '../main/exchange/edxml/reader.js';
import { parseStatus } from '../main/exchange/edxml/status.js';
import type { InboxItem, SendResponse, StatusItem } from '../main/exchange/protocol.js';
import type { Session } from './auth.js';
import { sha256hex } from './auth.js';
import type { BlobStore } from './blobs/store.js';
import type { CertChecker } from './certs.js';
import type { DeliveryRow, MessageRow, Repo, StatusRow } from './db/repo.js';
import { signerCheckedFirst } from './envelope-signer.js';
import type { Bus } from './bus.js';
import { isClientAbort } from './http.js';
import type { OutsideRelay } from './axis/relay.js';

/** Server limits. */
export interface Limits {
  maxPackageBytes: number;
  maxEnvelopeBytes: number;
  maxStatusBytes: number;
  maxRecipients: number;
}

/** Maps a delivery row to the wire item. */
export function inboxItem(d: DeliveryRow): InboxItem {
  const m = d.message.meta;
  return {
    seq: d.seq, messageId: d.message.messageId, senderOrganId: d.message.senderOrg, senderName: m.senderName, documentId: d.message.documentId,
    codeNumber: m.codeNumber, codeNotation: m.codeNotation, subject: m.subject, promulgationDate: m.promulgationDate, priority: m.priority,
    packageSha256: d.message.packageSha256, size: d.message.size, deliveredAt: d.deliveredAt, status: d.status,
  };
}

/** Maps a status row to the wire item. */
export function statusItem(s: StatusRow): StatusItem {
  return {
    seq: s.seq, messageId: s.messageId, documentId: s.documentId, fromOrganId: s.fromOrg, toOrganId: s.toOrg, statusCode: s.code,
    description: s.description, timestamp: s.timestamp, receivedAt: s.receivedAt, staff: s.staff,
  };
}

async function drainHash(body: AsyncIterable<Buffer | Uint8Array | string>, max: number): Promise<string> {
  const h = createHash('sha256');
  let n = 0;
  for await (const c of body) {
    n += c.length;
    if (n > max) throw new KysoError('exTooLarge', { limit: max });
    h.update(c);
  }
  return h.digest('hex');
}

const isUniqueViolation = (e: unknown) => /UNIQUE|unique|duplicate key/.test(e instanceof Error ? e.message : String(e));

/** Package and status handling over the repository, blob store and the notice bus. */
export class Inbox {
  constructor(
    private readonly repo: Repo,
    private readonly blobs: BlobStore,
    private readonly certs: CertChecker,
    private readonly bus: Bus,
    private readonly limits: Limits,
    /** The gateway to the national axis, when links are configured (recipients outside this server). */
    private readonly relay?: OutsideRelay,
  ) {}

  /** Splits recipients into bodies hosted here and outside bodies the axis reaches; neither is an error. */
  private async route(recipients: string[]): Promise<{ local: string[]; outside: string[] }> {
    const local: string[] = [];
    const outside: string[] = [];
    for (const r of recipients) {
      if (await this.repo.org(r)) local.push(r);
      else if (this.relay && (await this.relay.routeOf(r))) outside.push(r);
      else throw new KysoError('exUnknownRecipient', { organId: r });
    }
    return { local, outside };
  }

  private async requireSignerOf(org: string, cert: Uint8Array, chain: Uint8Array[]): Promise<void> {
    const user = await this.repo.userByCert(sha256hex(cert));
    if (!user || user.disabled || user.orgCode !== org) throw new KysoError('edxmlSignatureInvalid', { reason: 'signer certificate is not registered for the sending organization' });
    await this.certs.check(cert, chain);
  }

  private async duplicateOf(existing: MessageRow, sha: string): Promise<SendResponse> {
    if (existing.packageSha256 !== sha) throw new KysoError('exMessageIdConflict', { messageId: existing.messageId });
    const ds = await this.repo.deliveriesOf(existing.id);
    const relayed = existing.meta.recipients.filter((r) => !ds.some((d) => d.recipientOrg === r));
    return {
      messageId: existing.messageId, packageSha256: existing.packageSha256, size: existing.size, duplicate: true, recipients: ds.map((d) => ({ organId: d.recipientOrg, status: d.status })),
      ...(relayed.length ? { relayed: relayed.map((organId) => ({ organId })) } : {}),
    };
  }

  /**
   * Accepts one package upload (idempotent by the sender's message id). `clientGone` tells a
   * failure caused by the client leaving mid-upload from a bad package, for the audit trail.
   */
  async acceptPackage(s: Session, messageId: string, body: AsyncIterable<Buffer | Uint8Array | string>, clientGone: () => boolean = () => false): Promise<SendResponse> {
    const existing = await this.repo.messageBySender(s.orgCode, messageId);
    if (existing) return this.duplicateOf(existing, await drainHash(body, this.limits.maxPackageBytes));
    // Recipients know a document by its message id alone: an id another body used is refused
    // (clients use UUIDs; a repeat is a client bug or a replay under another name).
    if (await this.repo.messageIdTakenByOther(messageId, s.orgCode)) throw new KysoError('exMessageIdConflict', { messageId });
    const tmp = this.blobs.scratchPath();
    try {
      // The signer is checked as soon as its certificate has streamed in, before the envelope
      // is parsed: a package signed by anyone but a user of the sending body costs no parse.
      const signerFirst = signerCheckedFirst(body, this.limits.maxEnvelopeBytes, (signer) => this.requireSignerOf(s.orgCode, signer.certificate, signer.chain));
      const p = await readPackage(signerFirst, {
        tmpDir: this.blobs.scratchDir, copyTo: tmp, discardAttachments: true,
        maxPackageBytes: this.limits.maxPackageBytes, maxEnvelopeBytes: this.limits.maxEnvelopeBytes,
      });
      if (p.header.from.organId !== s.orgCode) throw new KysoError('exSenderMismatch', { organId: p.header.from.organId });
      const recipients = [...new Set(p.header.to.map((t) => t.organId))];
      if (recipients.length > this.limits.maxRecipients) throw new KysoError('exBadRequest', { reason: `more than ${this.limits.maxRecipients} recipients` });
      const { local, outside } = await this.route(recipients);
      // The certificate the verifier used (the same one, unless the scan and the parser disagree: then this decides).
      await this.requireSignerOf(s.orgCode, p.signerCertificate, p.signerChain);
      // A blob that is new here is ours to remove if the registration below does not happen.
      const { created: blobIsNew } = await this.blobs.putFile(tmp, p.packageSha256);
      const at = new Date().toISOString();
      const h = p.header;
      let rows;
      try {
        rows = await this.repo.db.tx(async (db) => {
          // Per-organization write order, and the live notice to every instance once committed.
          await this.bus.claim(db, { inbox: local, status: [s.orgCode] });
          const r = await this.repo.insertMessage(db, {
            messageId, senderOrg: s.orgCode, senderUser: s.userId, packageSha256: p.packageSha256, size: p.bytes, documentId: p.documentId,
            meta: { senderName: h.from.organName, codeNumber: h.code.codeNumber, codeNotation: h.code.codeNotation, subject: h.subject, promulgationDate: h.promulgationInfo.promulgationDate, priority: h.otherInfo.priority, recipients },
          }, at, local);
          if (outside.length) await this.relay!.queueDocument(db, { messageRef: r.message.id, messageId, packageSha256: p.packageSha256, from: s.orgCode, to: outside });
          await this.repo.audit({ actorOrg: s.orgCode, actorUser: s.userId, action: 'package.accept', target: messageId, detail: { sha256: p.packageSha256, size: p.bytes, documentId: p.documentId, recipients, ...(outside.length ? { outside } : {}) } }, db);
          return r;
        });
      } catch (e) {
        // A concurrent upload with the same id won the race (the id is unique server-wide):
        // ours answers like a retry, another body's is a conflict.
        if (!isUniqueViolation(e)) throw e;
        const again = await this.repo.messageBySender(s.orgCode, messageId);
        if (blobIsNew && again?.packageSha256 !== p.packageSha256) await this.blobs.delete(p.packageSha256);
        if (again) return await this.duplicateOf(again, p.packageSha256); // awaited: the finally below must not leave it unhandled
        throw new KysoError('exMessageIdConflict', { messageId });
      }
      // The orphan sweeper may have taken an old unreferenced copy of these bytes between our
      // put and our commit (server/blobs/sweeper.ts): the row now references it, store it again.
      if (!(await this.blobs.exists(p.packageSha256))) await this.blobs.putFile(tmp, p.packageSha256);
      if (outside.length) this.relay!.wake();
      return {
        messageId, packageSha256: p.packageSha256, size: p.bytes, duplicate: false, recipients: rows.deliveries.map((d) => ({ organId: d.recipientOrg, status: d.status })),
        ...(outside.length ? { relayed: outside.map((organId) => ({ organId })) } : {}),
      };
    } catch (e) {
      const code = isClientAbort(e) || clientGone() ? 'clientAborted' : isKysoError(e) ? e.code : 'internal';
      await this.repo.audit({ actorOrg: s.orgCode, actorUser: s.userId, action: 'package.reject', target: messageId, detail: { code, ...(isKysoError(e) && code === e.code ? e.params : {}) } }).catch(() => undefined);
      throw e;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  /**
   * Relays a signed status message about `messageId`. The same message posted again (a client
   * retrying after a timeout) is a duplicate, also while the first post is still being relayed.
   */
  async acceptStatus(s: Session, messageId: string, xml: Buffer): Promise<{ seq: number; duplicate: boolean }> {
    const xmlSha = createHash('sha256').update(xml).digest('hex');
    const key = `${s.orgCode}:${xmlSha}`;
    const running = this.statusesInFlight.get(key);
    if (running) {
      const first = await running.catch(() => undefined);
      if (first) return { seq: first.seq, duplicate: true };
    }
    const relay = this.relayStatus(s, messageId, xml, xmlSha);
    this.statusesInFlight.set(key, relay);
    try {
      return await relay;
    } finally {
      if (this.statusesInFlight.get(key) === relay) this.statusesInFlight.delete(key);
    }
  }

  private readonly statusesInFlight = new Map<string, Promise<{ seq: number; duplicate: boolean }>>();

  private async relayStatus(s: Session, messageId: string, xml: Buffer, xmlSha: string): Promise<{ seq: number; duplicate: boolean }> {
    const prior = await this.repo.statusByXml(xmlSha, s.orgCode);
    if (prior) return { seq: prior.seq, duplicate: true };
    try {
      const st = await parseStatus(xml, { maxStatusBytes: this.limits.maxStatusBytes });
      if (st.from.organId !== s.orgCode) throw new KysoError('exSenderMismatch', { organId: st.from.organId });
      await this.requireSignerOf(s.orgCode, st.signerCertificate, st.signerChain);
      const seen = await this.repo.messageVisibleTo(messageId, s.orgCode);
      if (!seen) throw new KysoError('exNotFound', { what: `message ${messageId}` });
      const { message: m, role } = seen;
      if (st.responseFor.documentId !== m.documentId) throw new KysoError('exBadRequest', { reason: 'ResponseFor.DocumentId does not match the message' });
      const code = st.statusCode;
      const history = await this.repo.statusCodes(m.id);
      const recalled = history.some((h) => h.code === '13');
      const allowed = code === '13' ? role === 'sender' : code === '15' || code === '16' ? role === 'recipient' && recalled : code !== '01' && role === 'recipient';
      if (!allowed) throw new KysoError('exStatusNotAllowed', { code });
      // A recall goes to every recipient, outside bodies included (they may not have answered yet).
      const targets = code === '13' ? [...new Set([...(await this.repo.deliveriesOf(m.id)).map((d) => d.recipientOrg), ...m.meta.recipients])] : [m.senderOrg];
      const outside: string[] = [];
      for (const t of targets) if (!(await this.repo.org(t))) outside.push(t);
      await this.blobs.put(xml, xmlSha);
      const at = new Date().toISOString();
      const rows = await this.repo.db.tx(async (db) => {
        await this.bus.claim(db, { status: targets });
        // The same status posted at once to another instance: whichever got the locks first relayed it.
        // Read on this transaction's connection: a second one from the pool, asked for while holding
        // the locks, may never come (every other connection waiting for these locks).
        const first = await this.repo.statusByXml(xmlSha, s.orgCode, db);
        if (first) return first;
        const out: StatusRow[] = [];
        for (const to of targets) {
          out.push(await this.repo.insertStatus(db, { messageRef: m.id, fromOrg: s.orgCode, toOrg: to, code, description: st.description, timestamp: st.timestamp, staff: st.staffInfo?.staff ?? null, xmlSha256: xmlSha }, at, m));
        }
        if (outside.length && this.relay) await this.relay.queueStatus(db, { messageRef: m.id, messageId, xmlSha256: xmlSha, from: s.orgCode, to: outside });
        await this.repo.audit({ actorOrg: s.orgCode, actorUser: s.userId, action: 'status.relay', target: messageId, detail: { code, to: targets, sha256: xmlSha } }, db);
        return out;
      });
      if (!Array.isArray(rows)) return { seq: rows.seq, duplicate: true };
      if (!(await this.blobs.exists(xmlSha))) await this.blobs.put(xml, xmlSha); // as for packages: a sweep raced us
      if (outside.length) this.relay?.wake();
      return { seq: rows[0]?.seq ?? 0, duplicate: false };
    } catch (e) {
      await this.repo.audit({ actorOrg: s.orgCode, actorUser: s.userId, action: 'status.reject', target: messageId, detail: { code: isKysoError(e) ? e.code : 'internal' } }).catch(() => undefined);
      throw e;
    }
  }

  /** Per-recipient timeline of a message, for its sender only. */
  async sentMessage(s: Session, messageId: string) {
    const m = await this.repo.messageBySender(s.orgCode, messageId);
    if (!m) throw new KysoError('exNotFound', { what: `message ${messageId}` });
    const [ds, history] = [await this.repo.deliveriesOf(m.id), await this.repo.statusesOf(m.id)];
    return {
      messageId, documentId: m.documentId,
      recipients: ds.map((d) => ({ organId: d.recipientOrg, status: d.status, history: history.filter((h) => h.fromOrg === d.recipientOrg).map(statusItem) })),
    };
  }

  /** The blob id of a package the caller may read (sender or recipient), audited. */
  async packageFor(s: Session, messageId: string): Promise<MessageRow> {
    const seen = await this.repo.messageVisibleTo(messageId, s.orgCode);
    if (!seen) {
      await this.repo.audit({ actorOrg: s.orgCode, actorUser: s.userId, action: 'package.denied', target: messageId, detail: {} });
      throw new KysoError('exNotFound', { what: `message ${messageId}` });
    }
    await this.repo.audit({ actorOrg: s.orgCode, actorUser: s.userId, action: 'package.download', target: messageId, detail: { role: seen.role } });
    return seen.message;
  }
}
