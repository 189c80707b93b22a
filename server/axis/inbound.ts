/**
 * What the axis brings in: each listed document or status is downloaded, read with the
 * `allow-unsigned` policy (the axis carries unsigned and RSA-SHA1 packages: they are
 * delivered and shown as such, an invalid signature is refused), checked (a body we host
 * never arrives from outside; some recipient must be hosted here; a status must be about a
 * document we know), then delivered in one transaction with its edXML identity, so the axis
 * offering it again, under the same or a new id, delivers it once. The axis is told `done`
 * after the commit (`fail` for a refusal); a lost acknowledgement is sent again when the
 * entry is listed again. Refused bytes are kept as a blob with the reason (nothing lost).
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { KysoError, isKysoError } from '../../main/api/errors.js';
import { errorKind } from '../../main/api/error-kinds.js';
import { buildStatus, formatEdxmlTimestamp, readEdxml } from '../../main/exchange/edxml/index.js';
import type { BlobStore } from '../blobs/store.js';
import type { Db } from '../db/sql.js';
import type { Repo, StatusRow } from '../db/repo.js';
import type { Bus } from '../bus.js';
import type { Limits } from '../inbox.js';
import { drop, scratch, sha256File, storeBytes, storeFile } from './blob-io.js';
import type { AxisRepo, InboundRow } from './repo.js';
import type { AxisClient, AxisLink, AxisListed } from './types.js';

/** Retry policy of inbound entries. */
export interface InboundPolicy {
  backoff(attempts: number): number;
  /** Attempts before a network failure is given up. */
  maxNetworkAttempts: number;
  /** Attempts before an answer the gateway cannot use (bad JSON, bad HMAC, FAIL) is given up. */
  maxAnswerAttempts: number;
  /** Documents downloaded and delivered at once. */
  concurrency: number;
  /** How long one attempt at an entry holds it (past the link's call timeout). */
  leaseMs(link: AxisLink): number;
}

/** What the inbound side needs from the server and the gateway. */
export interface InboundContext {
  repo: Repo;
  axis: AxisRepo;
  blobs: BlobStore;
  /** Per-organization write order and the live notices to every instance. */
  bus: Bus;
  limits: Limits;
  policy: InboundPolicy;
  /** Queues a status (bytes already stored) back to the axis on the link it came from. */
  queueOn(db: Db, link: string, s: { messageRef: number; messageId: string; xmlSha256: string; from: string; to: string[] }): Promise<void>;
  wake(): void;
  audit(action: string, target: string | null, detail: Record<string, unknown>): Promise<void>;
}

type Outcome = { state: 'delivered' | 'duplicate'; messageId: string };

