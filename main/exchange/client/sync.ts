/**
 * Inbox and status sync by cursor. Each new delivery is downloaded to disk, its package
 * parsed (XML-DSig verified by the codec), its files kept under KYSO_HOME/inbox/<id>/, the
 * arrival stored, and its PDFs validated. The cursor advances only after a whole page is
 * stored, and storing is idempotent by message id, so a crash or a server restart in the
 * middle re-fetches at most one page and loses nothing.
 */
import { createHash } from 'node:crypto';
import { createReadStream, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { KysoError } from '../../api/errors.js';
import { isErrorOfKind } from '../../api/error-kinds.js';
import { readHead, storedExtension, storedFileName } from '../../files/doc-types.js';
import { joinInside } from '../../files/inside.js';
import { mkdirPrivate, restrictFile } from '../../files/private.js';
import { isoFromEdxmlDate, type ArrivalFailure, type DocMeta, type IncomingDoc, type Store } from '../../store/index.js';
import { readPackage } from '../edxml/index.js';
import type { InboxItem, StatusItem } from '../protocol.js';
import type { InboxApi } from './api.js';
import { withSyncLock } from './sync-lock.js';
import { ARRIVAL_SIGNATURE_POLICY, arrivalRecord, type PdfValidator } from './validate.js';

/** Callbacks for the UI: new arrivals and statuses on our sent documents. */
export interface SyncEvents {
  onArrival?(doc: IncomingDoc): void;
  /** A delivery was refused (corrupt package, bad signature): stored nowhere, recorded in failures. */
  onFailure?(failure: Omit<ArrivalFailure, 'at'>): void;
  onStatus?(messageId: string, ev: { orgCode: string; statusCode: string; description: string | null; at: string }): void;
}

/** Counts of one sync. */
export interface SyncResult {
  received: number;
  statuses: number;
}

/**
 * The name a received file is kept under (issue 15.2): attachment names come from another
 * organization, so the stored name is Kyso's own (`01-<stem>.<ext>`, no bidi or format
 * characters, no trailing dots or spaces) with an extension its bytes prove, from the
 * allow-list of document types, or `.bin`. The real name is kept in the register for display.
 */
function storedName(file: string, name: string, contentType: string, i: number): string {
  return storedFileName(i, name, storedExtension(readHead(file), name, contentType));
}

/**
 * Attachment names made unique within a package ("scan.pdf", "scan (2).pdf"): two scans
 * with the same file name are an ordinary send, and the register keys files by name.
 */
export function uniqueNames(names: string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    const dot = name.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    for (let n = 2; used.has(candidate); n++) candidate = `${stem} (${n})${ext}`;
    used.add(candidate);
    return candidate;
  });
}

/** Pulls inbox and statuses of one server into the store. */
export class InboxSync {
  private running: Promise<SyncResult> | null = null;
  private again = false;

  constructor(
    private readonly store: Store,
    private readonly home: string,
    private readonly api: InboxApi,
    private readonly validator: PdfValidator,
    private readonly events: SyncEvents = {},
  ) {}

  /** Runs a sync; concurrent calls share the running one and schedule one more pass after it. */
  sync(): Promise<SyncResult> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<SyncResult> => {
      const total: SyncResult = { received: 0, statuses: 0 };
      do {
        this.again = false;
        await this.revalidatePending();
        total.received += await this.syncInbox();
        total.statuses += await this.syncStatuses();
      } while (this.again);
      return total;
    };
    this.running = withSyncLock(this.home, this.api.server, run).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private key(kind: 'inbox' | 'status'): string {
    return `${this.api.server}#${kind}`;
  }

  private async syncInbox(): Promise<number> {
    let received = 0;
    let cursor = this.store.cursors.get(this.key('inbox'));
    for (;;) {
      const page = await this.api.inbox(cursor, 100);
      for (const item of page.items) if (await this.receive(item)) received++;
      if (!page.nextCursor || !page.items.length) break;
      cursor = page.nextCursor;
      this.store.cursors.set(this.key('inbox'), cursor);
    }
    return received;
  }

