/**
 * Field packages delivered into a Kyso home through the real inbox sync (main/exchange/client
 * sync.ts: download, digest check, codec, register, PDF validation). Only the transport is a
 * stand-in: the Kyso inbox server requires a valid signature, so an unsigned package from the
 * national axis can reach an inbox only through the gateway (issue 12, later); this serves the
 * files the way the server's inbox API would. Also used by the e2e spec of the Inbox screen.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, statSync } from 'node:fs';
import type { InboxApi } from '../../../main/exchange/client/api.js';
import { InboxSync } from '../../../main/exchange/client/sync.js';
import type { PdfValidator } from '../../../main/exchange/client/validate.js';
import type { InboxItem } from '../../../main/exchange/protocol.js';
import type { Store } from '../../../main/store/index.js';

/** A stand-in for the PDF validator: the fixtures' attachments are not signed PDFs. */
export const noPdfSignatures: PdfValidator = async () => ({ status: 'NO_SIGNATURE', report: { signatures: [] } });

/** The inbox API of one server serving `files` as deliveries (message ids `field-1`...), and capturing posted statuses. */
export function fieldInboxApi(server: string, files: string[], posted: Array<{ messageId: string; xml: string }> = []): InboxApi {
  const items: InboxItem[] = files.map((f, i) => ({
    seq: i + 1, messageId: `field-${i + 1}`, senderOrganId: 'vxp.saas.03', senderName: 'Trục liên thông', documentId: '', codeNumber: '', codeNotation: '',
    subject: '', promulgationDate: '', priority: 0, packageSha256: createHash('sha256').update(readFileSync(f)).digest('hex'), size: statSync(f).size,
    deliveredAt: new Date(Date.UTC(2026, 2, 5, 1, 40 + i)).toISOString(), status: '01',
  }));
  const api = {
    server,
    inbox: async (cursor: string | null) => {
      const from = cursor ? Number(cursor) : 0;
      const page = items.filter((x) => x.seq > from);
      return { items: page, nextCursor: page.length ? String(page[page.length - 1]!.seq) : null };
    },
    statuses: async () => ({ items: [], nextCursor: null }),
    downloadPackage: async (messageId: string, dest: string) => {
      copyFileSync(files[Number(messageId.slice(6)) - 1]!, dest);
      return statSync(dest).size;
    },
    postStatus: async (messageId: string, xml: string) => {
      posted.push({ messageId, xml });
      return { seq: posted.length, duplicate: false };
    },
  };
  return api as unknown as InboxApi;
}

/** Delivers the files into the store of `home` through the real sync. */
export async function deliverFieldPackages(store: Store, home: string, files: string[], server = 'https://truc.example.gov.vn'): Promise<{ received: number }> {
  return new InboxSync(store, home, fieldInboxApi(server, files), noPdfSignatures).sync();
}
