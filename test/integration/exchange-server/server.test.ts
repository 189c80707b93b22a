/**
 * The inbox server on loopback with real parts: the bed's OpenSSL PKI (CRL of revoked certs
 * served over HTTP), SQLite on disk and PostgreSQL (KYSO_TEST_PG_URL), real HTTP and SSE.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints, type InboxPage, type StatusPage } from '../../../main/exchange/protocol.js';
import type { Signer } from '../../../main/pki/signer.js';
import { addOrg, addUser } from '../../../server/admin.js';
import { startServer, type RunningServer, type ServerOptions } from '../../../server/app.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { testSigner } from '../../unit/exchange-edxml/keys.js';
import { call, code, events, get, login, ok, sendPackage, sendStatus, token } from './api.js';
import { issueUser, makePackage, makeStatus, ORGS, signerOf } from './fixtures.js';

const PG = process.env.KYSO_TEST_PG_URL;
if (!PG && process.env.CI === 'true') throw new Error('KYSO_TEST_PG_URL is not set in CI: the PostgreSQL backend must be tested (scripts/pg-test.sh).');
if (!PG) console.warn('KYSO_TEST_PG_URL is not set: the PostgreSQL backend of the inbox server is NOT tested in this run.');

let bed: TestBed;
let work: string;
const s: Record<'A' | 'B' | 'C' | 'A2' | 'unregistered', Signer> = {} as never;
let untrusted: Signer;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-exs-'));
  bed = await createTestBed();
  const [a, b, c, a2, un] = await Promise.all([
    issueUser(bed, 'userA', 'Văn thư UBND'), issueUser(bed, 'userB', 'Văn thư Sở Tài chính'), issueUser(bed, 'userC', 'Văn thư Sở Nội vụ'),
    issueUser(bed, 'userA2', 'Chuyên viên UBND'), issueUser(bed, 'userX', 'Người lạ'),
  ]);
  s.A = signerOf(bed, a);
  s.B = signerOf(bed, b);
  s.C = signerOf(bed, c);
  s.A2 = signerOf(bed, a2);
  s.unregistered = signerOf(bed, un);
  untrusted = await testSigner('RSA', 'Giả mạo UBND');
}, 180_000);

afterAll(async () => {
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

const backends: [string, Partial<ServerOptions>][] = [['sqlite', {}], ...(PG ? ([['postgres', { db: PG }]] as [string, Partial<ServerOptions>][]) : [])];

describe.each(backends)('inbox server on %s', (_name, dbOpts) => {
  let dataDir: string;
  let server: RunningServer;
  let url: string;
  const tok = {} as Record<'A' | 'B' | 'C', string>;
  const certFile = (signer: Signer, name: string) => {
    const f = path.join(dataDir, `${name}.der`);
    writeFileSync(f, signer.certificate);
    return f;
  };
  const opts = (): ServerOptions => ({ dataDir, trustFiles: [bed.certs.root.certPath], ...dbOpts, ...(dbOpts.db ? { pgSchema: `kyso_t_${randomUUID().replace(/-/g, '').slice(0, 12)}` } : {}) });
  let schema: ServerOptions;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(work, 'data-'));
    schema = opts();
    server = await startServer(schema);
    url = server.url;
    const repo = server.repo;
    await addOrg(repo, { ...ORGS.A, parent: null });
    for (const k of ['B', 'C', 'D'] as const) await addOrg(repo, { ...ORGS[k], parent: ORGS.A.code });
    await addUser(repo, ORGS.A.code, certFile(s.A, 'a'));
    await addUser(repo, ORGS.A.code, certFile(s.A2, 'a2'));
    await addUser(repo, ORGS.B.code, certFile(s.B, 'b'));
    await addUser(repo, ORGS.C.code, certFile(s.C, 'c'));
    await addUser(repo, ORGS.B.code, bed.certs.revoked.certPath);
    await addUser(repo, ORGS.B.code, bed.certs.expired.certPath);
    await addUser(repo, ORGS.C.code, certFile(untrusted, 'untrusted'));
    for (const k of ['A', 'B', 'C'] as const) tok[k] = await token(url, s[k]);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('refuses logins by unknown, expired, revoked and untrusted certificates, replays and bad signatures', async () => {
    const first = await login(url, s.A);
    expect(first.reply.status).toBe(200);
    const replay = await call(url, 'POST', endpoints.login, { json: first.body });
    expect([replay.status, code(replay)]).toEqual([401, 'exChallengeInvalid']);
    const fresh = await login(url, s.B);
    expect(fresh.reply.status).toBe(200);
    // A signature by another key over a valid challenge.
    const c = ok(await call<{ challengeId: string; nonce: string }>(url, 'POST', endpoints.challenge, { json: {} }));
    const forged = { ...first.body, challengeId: c.challengeId };
    expect(code(await call(url, 'POST', endpoints.login, { json: forged }))).toBe('exLoginSignatureInvalid');
    expect(code((await login(url, s.unregistered)).reply)).toBe('exUnknownUser');
    expect(code((await login(url, untrusted)).reply)).toBe('exCertUntrusted');
    const rv = signerOf(bed, bed.certs.revoked);
    expect(code((await login(url, rv)).reply)).toBe('exCertRevoked');
    const ex = signerOf(bed, bed.certs.expired);
    expect(code((await login(url, ex)).reply)).toBe('exCertExpired');
    expect(code(await get(url, undefined, endpoints.inbox))).toBe('exAuthRequired');
    expect(code(await get(url, 'not-a-token', endpoints.inbox))).toBe('exAuthRequired');
    const trail = await server.repo.auditTrail();
    expect(trail.filter((e) => e.action === 'login.refused').map((e) => e.detail.code)).toEqual(
      expect.arrayContaining(['exChallengeInvalid', 'exLoginSignatureInvalid', 'exUnknownUser', 'exCertUntrusted', 'exCertRevoked', 'exCertExpired']),
    );
    // Nothing secret in the audit trail: no session token, no nonce.
    expect(JSON.stringify(trail)).not.toContain(tok.A);
    expect(JSON.stringify(trail)).not.toContain(c.nonce);
  });

  it('fans out to many recipients, idempotently by message id, and relays 01 to the sender', async () => {
    const sse = await events(url, tok.B);
    const id = randomUUID();
    const p = await makePackage(dataDir, s.A, ORGS.A, [ORGS.B, ORGS.C]);
    const r1 = await sendPackage(url, tok.A, id, { file: p.file });
    expect(r1.status).toBe(201);
    expect(ok(r1).recipients).toEqual([{ organId: ORGS.B.code, status: '01' }, { organId: ORGS.C.code, status: '01' }]);
    const ev = await sse.next();
    expect(ev.type === 'inbox' && ev.item.messageId).toBe(id);
    sse.close();
    const before = await server.repo.counts();
    const r2 = await sendPackage(url, tok.A, id, { file: p.file });
    expect([r2.status, ok(r2).duplicate]).toEqual([200, true]);
    expect(await server.repo.counts()).toEqual(before);
    const other = await makePackage(dataDir, s.A, ORGS.A, [ORGS.B]);
    expect(code(await sendPackage(url, tok.A, id, { file: other.file }))).toBe('exMessageIdConflict');
    // Two different packages under one new id at once: one is registered, the other refused,
    // and the refused one leaves no blob behind.
    const blobs = () => readdirSync(path.join(dataDir, 'blobs'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length;
    const blobsBefore = blobs();
    const race = randomUUID();
    const [x, y] = await Promise.all([makePackage(dataDir, s.A, ORGS.A, [ORGS.B]), makePackage(dataDir, s.A, ORGS.A, [ORGS.C])]);
    const answers = await Promise.all([sendPackage(url, tok.A, race, { file: x.file }), sendPackage(url, tok.A, race, { file: y.file })]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(blobs()).toBe(blobsBefore + 1);
    // Another body reusing A's message id is refused: recipients know documents by that id.
    const fromC = await makePackage(dataDir, s.C, ORGS.C, [ORGS.B]);
    expect(code(await sendPackage(url, tok.C, id, { file: fromC.file }))).toBe('exMessageIdConflict');
    for (const k of ['B', 'C'] as const) {
      const inbox = ok(await get<InboxPage>(url, tok[k], endpoints.inbox));
      expect(inbox.items.filter((i) => i.messageId === id)).toHaveLength(1);
      const pkg = await get<string>(url, tok[k], endpoints.messagePackage, { messageId: id });
      expect(pkg.status).toBe(200);
      expect(pkg.body.status === 'OK' && pkg.body.data).toBe(readFileSync(p.file, 'utf8'));
    }
    const st = ok(await get<StatusPage>(url, tok.A, endpoints.statuses));
    expect(st.items.filter((i) => i.messageId === id).map((i) => [i.fromOrganId, i.statusCode])).toEqual([[ORGS.B.code, '01'], [ORGS.C.code, '01']]);
  });

  it('never lets one organization read another organization’s inbox or packages', async () => {
    const id = randomUUID();
    const p = await makePackage(dataDir, s.A, ORGS.A, [ORGS.C]);
    ok(await sendPackage(url, tok.A, id, { file: p.file }));
    const b = ok(await get<InboxPage>(url, tok.B, endpoints.inbox, {}));
    expect(b.items.some((i) => i.messageId === id)).toBe(false);
    expect(b.items.every((i) => i.senderOrganId !== ORGS.B.code)).toBe(true);
    const denied = await get(url, tok.B, endpoints.messagePackage, { messageId: id });
    expect([denied.status, code(denied)]).toEqual([404, 'exNotFound']);
    expect(code(await get(url, tok.B, endpoints.sentMessage, { messageId: id }))).toBe('exNotFound');
    // A recipient is not the sender: the per-recipient timeline stays with A.
    expect(code(await get(url, tok.C, endpoints.sentMessage, { messageId: id }))).toBe('exNotFound');
    // Statuses about A's message are not visible to B.
    const bs = ok(await get<StatusPage>(url, tok.B, endpoints.statuses));
    expect(bs.items.some((i) => i.messageId === id)).toBe(false);
    // B cannot forge a status about a message it never received.
    const xml = await makeStatus(s.B, ORGS.B, ORGS.A, p.documentId, '03');
    expect(code(await sendStatus(url, tok.B, id, xml))).toBe('exNotFound');
    // B cannot send in A's name.
    const forged = await makePackage(dataDir, s.B, ORGS.A, [ORGS.C]);
    expect(code(await sendPackage(url, tok.B, randomUUID(), { file: forged.file }))).toBe('exSenderMismatch');
    expect((await server.repo.auditTrail()).some((e) => e.action === 'package.denied' && e.actorOrg === ORGS.B.code)).toBe(true);
  });

  it('rejects corrupt packages with a clear reason and stores nothing', async () => {
    const p = await makePackage(dataDir, s.A, ORGS.A, [ORGS.B], { body: Buffer.alloc(5000, 0x41) });
    const good = readFileSync(p.file, 'utf8');
    const at = good.indexOf('<edXML:ContentTransferEncoded>') + 30;
    const unknownTo = await makePackage(dataDir, s.A, ORGS.A, [ORGS.B, { code: '000.99.99.H49', name: 'Không tồn tại' }]);
    const signedByOtherOrg = await makePackage(dataDir, s.B, ORGS.A, [ORGS.C]);
    const cases: [string, Buffer, string][] = [
      ['bad base64', Buffer.from(good.slice(0, at + 8) + '@@@@' + good.slice(at + 12)), 'edxmlBadBase64'],
      ['wrong digest', Buffer.from(good.slice(0, at) + 'QkJC' + good.slice(at + 4)), 'edxmlDigestMismatch'],
      ['broken XML-DSig', Buffer.from(good.replace('thử nghiệm trao đổi', 'thử nghiệm giả mạo')), 'edxmlSignatureInvalid'],
      ['unknown recipient', readFileSync(unknownTo.file), 'exUnknownRecipient'],
      ['signer not of the sending org', readFileSync(signedByOtherOrg.file), 'edxmlSignatureInvalid'],
      ['not XML', Buffer.from('hello'), 'edxmlMalformed'],
    ];
    const blobsBefore = readdirSync(path.join(dataDir, 'blobs'), { recursive: true }).length;
    const countsBefore = await server.repo.counts();
    for (const [name, body, want] of cases) {
      const r = await sendPackage(url, tok.A, randomUUID(), body);
      expect([name, r.status < 500 && r.status >= 400, code(r)]).toEqual([name, true, want]);
      expect(r.body.status === 'FAIL' && r.body.ErrorDesc.length > 10).toBe(true);
    }
    expect(readdirSync(path.join(dataDir, 'blobs'), { recursive: true }).length).toBe(blobsBefore);
    expect(readdirSync(path.join(dataDir, 'tmp'))).toEqual([]);
    expect(await server.repo.counts()).toEqual(countsBefore);
    const rejects = (await server.repo.auditTrail()).filter((e) => e.action === 'package.reject').map((e) => e.detail.code);
    expect(rejects).toEqual(expect.arrayContaining(cases.map((c) => c[2])));
  });

  it('relays statuses by the rules: 03, 02 with reason, recall 13 with 15/16', async () => {
    const id = randomUUID();
    const p = await makePackage(dataDir, s.A, ORGS.A, [ORGS.B, ORGS.C]);
    ok(await sendPackage(url, tok.A, id, { file: p.file }));
    const st = (k: 'A' | 'B' | 'C', c: Parameters<typeof makeStatus>[4], reason = '') => makeStatus(s[k], ORGS[k], ORGS.A, p.documentId, c, reason);
    const b03 = await st('B', '03');
    // Three posts of the same status at once (a client retrying after a timeout): relayed once.
    const at = await Promise.all([1, 2, 3].map(async () => ok(await sendStatus(url, tok.B, id, b03))));
    expect(at.map((r) => r.duplicate).sort()).toEqual([false, true, true]);
    expect(ok(await sendStatus(url, tok.B, id, b03)).duplicate).toBe(true);
    ok(await sendStatus(url, tok.C, id, await st('C', '02', 'Không đúng thẩm quyền giải quyết')));
    expect(code(await sendStatus(url, tok.C, id, await st('C', '01')))).toBe('exStatusNotAllowed');
    expect(code(await sendStatus(url, tok.A, id, await st('A', '03')))).toBe('exStatusNotAllowed');
    expect(code(await sendStatus(url, tok.B, id, await st('B', '15')))).toBe('exStatusNotAllowed');
    expect(code(await sendStatus(url, tok.B, id, await st('B', '13')))).toBe('exStatusNotAllowed');
    // Signed by a user of another organization than the From: refused.
    expect(code(await sendStatus(url, tok.B, id, await makeStatus(s.C, ORGS.B, ORGS.A, p.documentId, '04')))).toBe('edxmlSignatureInvalid');
    const a13 = await st('A', '13', 'Thu hồi do sai sót');
    ok(await sendStatus(url, tok.A, id, a13));
    ok(await sendStatus(url, tok.B, id, await st('B', '15')));
    ok(await sendStatus(url, tok.C, id, await st('C', '16', 'Đã xử lý xong')));
    const timeline = ok(await get<{ recipients: { organId: string; status: string; history: { statusCode: string; description: string }[] }[] }>(url, tok.A, endpoints.sentMessage, { messageId: id }));
    const byOrg = Object.fromEntries(timeline.recipients.map((r) => [r.organId, r.history.map((h) => h.statusCode)]));
    expect(byOrg).toEqual({ [ORGS.B.code]: ['01', '03', '15'], [ORGS.C.code]: ['01', '02', '16'] });
    expect(timeline.recipients.find((r) => r.organId === ORGS.C.code)!.history[1]!.description).toBe('Không đúng thẩm quyền giải quyết');
    for (const k of ['B', 'C'] as const) {
      const recall = ok(await get<StatusPage>(url, tok[k], endpoints.statuses)).items.filter((i) => i.messageId === id);
      expect(recall.map((i) => [i.statusCode, i.description])).toEqual([['13', 'Thu hồi do sai sót']]);
    }
  });

  it('pages by cursor and loses nothing across a restart (sessions, rows, blobs)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = randomUUID();
      ids.push(id);
      const p = await makePackage(dataDir, s.A, ORGS.A, [ORGS.D, ORGS.B]);
      ok(await sendPackage(url, tok.A, id, { file: p.file }));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page: InboxPage = ok(await get<InboxPage>(url, tok.B, `${endpoints.inbox}?limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      if (!page.items.length) break;
      seen.push(...page.items.map((i) => i.messageId));
      cursor = page.nextCursor;
    }
    expect(seen.slice(-5)).toEqual(ids);
    expect(new Set(seen).size).toBe(seen.length);
    const counts = await server.repo.counts();
    await server.close();
    server = await startServer({ ...schema, port: server.port });
    url = server.url;
    expect(await server.repo.counts()).toEqual(counts);
    // The session survives the restart; the cursor continues where it was.
    const after = ok(await get<InboxPage>(url, tok.B, `${endpoints.inbox}?cursor=${cursor}`));
    expect(after.items).toEqual([]);
    const all = ok(await get<InboxPage>(url, tok.B, `${endpoints.inbox}?limit=500`));
    expect(all.items.map((i) => i.messageId)).toEqual(expect.arrayContaining(ids));
    const pkg = await get(url, tok.B, endpoints.messagePackage, { messageId: ids[4]! });
    expect(pkg.status).toBe(200);
    expect(code(await get(url, tok.B, `${endpoints.inbox}?cursor=abc`))).toBe('exBadRequest');
  });
});

describe('inbox server limits and transport', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(work, 'lim-'));
  });

  it('enforces the package size limit, challenge expiry and plain http only on loopback', async () => {
    const server = await startServer({ dataDir, trustFiles: [bed.certs.root.certPath], limits: { maxPackageBytes: 4096 }, ttl: { challengeMs: 0, sessionMs: 60_000 } });
    try {
      await addOrg(server.repo, { ...ORGS.A });
      await addOrg(server.repo, { ...ORGS.B });
      const f = path.join(dataDir, 'a.der');
      writeFileSync(f, s.A.certificate);
      await addUser(server.repo, ORGS.A.code, f);
      // A challenge that expires when issued can never be used.
      expect(code((await login(server.url, s.A)).reply)).toBe('exChallengeInvalid');
    } finally {
      await server.close();
    }
    const server2 = await startServer({ dataDir, trustFiles: [bed.certs.root.certPath], limits: { maxPackageBytes: 4096 } });
    try {
      const t = await token(server2.url, s.A);
      const big = await makePackage(dataDir, s.A, ORGS.A, [ORGS.B], { body: Buffer.alloc(10_000, 1) });
      const r = await sendPackage(server2.url, t, randomUUID(), { file: big.file });
      expect(r.status).toBe(413);
      expect(['exTooLarge', 'edxmlTooLarge']).toContain(code(r));
      expect(readdirSync(path.join(dataDir, 'tmp'))).toEqual([]);
    } finally {
      await server2.close();
    }
    await expect(startServer({ dataDir, host: '0.0.0.0' })).rejects.toMatchObject({ code: 'exPlainHttpNotLoopback' });
  });

  it('refuses a login when revocation cannot be checked (OCSP and CRL down), then accepts it', async () => {
    const server = await startServer({ dataDir: mkdtempSync(path.join(work, 'rev-')), trustFiles: [bed.certs.root.certPath] });
    const fresh = await issueUser(bed, 'userRev', 'Văn thư mới');
    try {
      await addOrg(server.repo, { ...ORGS.A });
      await addUser(server.repo, ORGS.A.code, fresh.certPath);
      bed.server.setDown('ocsp', true);
      bed.server.setDown('crl', true);
      expect(code((await login(server.url, signerOf(bed, fresh))).reply)).toBe('exCertRevocationUnknown');
      bed.server.setDown('ocsp', false);
      bed.server.setDown('crl', false);
      expect((await login(server.url, signerOf(bed, fresh))).reply.status).toBe(200);
    } finally {
      bed.server.setDown('ocsp', false);
      bed.server.setDown('crl', false);
      await server.close();
    }
  });

  it('serves HTTPS with a configured certificate', async () => {
    const tls = bed.certs.tls;
    const server = await startServer({ dataDir: mkdtempSync(path.join(work, 'tls-')), host: '127.0.0.1', tls: { cert: readFileSync(tls.certPath), key: readFileSync(tls.keyPath!) } });
    try {
      expect(server.url.startsWith('https://')).toBe(true);
      const ca = Buffer.concat([readFileSync(bed.certs.root.certPath), readFileSync(bed.certs.issuing.certPath)]);
      const r = await call(server.url.replace('127.0.0.1', 'localhost'), 'GET', endpoints.health, { ca });
      expect(ok(r)).toEqual({ name: 'kyso-inbox', version: 1 });
    } finally {
      await server.close();
    }
  });
});