/** A client message id for what the axis delivered: derived from its edXML identity (same identity, same id). */
export function axisMessageId(key: string): string {
  return `ax-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

const ANSWER_ERRORS = new Set(['axisBadAnswer', 'axisBadSignature', 'axisRefused']);
const REFUSALS = new Set(['axisTooLarge', 'axisNoLocalRecipient', 'axisSpoofedSender', 'axisUnknownDocument', 'exStatusNotAllowed', 'exSenderMismatch']);

/** How an inbound failure is handled: retried (network, our disk), retried a few times (a bad answer), or refused now. */
function classify(e: unknown): 'network' | 'answer' | 'refuse' | 'local' {
  if (!isKysoError(e)) return 'local';
  if (errorKind(e.code) === 'network') return 'network';
  if (ANSWER_ERRORS.has(e.code)) return 'answer';
  if (REFUSALS.has(e.code) || errorKind(e.code) === 'package') return 'refuse';
  return 'local';
}

/** Parameters of an error fit for the audit (short strings and numbers only). */
function auditParams(e: unknown): Record<string, unknown> {
  if (!isKysoError(e)) return { code: 'internal', detail: e instanceof Error ? e.message.slice(0, 200) : String(e).slice(0, 200) };
  const out: Record<string, unknown> = { code: e.code };
  for (const [k, v] of Object.entries(e.params)) out[k] = typeof v === 'string' ? v.slice(0, 200) : v;
  return out;
}

/** Inbound delivery from one link. */
export class Inbound {
  constructor(private readonly c: InboundContext) {}

  /**
   * Handles every entry the axis lists as waiting (documents first, then statuses, each in
   * the axis's order). A status that must wait for a retry holds back the later statuses of
   * the same sender, so 03 never overtakes a 01 that failed to download.
   */
  async poll(link: AxisLink, client: AxisClient): Promise<number> {
    let n = 0;
    // Documents are independent of each other: a few at a time.
    const docs = await client.received('edoc');
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(this.c.policy.concurrency, docs.length) }, async () => {
      while (next < docs.length) if ((await this.handle(link, client, 'edoc', docs[next++]!)) === 'delivered') n++;
    }));
    const held = new Set<string>();
    for (const item of await client.received('status')) {
      const sender = item.from ?? '*';
      if (held.has(sender) || held.has('*')) continue;
      const r = await this.handle(link, client, 'status', item);
      if (r === 'waiting') held.add(sender);
      if (r === 'delivered') n++;
    }
    return n;
  }

  /** One listed entry. */
  private async handle(link: AxisLink, client: AxisClient, kind: 'edoc' | 'status', item: AxisListed): Promise<'delivered' | 'done' | 'waiting'> {
    const now = Date.now();
    const known = await this.c.axis.inbound(link.name, item.docId);
    if (known && known.state !== 'pending') {
      // Handled before; the acknowledgement was lost (crash, axis failure): send it again.
      await this.ack(link, client, item.docId, known.state === 'refused' ? 'fail' : 'done');
      return 'done';
    }
    if (known && known.nextAt > now) return 'waiting';
    // Another instance's gateway polls the same axis account: whichever takes the entry handles
    // it; the other leaves it (a status holding back its sender's later ones, as while it waits).
    if (!(await this.c.axis.claimInbound(link.name, item.docId, kind, known ? known.nextAt : null, now + this.c.policy.leaseMs(link)))) return 'waiting';
    const tmp = scratch(this.c.blobs);
    try {
      await client.download(item.docId, kind, tmp);
      const r = kind === 'edoc' ? await this.document(link, item, tmp) : await this.status(link, item, tmp);
      await this.ack(link, client, item.docId, 'done');
      return r.state === 'delivered' ? 'delivered' : 'done';
    } catch (e) {
      return (await this.failed(link, client, kind, item, known, tmp, e)) ? 'done' : 'waiting';
    } finally {
      await drop(tmp);
    }
  }

  /** Records a failure: refused for good (true), or to be retried (false). */
  private async failed(link: AxisLink, client: AxisClient, kind: 'edoc' | 'status', item: AxisListed, known: InboundRow | undefined, tmp: string, e: unknown): Promise<boolean> {
    const attempts = (known?.attempts ?? 0) + 1;
    const how = classify(e);
    const detail = auditParams(e);
    const code = String(detail.code);
    if (how === 'answer') await this.c.audit('axis.badAnswer', item.docId, { link: link.name, kind, attempt: attempts, ...detail });
    const max = how === 'answer' ? this.c.policy.maxAnswerAttempts : this.c.policy.maxNetworkAttempts;
    if (how === 'refuse' || attempts >= max) {
      // Keep what we received, under its hash, with the reason: an admin can look at it later.
      let blob: string | null = null;
      if (existsSync(tmp) && statSync(tmp).size > 0) {
        blob = await sha256File(tmp);
        await storeFile(this.c.blobs, tmp, blob);
      }
      await this.c.axis.saveInbound({ link: link.name, axisDocId: item.docId, kind, state: 'refused', attempts, nextAt: 0, lastError: code, blobSha256: blob, messageId: null });
      await this.c.audit('axis.inbound.refuse', item.docId, { link: link.name, kind, attempts, ...(blob ? { blob } : {}), ...(item.from ? { listedFrom: item.from } : {}), ...detail });
      await this.ack(link, client, item.docId, 'fail');
      return true;
    }
    await this.c.axis.saveInbound({ link: link.name, axisDocId: item.docId, kind, state: 'pending', attempts, nextAt: Date.now() + this.c.policy.backoff(attempts), lastError: code, blobSha256: null, messageId: null });
    return false;
  }

  private async ack(link: AxisLink, client: AxisClient, docId: string, outcome: 'done' | 'fail'): Promise<void> {
    try {
      await client.ack(docId, outcome);
    } catch (e) {
      // Not fatal: the entry stays listed and is acknowledged again on the next poll.
      await this.c.axis.linkError(link.name, `updateStatus: ${String(auditParams(e).code)}`);
    }
  }

  private async document(link: AxisLink, item: AxisListed, file: string): Promise<Outcome> {
    const { repo, axis, blobs } = this.c;
    const p = await readEdxml(file, {
      tmpDir: blobs.scratchDir, discardAttachments: true, signature: 'allow-unsigned',
      maxEnvelopeBytes: this.c.limits.maxEnvelopeBytes, maxPackageBytes: link.config.maxPackageBytes,
    });
    if (p.kind !== 'package') throw new KysoError('edxmlInvalid', { field: 'MessageHeader', reason: 'is a status message listed as a document' });
    const h = p.header;
    const from = h.from.organId;
    if (await repo.org(from)) throw new KysoError('axisSpoofedSender', { organId: from });
    const to = [...new Set(h.to.map((t) => t.organId))];
    const local: { code: string; name: string }[] = [];
    for (const t of to) {
      const o = await repo.org(t);
      if (o) local.push(o);
    }
    if (!local.length) throw new KysoError('axisNoLocalRecipient', { to: to.join(', ').slice(0, 200) });
    const type = p.bussiness.bussinessDocType;
    // The identity of a document on the axis: its sender, DocumentId and (for updates) its bytes.
    const key = ['doc', from, p.documentId, type, type === 0 ? '' : p.packageSha256, local.map((o) => o.code).sort().join(',')].join('|');
    const messageId = axisMessageId(key);
    if (await axis.wasDelivered(key)) return this.duplicate(link, item, 'edoc', messageId);
    await storeFile(blobs, file, p.packageSha256);
    const code = `${h.code.codeNumber}/${h.code.codeNotation}`;
    const arrived: { org: string; sha: string }[] = [];
    for (const o of local) {
      const xml = Buffer.from(await buildStatus({
        responseFor: { organId: from, code, promulgationDate: h.promulgationInfo.promulgationDate, documentId: p.documentId },
        from: { organId: o.code, organName: o.name }, statusCode: '01', description: '', timestamp: formatEdxmlTimestamp(),
      }, null));
      const sha = createHash('sha256').update(xml).digest('hex');
      await storeBytes(blobs, xml, sha);
      arrived.push({ org: o.code, sha });
    }
    const at = new Date().toISOString();
    const rows = await repo.db.tx(async (db) => {
      // Per-organization write order, and the live notice once committed (the 01s go to the outside sender).
      await this.c.bus.claim(db, { inbox: local.map((o) => o.code), status: [from] });
      if (!(await axis.markDelivered(db, key, link.name, item.docId))) return null;
      const r = await repo.insertMessage(db, {
        messageId, senderOrg: from, senderUser: 0, packageSha256: p.packageSha256, size: p.bytes, documentId: p.documentId,
        meta: { senderName: h.from.organName, codeNumber: h.code.codeNumber, codeNotation: h.code.codeNotation, subject: h.subject, promulgationDate: h.promulgationInfo.promulgationDate, priority: h.otherInfo.priority, recipients: to },
      }, at, local.map((o) => o.code));
      for (const a of arrived) await this.c.queueOn(db, link.name, { messageRef: r.message.id, messageId, xmlSha256: a.sha, from: a.org, to: [from] });
      await axis.saveInbound({ link: link.name, axisDocId: item.docId, kind: 'edoc', state: 'delivered', nextAt: 0, lastError: null, blobSha256: p.packageSha256, messageId }, db);
      await repo.audit({ actorOrg: null, actorUser: null, action: 'axis.inbound.deliver', target: messageId, detail: { link: link.name, axisDocId: item.docId, from, to: local.map((o) => o.code), documentId: p.documentId, sha256: p.packageSha256, signature: p.signature.state } }, db);
      return r;
    });
    if (!rows) return this.duplicate(link, item, 'edoc', messageId);
    this.c.wake();
    return { state: 'delivered', messageId };
  }

  private async status(link: AxisLink, item: AxisListed, file: string): Promise<Outcome> {
    const { repo, axis, blobs } = this.c;
    const st = await readEdxml(file, { tmpDir: blobs.scratchDir, discardAttachments: true, signature: 'allow-unsigned', maxPackageBytes: this.c.limits.maxStatusBytes });
    if (st.kind !== 'status') throw new KysoError('edxmlInvalid', { field: 'MessageHeader.StatusCode', reason: 'is missing (a document listed as a status)' });
    const from = st.from.organId;
    if (await repo.org(from)) throw new KysoError('axisSpoofedSender', { organId: from });
    const documentId = st.responseFor.documentId;
    const code = st.statusCode;
    // A recall (13) is about a document the outside body sent us; any other code about one we sent it.
    const sender = code === '13' ? from : st.responseFor.organId;
    const messageId = (code === '13' || (await repo.org(sender))) ? await axis.messageIdByDocument(sender, documentId) : undefined;
    const m = messageId ? await repo.messageBySender(sender, messageId) : undefined;
    if (!m) throw new KysoError('axisUnknownDocument', { documentId: documentId.slice(0, 200) });
    let targets: string[];
    if (code === '13') targets = (await repo.deliveriesOf(m.id)).map((d) => d.recipientOrg);
    else {
      if (!m.meta.recipients.includes(from)) throw new KysoError('exStatusNotAllowed', { code });
      if ((code === '15' || code === '16') && !(await repo.statusCodes(m.id)).some((s) => s.code === '13')) throw new KysoError('exStatusNotAllowed', { code });
      targets = [m.senderOrg];
    }
    const key = ['st', from, documentId, code, st.timestamp].join('|');
    if (await axis.wasDelivered(key)) return this.duplicate(link, item, 'status', m.messageId);
    await storeFile(blobs, file, st.packageSha256);
    const at = new Date().toISOString();
    const rows = await repo.db.tx(async (db) => {
      await this.c.bus.claim(db, { status: targets, ...(code !== '13' ? { inbox: [from] } : {}) });
      if (!(await axis.markDelivered(db, key, link.name, item.docId))) return null;
      if (code !== '13') await axis.ensureDelivery(db, m.id, from, at);
      const out: StatusRow[] = [];
      for (const t of targets) {
        out.push(await repo.insertStatus(db, { messageRef: m.id, fromOrg: from, toOrg: t, code, description: st.description, timestamp: st.timestamp, staff: st.staffInfo?.staff ?? null, xmlSha256: st.packageSha256 }, at, m));
      }
      await axis.saveInbound({ link: link.name, axisDocId: item.docId, kind: 'status', state: 'delivered', nextAt: 0, lastError: null, blobSha256: st.packageSha256, messageId: m.messageId }, db);
      await repo.audit({ actorOrg: null, actorUser: null, action: 'axis.inbound.status', target: m.messageId, detail: { link: link.name, axisDocId: item.docId, from, code, to: targets, sha256: st.packageSha256, signature: st.signature.state } }, db);
      return out;
    });
    if (!rows) return this.duplicate(link, item, 'status', m.messageId);
    return { state: 'delivered', messageId: m.messageId };
  }

  private async duplicate(link: AxisLink, item: AxisListed, kind: 'edoc' | 'status', messageId: string): Promise<Outcome> {
    await this.c.axis.saveInbound({ link: link.name, axisDocId: item.docId, kind, state: 'duplicate', nextAt: 0, lastError: null, blobSha256: null, messageId });
    await this.c.audit('axis.inbound.duplicate', messageId, { link: link.name, axisDocId: item.docId, kind });
    return { state: 'duplicate', messageId };
  }
}
