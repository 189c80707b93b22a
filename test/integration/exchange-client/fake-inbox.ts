/**
 * A hostile (or compromised) inbox server on loopback: it speaks the protocol of
 * main/exchange/protocol.ts well enough for a client to log in and sync, and serves whatever
 * inbox items, statuses and package bytes a test gives it, however wrong. Packages are real
 * edXML, signed by a throw-away OpenSSL key, so the client's codec accepts them.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { writePackage } from '../../../main/exchange/edxml/index.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import type { Signer } from '../../../main/pki/signer.js';
import { run } from '../../bed/run.js';

/** Our organization as the fake server names it at login. */
export const FAKE_ORG = { code: '000.01.00.H99', name: 'Sở Tài chính tỉnh Thử Nghiệm' };
/** The sender's organization code. */
export const FAKE_SENDER = '000.00.00.H99';

/** A delivery the fake server lists: the inbox item as sent (any shape) and the package bytes. */
export interface FakeDelivery {
  item: Record<string, unknown>;
  body: Buffer;
}

/** A running fake server. */
export interface FakeInbox {
  url: string;
  /** Request paths the client asked for (decoded), in order. */
  requests: string[];
  close(): Promise<void>;
}

/** A self-signed key for signing packages (the codec checks the signature, not the trust). */
export async function throwAwaySigner(dir: string): Promise<Signer> {
  const key = path.join(dir, 'fake-key.pem');
  const cert = path.join(dir, 'fake-cert.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=Văn thư giả mạo', '-utf8', '-keyout', key, '-out', cert, '-days', '2']);
  const der = (await run('openssl', ['x509', '-in', cert, '-outform', 'DER'])).stdout;
  return softwareSigner(readFileSync(key), der);
}

/** One attachment of a crafted package. */
export interface FakeAttachment {
  name: string;
  bytes: Uint8Array;
  contentType?: string;
}

/** A signed edXML package with the given attachments; returns its bytes. */
export async function craftPackage(signer: Signer, dir: string, subject: string, attachments: FakeAttachment[]): Promise<Buffer> {
  const out = path.join(dir, `pkg-${Math.random().toString(36).slice(2)}.edxml`);
  await writePackage(
    {
      header: {
        from: { organId: FAKE_SENDER, organName: 'Ủy ban nhân dân tỉnh Thử Nghiệm' },
        to: [{ organId: FAKE_ORG.code, organName: FAKE_ORG.name }],
        code: { codeNumber: '15', codeNotation: 'QĐ-UBND' },
        promulgationInfo: { place: 'Thử Nghiệm', promulgationDate: '2025/03/01' },
        documentType: { type: 1, typeDetail: 0, typeName: 'Quyết định' },
        subject,
        signerInfo: { position: 'Văn thư', fullName: 'Văn thư giả mạo' },
      },
      attachments: attachments.map((a, i) => ({
        meta: { contentId: `att${i + 1}`, attachmentName: a.name, contentType: a.contentType ?? 'application/pdf', description: '' },
        data: a.bytes,
      })),
    },
    signer,
    out,
  );
  return readFileSync(out);
}

/** An inbox item for `body` with the given fields over sensible defaults. */
export function fakeItem(seq: number, messageId: string, sha256: string, size: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    seq,
    messageId,
    senderOrganId: FAKE_SENDER,
    senderName: 'Ủy ban nhân dân tỉnh Thử Nghiệm',
    documentId: `${FAKE_SENDER},2025/03/01,15/QĐ-UBND`,
    codeNumber: '15',
    codeNotation: 'QĐ-UBND',
    subject: 'Văn bản',
    promulgationDate: '2025/03/01',
    priority: 0,
    packageSha256: sha256,
    size,
    deliveredAt: new Date().toISOString(),
    status: '01',
    ...over,
  };
}

/**
 * Starts the fake server. `deliveries` is read at every inbox request; the package of a
 * delivery is served under its item's messageId, matched after URL-decoding (as a real
 * server's router would).
 */
export async function startFakeInbox(deliveries: () => FakeDelivery[], statuses: () => Array<Record<string, unknown>> = () => []): Promise<FakeInbox> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const p = decodeURIComponent(url.pathname);
      requests.push(p);
      const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'OK', data: body }));
      if (p === '/api/v1/auth/challenge') return json({ challengeId: 'c1', nonce: 'n', expiresAt: new Date(Date.now() + 60_000).toISOString() });
      if (p === '/api/v1/auth/login') return json({ token: 't', expiresAt: new Date(Date.now() + 600_000).toISOString(), organization: FAKE_ORG, user: { id: 1, subject: 'x' } });
      // One page holding everything, then an empty one.
      if (p === '/api/v1/inbox') return json(url.searchParams.get('cursor') ? { items: [], nextCursor: null } : { items: deliveries().map((d) => d.item), nextCursor: '999' });
      if (p === '/api/v1/statuses') return json(url.searchParams.get('cursor') ? { items: [], nextCursor: null } : { items: statuses(), nextCursor: '999' });
      const m = /^\/api\/v1\/messages\/(.+)\/package$/s.exec(p);
      const d = m && deliveries().find((x) => x.item.messageId === m[1]);
      if (d) return res.writeHead(200, { 'content-type': 'application/xml' }).end(d.body);
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'FAIL', ErrorCode: 'exNotFound', ErrorDesc: 'not found', params: {} }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
