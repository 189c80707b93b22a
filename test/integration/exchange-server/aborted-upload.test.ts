/**
 * A clerk's connection drops in the middle of a large upload (laptop closed, network gone):
 * the inbox server stores nothing of it, keeps no temp file, keeps serving, and the same
 * message id can be sent again in full afterwards.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { endpoints, MESSAGE_ID_HEADER, type InboxPage } from '../../../main/exchange/protocol.js';
import { addOrg, addUser } from '../../../server/admin.js';
import { startServer, type RunningServer } from '../../../server/app.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { code, get, ok, sendPackage, token } from './api.js';
import { issueUser, makePackage, ORGS, signerOf } from './fixtures.js';

let bed: TestBed;
let work: string;
let server: RunningServer;

beforeAll(async () => {
  bed = await createTestBed();
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-abort-'));
  server = await startServer({ dataDir: path.join(work, 'data'), trustFiles: [bed.certs.root.certPath] });
  await addOrg(server.repo, { ...ORGS.A, parent: null });
  await addOrg(server.repo, { ...ORGS.B, parent: ORGS.A.code });
}, 180_000);
afterAll(async () => {
  await server?.close();
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Sends the first `upTo` bytes of a package, then drops the connection. */
function cutUpload(tok: string, messageId: string, pkg: Buffer, upTo: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request(new URL(endpoints.packages, server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${tok}`, [MESSAGE_ID_HEADER]: messageId, 'content-type': 'application/xml', 'content-length': String(pkg.length) },
    });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(pkg.subarray(0, upTo), () => setTimeout(() => req.destroy(), 50));
  });
}

it('a dropped upload leaves nothing behind; the server serves on and takes the full upload later', async () => {
  const a = await issueUser(bed, 'abort-a', 'Văn thư UBND');
  const b = await issueUser(bed, 'abort-b', 'Văn thư Sở Tài chính');
  for (const [org, cert, name] of [[ORGS.A, a, 'a'], [ORGS.B, b, 'b']] as const) {
    const f = path.join(work, `${name}.der`);
    writeFileSync(f, cert.der);
    await addUser(server.repo, org.code, f);
  }
  const [tokA, tokB] = [await token(server.url, signerOf(bed, a)), await token(server.url, signerOf(bed, b))];
  const scan = Buffer.alloc(24 << 20);
  for (let i = 0; i < scan.length; i += 4096) scan.writeUInt32BE(i, i);
  const { file } = await makePackage(work, signerOf(bed, a), ORGS.A, [ORGS.B], { body: scan });
  const pkg = readFileSync(file);
  const id = randomUUID();

  for (const upTo of [64 << 10, pkg.length >> 1, pkg.length - 10]) await cutUpload(tokA, id, pkg, upTo);
  // The server is alive and B's inbox is empty.
  const empty = ok(await get<InboxPage>(server.url, tokB, endpoints.inbox));
  expect(empty.items).toEqual([]);
  await expect.poll(() => readdirSync(path.join(work, 'data', 'tmp')), { timeout: 10_000 }).toEqual([]);

  const r = await sendPackage(server.url, tokA, id, { file });
  expect(r.status).toBe(201);
  const page = ok(await get<InboxPage>(server.url, tokB, endpoints.inbox));
  expect(page.items.map((i) => i.messageId)).toEqual([id]);

  // A large package refused from its header on: the client, still sending, gets the reason
  // (400 edxmlInvalid, not retried), not a broken pipe it would retry for an hour.
  const text = pkg.toString('latin1');
  const at = text.indexOf('<edXML:Priority>') + '<edXML:Priority>'.length;
  const bad = path.join(work, 'bad-header.edxml');
  writeFileSync(bad, Buffer.concat([pkg.subarray(0, at), Buffer.from('x'), pkg.subarray(at + 1)]));
  const refused = await sendPackage(server.url, tokA, randomUUID(), { file: bad });
  expect(refused.status).toBe(400);
  expect(code(refused)).toBe('edxmlInvalid');
});