  /** Stores one delivery (no-op when already stored); true when it is new. */
  private async receive(item: InboxItem): Promise<boolean> {
    if (this.store.incoming.get(item.messageId)) return false;
    // The id was checked against the protocol's schema when the page was parsed; the folder is
    // still built only inside inbox/ (a folder outside would be removed just below).
    const dir = joinInside(this.home, 'inbox', item.messageId);
    const tmp = joinInside(dir, 'tmp');
    rmSync(dir, { recursive: true, force: true });
    mkdirPrivate(dir);
    mkdirPrivate(tmp);
    const packagePath = path.join(dir, 'package.edxml');
    let pkg: Awaited<ReturnType<typeof readPackage>>;
    try {
      await this.api.downloadPackage(item.messageId, packagePath, item.size);
      // The server named the package's digest: bytes altered on its disk or on the way are refused here.
      if ((await sha256File(packagePath)) !== item.packageSha256) throw new KysoError('exPackageDigestMismatch', { messageId: item.messageId });
      pkg = await readPackage(packagePath, { tmpDir: tmp, signature: ARRIVAL_SIGNATURE_POLICY });
    } catch (e) {
      // Our own trouble (disk full, no permission): stop here, keep the cursor, fetch it again next time.
      // Only errors that condemn the package itself (kind `package`) are recorded as refusals.
      if (!isErrorOfKind(e, 'package')) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
      // A package that cannot be trusted is kept nowhere; the sync goes on with the next one.
      rmSync(dir, { recursive: true, force: true });
      const failure = { server: this.api.server, messageId: item.messageId, sender: item.senderOrganId, errorCode: e.code, detail: JSON.stringify(e.params) };
      this.store.failures.record(failure);
      this.events.onFailure?.(failure);
      return false;
    }
    const names = uniqueNames(pkg.attachments.map((a) => a.attachmentName));
    const files = pkg.attachments.map((a, i) => {
      const dest = joinInside(dir, storedName(a.path, a.attachmentName, a.contentType, i));
      renameSync(a.path, dest);
      restrictFile(dest);
      return { name: names[i]!, contentType: a.contentType, path: dest, sha256: a.sha256, detectedType: a.detectedType ?? null };
    });
    rmSync(tmp, { recursive: true, force: true });
    const h = pkg.header;
    const added = this.store.incoming.add({
      messageId: item.messageId,
      server: this.api.server,
      fromCode: h.from.organId,
      fromName: h.from.organName,
      documentId: pkg.documentId,
      number: h.code.codeNumber,
      notation: h.code.codeNotation,
      type: h.documentType.typeName,
      subject: h.subject,
      receivedAt: item.deliveredAt,
      packagePath,
      files,
      ...arrivalRecord(pkg),
      meta: {
        issueDate: isoFromEdxmlDate(h.promulgationInfo.promulgationDate),
        signerName: h.signerInfo.fullName,
        signerPosition: h.signerInfo.position,
        priority: h.otherInfo.priority as DocMeta['priority'],
        dueDate: isoFromEdxmlDate(h.dueDate),
      },
    });
    if (!added) return false;
    this.store.failures.clear(this.api.server, item.messageId);
    await this.validateFiles(item.messageId);
    const doc = this.store.incoming.require(item.messageId);
    this.events.onArrival?.(doc);
    return true;
  }

  private async validateFiles(messageId: string): Promise<void> {
    for (const f of this.store.incoming.unvalidatedPdfs(messageId)) {
      const v = await this.validator(f.path);
      this.store.incoming.setValidation(messageId, f.name, v.status, v.report);
    }
  }

  /** Finishes validations a crash interrupted (arrival stored, verdict not yet). */
  private async revalidatePending(): Promise<void> {
    for (const id of this.store.incoming.pendingValidation(this.api.server)) await this.validateFiles(id);
  }

  private async syncStatuses(): Promise<number> {
    let count = 0;
    let cursor = this.store.cursors.get(this.key('status'));
    for (;;) {
      const page = await this.api.statuses(cursor, 100);
      for (const s of page.items) if (this.applyStatus(s)) count++;
      if (!page.nextCursor || !page.items.length) break;
      cursor = page.nextCursor;
      this.store.cursors.set(this.key('status'), cursor);
    }
    return count;
  }

  private applyStatus(s: StatusItem): boolean {
    const ev = { orgCode: s.fromOrganId, statusCode: s.statusCode, description: s.description || null, at: s.receivedAt };
    // 13 comes to recipients: the sender recalls a document we received.
    const applied = s.statusCode === '13' ? this.store.incoming.markRecall(s.messageId, s.description, s.receivedAt) : this.store.outgoing.addStatus(s.messageId, ev);
    if (!applied) return false;
    this.events.onStatus?.(s.messageId, ev);
    return true;
  }
}

/** Validated: what is stored as a PDF, and what claims to be one (a fake PDF then shows as unreadable). */
async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file)) h.update(c as Buffer);
  return h.digest('hex');
}
