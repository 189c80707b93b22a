/**
 * A logged-in user uploads a package whose envelope is padded to megabytes and signed by a
 * key that is not a registered user of the sending body. The server refuses it as soon as the
 * signer's certificate has arrived, before the envelope is complete (so before any parse or
 * canonicalization of it). Before the fix the server read, parsed and canonicalized the whole
 * envelope first (seconds of CPU per upload) and checked the signer last.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { endpoints, MESSAGE_ID_HEADER } from '../../../main/exchange/protocol.js';
import { addOrg, addUser } from '../../../server/admin.js';
import { startServer, type RunningServer } from '../../../server/app.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { testSigner } from '../../unit/exchange-edxml/keys.js';
import { token } from './api.js';
import { issueUser, makePackage, ORGS, signerOf } from './fixtures.js';

let bed: TestBed;
let work: string;
let server: RunningServer;
let tokA: string;

beforeAll(async () => {
  bed = await createTestBed();
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-signer-first-'));
  server = await startServer({ dataDir: path.join(work, 'data'), trustFiles: [bed.certs.root.certPath] });
  await addOrg(server.repo, { ...ORGS.A, parent: null });
  await addOrg(server.repo, { ...ORGS.B, parent: ORGS.A.code });
  const a = await issueUser(bed, 'sf-a', 'Văn thư UBND');
  const f = path.join(work, 'a.der');
  writeFileSync(f, a.der);
  await addUser(server.repo, ORGS.A.code, f);
  tokA = await token(server.url, signerOf(bed, a));
}, 180_000);
afterAll(async () => {
  await server?.close();
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

it('a package signed by a key foreign to the sending body is refused before its envelope is even complete', { timeout: 60_000 }, async () => {
  const stranger = await testSigner('RSA', 'Khóa lạ');
  const { file } = await makePackage(work, stranger, ORGS.A, [ORGS.B]);
  // 3 MiB of elements in the envelope, after the header that holds the Signature.
  const text = readFileSync(file, 'utf8');
  const padding = Array.from({ length: 90_000 }, (_, i) => `<edXML:Pad n="${i}">x</edXML:Pad>`).join('');
  const at = text.indexOf('</edXML:edXMLEnvelope>');
  const pkg = Buffer.from(text.slice(0, at) + padding + text.slice(at), 'utf8');
  const hold = pkg.indexOf('</edXML:edXMLEnvelope>');
  const id = randomUUID();

  const reply = new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(new URL(endpoints.packages, server.url), {
      method: 'POST', agent: false,
      headers: { authorization: `Bearer ${tokA}`, [MESSAGE_ID_HEADER]: id, 'content-type': 'application/xml', 'content-length': String(pkg.length) },
    }, resolve);
    req.on('error', reject);
    // Everything but the envelope's end tag; the rest only once the refusal is on record.
    req.write(pkg.subarray(0, hold));
    const sendRest = async () => {
      await expect.poll(async () => (await server.repo.auditTrail()).filter((e) => e.action === 'package.reject' && e.target === id).map((e) => e.detail.code), { timeout: 15_000 })
        .toEqual(['edxmlSignatureInvalid']);
      req.end(pkg.subarray(hold));
    };
    sendRest().catch((e: unknown) => {
      req.destroy();
      reject(e as Error);
    });
  });
  const res = await reply;
  const body = JSON.parse(await new Promise<string>((r) => {
    let s = '';
    res.setEncoding('utf8').on('data', (c: string) => (s += c)).on('end', () => r(s));
  })) as { ErrorCode: string; params: { reason?: string } };
  expect([res.statusCode, body.ErrorCode]).toEqual([400, 'edxmlSignatureInvalid']);
  expect(body.params.reason).toMatch(/not registered for the sending organization/);
  expect((await server.repo.counts()).messages).toBe(0);
});
