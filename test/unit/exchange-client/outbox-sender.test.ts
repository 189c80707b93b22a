import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPackage } from '../../../main/exchange/edxml/index.js';
import { InboxApi } from '../../../main/exchange/client/api.js';
import { ExchangeClient } from '../../../main/exchange/client/index.js';
import { composeAndQueue } from '../../../main/exchange/client/compose.js';
import { parseSse } from '../../../main/exchange/client/live.js';
import { backoffDelay, OutboxSender, type DeliveryProgress } from '../../../main/exchange/client/sender.js';
import { describeDeliveryError } from '../../../main/exchange/client/delivery-error.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import type { Signer } from '../../../main/pki/signer.js';
import { openStore, type Store } from '../../../main/store/index.js';
import { run } from '../../bed/run.js';

let dir: string;
let signer: Signer;
let pdf: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-outbox-'));
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=Nguyễn Văn Thư', '-utf8', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'), '-days', '2']);
  const der = (await run('openssl', ['x509', '-in', path.join(dir, 'c.pem'), '-outform', 'DER'])).stdout;
  signer = softwareSigner(readFileSync(path.join(dir, 'k.pem')), der);
  pdf = path.join(dir, 'qd.pdf');
  writeFileSync(pdf, readFileSync('test/fixtures/cong-van-mau.pdf'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freshStore(name: string): { store: Store; home: string } {
  const home = path.join(dir, name);
  return { store: openStore(home), home };
}

const input = (server: string) => ({
  server,
  from: { code: '000.00.00.H49', name: 'UBND tỉnh Quảng Nam' },
  to: [{ code: '000.01.00.H49', name: 'Sở Tài chính' }, { code: '000.02.00.H49', name: 'Sở Nội vụ' }],
  subject: 'Về việc phê duyệt dự toán',
  number: '15',
  notation: 'QĐ-UBND',
  type: 'Quyết định',
  files: [pdf],
  // Given, so the repeated send below is the same document even across midnight in Vietnam.
  issueDate: '2026-11-22',
});

describe('outbox composer', () => {
  it('writes a signed package the codec verifies, queues it once, and the same send again is a no-op', async () => {
    const { store, home } = freshStore('compose');
    const first = await composeAndQueue(store, home, signer, input('http://127.0.0.1:9'));
    expect(first.queued).toBe(true);
    const again = await composeAndQueue(store, home, signer, input('http://127.0.0.1:9'));
    expect(again).toEqual({ ...first, queued: false });
    expect(store.outbox.list()).toHaveLength(1);
    const row = store.outbox.get(first.messageId)!;
    mkdirSync(path.join(dir, 'compose-tmp'));
    const pkg = await readPackage(row.packagePath, { tmpDir: path.join(dir, 'compose-tmp') });
    expect(pkg.header.subject).toBe('Về việc phê duyệt dự toán');
    expect(pkg.header.to.map((t) => t.organId)).toEqual(['000.01.00.H49', '000.02.00.H49']);
    expect(pkg.header.signerInfo.fullName).toBe('Nguyễn Văn Thư');
    expect(readFileSync(pkg.attachments[0]!.path).equals(readFileSync(pdf))).toBe(true);
    expect(store.outgoing.get(first.messageId)?.documentId).toBe(pkg.documentId);
    store.close();
  });
});

/** A stand-in inbox server that fails a given number of uploads before accepting. */
async function flakyServer(failures: number, failStatus: number, refusal = { ErrorCode: 'exBusy', ErrorDesc: 'busy', params: {} }): Promise<{ server: Server; url: string; uploads: string[] }> {
  const uploads: string[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/api/v1/auth/challenge') return json(200, { status: 'OK', data: { challengeId: 'c1', nonce: 'n', expiresAt: new Date(Date.now() + 60_000).toISOString() } });
      if (req.url === '/api/v1/auth/login') return json(200, { status: 'OK', data: { token: 't', expiresAt: new Date(Date.now() + 600_000).toISOString(), organization: { code: '000.00.00.H49', name: 'A' }, user: { id: 1, subject: 'x' } } });
      if (req.url === '/api/v1/packages') {
        if (n++ < failures) return json(failStatus, { status: 'FAIL', ...refusal });
        const id = String(req.headers['kyso-message-id']);
        uploads.push(id);
        expect(Buffer.concat(chunks).toString('utf8')).toContain('edXML:edXMLEnvelope');
        return json(200, { status: 'OK', data: { messageId: id, packageSha256: 'ab'.repeat(32), size: 1, duplicate: false, recipients: [{ organId: '000.01.00.H49', status: '01' }, { organId: '000.02.00.H49', status: '01' }] } });
      }
      json(404, { status: 'FAIL', ErrorCode: 'exNotFound', ErrorDesc: 'no', params: {} });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, uploads };
}

describe('outbox sender', () => {
  it('retries retryable failures with backoff until delivered, then records 01 per recipient', async () => {
    const s = await flakyServer(2, 503);
    const { store, home } = freshStore('retry');
    const { messageId } = await composeAndQueue(store, home, signer, { ...input(s.url), batchId: 'b1' });
    const progress: DeliveryProgress[] = [];
    const sender = new OutboxSender(store, (u) => new InboxApi(u, signer), { baseMs: 5, maxMs: 20, maxAttempts: 5 }, (p) => progress.push(p));
    const r = await sender.drain({ untilEmpty: true });
    expect(r).toEqual({ sent: 1, pending: 0, failed: 0 });
    expect(progress.map((p) => p.state)).toEqual(['pending', 'pending', 'sent']);
    expect(s.uploads).toEqual([messageId]);
    expect(store.outbox.get(messageId)?.attempts).toBe(2);
    expect(store.outbox.batchCounts('b1')).toEqual({ total: 1, pending: 0, sent: 1, failed: 0 });
    expect(store.outgoing.get(messageId)?.timeline.map((e) => `${e.orgCode}:${e.statusCode}`)).toEqual(['000.01.00.H49:01', '000.02.00.H49:01']);
    store.close();
    s.server.close();
  });

  it('gives up at once on a permanent refusal and keeps the reason', async () => {
    const s = await flakyServer(1, 409, { ErrorCode: 'exUnknownRecipient', ErrorDesc: 'No recipient organization with code 000.09.00.H49 in the directory.', params: { organId: '000.09.00.H49' } });
    const { store, home } = freshStore('permanent');
    const { messageId } = await composeAndQueue(store, home, signer, input(s.url));
    const r = await new OutboxSender(store, (u) => new InboxApi(u, signer), { baseMs: 5, maxMs: 20, maxAttempts: 5 }).drain({ untilEmpty: true });
    expect(r).toEqual({ sent: 0, pending: 0, failed: 1 });
    expect(store.outbox.get(messageId)?.lastError).toContain('exUnknownRecipient');
    // Kept as code + params: read back in the reader's language, not as the English text of the time.
    expect(describeDeliveryError(store.outbox.get(messageId)!.lastError, 'vi')).toBe('Không có cơ quan nhận có mã 000.09.00.H49 trong danh bạ.');
    expect(describeDeliveryError('exServerUnreachable: connect ECONNREFUSED', 'vi')).toBe('exServerUnreachable: connect ECONNREFUSED');
    store.close();
    s.server.close();
  });

  it('a dead server: the stored reason names the server, in Vietnamese or English', async () => {
    const { store, home } = freshStore('dead');
    const dead = await new Promise<string>((resolve) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => {
        const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
        srv.close(() => resolve(url));
      });
    });
    const { messageId } = await composeAndQueue(store, home, signer, input(dead));
    const r = await new OutboxSender(store, (u) => new InboxApi(u, signer), { baseMs: 5, maxMs: 20, maxAttempts: 1 }).drain({ untilEmpty: true });
    expect(r).toEqual({ sent: 0, pending: 0, failed: 1 });
    const stored = store.outbox.get(messageId)!.lastError;
    // In words (issue 14: machine codes such as ECONNREFUSED stay out of the sentence).
    expect(describeDeliveryError(stored, 'vi')).toBe(`Máy chủ trao đổi ${dead} không nhận kết nối: máy chủ chưa chạy, hoặc sai địa chỉ hay cổng.`);
    expect(describeDeliveryError(stored, 'en')).toBe(`The exchange server ${dead} does not accept connections: it is not running, or the address or port is wrong.`);
    expect(stored).toContain('ECONNREFUSED');
    store.close();
  });

  it('a package file removed from the outbox folder fails at once, saying so (not retried as a network error)', async () => {
    const s = await flakyServer(0, 503);
    const { store, home } = freshStore('missing');
    const { messageId } = await composeAndQueue(store, home, signer, input(s.url));
    const pkg = store.outbox.get(messageId)!.packagePath;
    rmSync(pkg);
    const r = await new OutboxSender(store, (u) => new InboxApi(u, signer), { baseMs: 5, maxMs: 20, maxAttempts: 5 }).drain({ untilEmpty: true });
    expect(r).toEqual({ sent: 0, pending: 0, failed: 1 });
    expect(store.outbox.get(messageId)?.attempts).toBe(1);
    expect(describeDeliveryError(store.outbox.get(messageId)!.lastError, 'en')).toBe(`File not found: ${pkg}`);
    expect(s.uploads).toEqual([]);
    store.close();
    s.server.close();
  });

  it('two flushes at once (two quick sends in the app) upload each row once', async () => {
    const s = await flakyServer(0, 503);
    const { store, home } = freshStore('single-flight');
    for (const n of ['1', '2', '3']) await composeAndQueue(store, home, signer, { ...input(s.url), number: n });
    const client = new ExchangeClient({ store, home, server: s.url, signer: async () => signer, validator: async () => ({ status: 'NO_SIGNATURE', report: null }) });
    const [a, b] = await Promise.all([client.flush(), client.flush()]);
    expect(a).toEqual(b);
    expect(a).toEqual({ sent: 3, pending: 0, failed: 0 });
    expect(s.uploads).toHaveLength(3);
    expect(new Set(s.uploads).size).toBe(3);
    store.close();
    s.server.close();
  });

  it('backs off exponentially with jitter, capped', () => {
    const p = { baseMs: 1000, maxMs: 8000, maxAttempts: 10 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, p, () => 1))).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(backoffDelay(3, p, () => 0)).toBe(2000);
  });
});

describe('SSE parser', () => {
  it('splits events across chunks, joins data lines, skips pings', async () => {
    async function* chunks() {
      yield ': ping\n\nevent: inbox\nid: 7\ndata: {"a":';
      yield '1}\n\r\nevent: status\ndata: x\ndata: y\n\n';
    }
    const out = [];
    for await (const e of parseSse(chunks())) out.push(e);
    expect(out).toEqual([{ event: 'inbox', data: '{"a":1}', id: '7' }, { event: 'status', data: 'x\ny', id: '7' }]);
  });
});
