/**
 * A user's certificate is revoked while the user is logged in: the administrator drops the
 * CA's new CRL into DATA/crl, and the server (offline, local CRLs only) notices, ends every
 * session of that user and its event stream, and records why; other users are untouched.
 * A disabled user's session ends at its next use. Before the fix a revoked certificate kept
 * its session (and its live stream) until the session expired, up to 30 minutes later.
 */
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { endpoints } from '../../../main/exchange/protocol.js';
import type { Signer } from '../../../main/pki/signer.js';
import { addOrg, addUser, disableUser } from '../../../server/admin.js';
import { startServer, type RunningServer } from '../../../server/app.js';
import { createTestBed, type BedCert, type TestBed } from '../../bed/index.js';
import { code, events, get, login, token } from './api.js';
import { issueUser, ORGS, signerOf } from './fixtures.js';

let bed: TestBed;
let work: string;
let data: string;
let server: RunningServer;
let revokee: BedCert;
const s = {} as Record<'U' | 'V' | 'W', Signer>;
const ids = {} as Record<'U' | 'V' | 'W', number>;

/** Puts a CA's current CRL into DATA/crl the way an administrator should: whole, then renamed. */
function installCrl(ca: 'root' | 'issuing'): void {
  const tmp = path.join(data, `.${ca}.crl.tmp`);
  copyFileSync(bed.pki[ca].crlPath, tmp);
  renameSync(tmp, path.join(data, 'crl', `${ca}.crl`));
}

beforeAll(async () => {
  bed = await createTestBed();
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-sessrev-'));
  data = path.join(work, 'data');
  mkdirSync(path.join(data, 'crl'), { recursive: true });
  installCrl('root');
  installCrl('issuing');
  // Offline: revocation comes from DATA/crl only, so the CRL on disk is what decides.
  server = await startServer({ dataDir: data, trustFiles: [bed.certs.root.certPath], offline: true, trustReloadMs: 100, eventPingMs: 200 });
  await addOrg(server.repo, { ...ORGS.A, parent: null });
  await addOrg(server.repo, { ...ORGS.B, parent: ORGS.A.code });
  const [u, v, w] = await Promise.all([issueUser(bed, 'rev-u', 'Văn thư sắp bị thu hồi'), issueUser(bed, 'rev-v', 'Văn thư khác'), issueUser(bed, 'rev-w', 'Chuyên viên')]);
  revokee = u;
  for (const [k, cert, org] of [['U', u, ORGS.A], ['V', v, ORGS.B], ['W', w, ORGS.A]] as const) {
    const f = path.join(work, `${k}.der`);
    writeFileSync(f, cert.der);
    ids[k] = (await addUser(server.repo, org.code, f)).id;
    s[k] = signerOf(bed, cert);
  }
}, 180_000);
afterAll(async () => {
  await server?.close();
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

it('a CRL reload ends the sessions and event streams of the certificate it revokes, and only those', { timeout: 60_000 }, async () => {
  const [tokU, tokU2, tokV] = [await token(server.url, s.U), await token(server.url, s.U), await token(server.url, s.V)];
  expect((await get(server.url, tokU, endpoints.inbox)).status).toBe(200);
  const stream = await events(server.url, tokU);
  const streamEnded = new Promise<void>((r) => stream.res.on('end', () => r()).on('close', () => r()));

  await bed.pki.revoke(revokee);
  installCrl('issuing');

  await streamEnded;
  for (const t of [tokU, tokU2]) {
    const r = await get(server.url, t, endpoints.inbox);
    expect([r.status, code(r)]).toEqual([401, 'exAuthRequired']);
  }
  expect(code((await login(server.url, s.U)).reply)).toBe('exCertRevoked');
  expect((await get(server.url, tokV, endpoints.inbox)).status).toBe(200);
  const ends = (await server.repo.auditTrail()).filter((e) => e.action === 'session.end');
  expect(ends.map((e) => [e.actorUser, e.detail])).toEqual([[ids.U, { reason: 'exCertRevoked', sessions: 2 }]]);
});

it('a disabled user loses its session at the next request and its stream at the next ping', { timeout: 30_000 }, async () => {
  const tokW = await token(server.url, s.W);
  const stream = await events(server.url, tokW);
  const streamEnded = new Promise<void>((r) => stream.res.on('end', () => r()).on('close', () => r()));
  await disableUser(server.repo, ids.W);
  await streamEnded;
  expect(code(await get(server.url, tokW, endpoints.inbox))).toBe('exAuthRequired');
  expect(code((await login(server.url, s.W)).reply)).toBe('exUnknownUser');
});
