/**
 * Inbox and status sync by cursor. Each new delivery is downloaded to disk, its package
 * parsed (XML-DSig verified by the codec), its files kept under KYSO_HOME/inbox/<id>/, the
 * arrival stored, and its PDFs validated. The cursor advances only after a whole page is
 * stored, and storing is idempotent by message id, so a crash or a server restart in the
 * middle re-fetches at most one page and loses nothing.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { withSyncLock } from './sync-lock.js';
import path from 'node:path';
import { isKysoError, KysoError } from '../../api/errors.js';
import { isoFromEdxmlDate, type ArrivalFailure, type DocMeta, type IncomingDoc, type Store } from '../../store/index.js';
import { readPackage } from '../edxml/index.js';
import type { InboxItem, StatusItem } from '../protocol.js';
import type { InboxApi } from './api.js';
import type { PdfValidator } from './validate.js';

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

/** A file name safe on every OS (attachment names come from another organization). */
function safeName(name: string, i: number): string {
  const base = path.basename(name).replace(/[\\/:*?"<>|\p{Cc}]/gu, '_').replace(/^\.+/, '_').slice(0, 180);
  return `${String(i + 1).padStart(2, '0')}-${base || 'file'}`;
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

/** True for errors that condemn the package itself (not our disk or the network). */
function isPackageFault(code: string): boolean {
  return code.startsWith('edxml') || code === 'exPackageDigestMismatch';
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
    const dir = path.join(this.home, 'inbox', item.messageId);
    const tmp = path.join(dir, 'tmp');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const packagePath = path.join(dir, 'package.edxml');
    await this.api.downloadPackage(item.messageId, packagePath);
    let pkg: Awaited<ReturnType<typeof readPackage>>;
    try {
      // The server named the package's digest: bytes altered on its disk or on the way are refused here.
      if ((await sha256File(packagePath)) !== item.packageSha256) throw new KysoError('exPackageDigestMismatch', { messageId: item.messageId });
      pkg = await readPackage(packagePath, { tmpDir: tmp });
    } catch (e) {
      // Our own trouble (disk full, no permission): stop here, keep the cursor, fetch it again next time.
      if (!isKysoError(e) || !isPackageFault(e.code)) {
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
      const dest = path.join(dir, safeName(a.attachmentName, i));
      renameSync(a.path, dest);
      return { name: names[i]!, contentType: a.contentType, path: dest, sha256: a.sha256 };
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
    for (const f of this.store.incoming.files(messageId)) {
      if (f.validationStatus !== null || !isPdf(f.name, f.contentType)) continue;
      const v = await this.validator(f.path);
      this.store.incoming.setValidation(messageId, f.name, v.status, v.report);
    }
  }

  /** Finishes validations a crash interrupted (arrival stored, verdict not yet). */
  private async revalidatePending(): Promise<void> {
    const rows = this.store.db
      .prepare(`SELECT DISTINCT f.message_id AS id FROM incoming_file f JOIN incoming i USING (message_id)
        WHERE f.validation_status IS NULL AND i.server = ? AND (f.content_type = 'application/pdf' OR lower(f.name) LIKE '%.pdf')`)
      .all(this.api.server) as Array<{ id: string }>;
    for (const r of rows) await this.validateFiles(r.id);
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

function isPdf(name: string, contentType: string): boolean {
  return contentType === 'application/pdf' || name.toLowerCase().endsWith('.pdf');
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file)) h.update(c as Buffer);
  return h.digest('hex');
}
