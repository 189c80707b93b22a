/**
 * Clients that abort or reset their requests (an unauthenticated flood of half-sent logins,
 * cut uploads, downloads dropped midway) are the client's doing: the server writes one line
 * per request, never a stack trace, and serves on. Before the fix every aborted login body
 * printed "Error: aborted" with its stack.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { endpointPath, endpoints, MESSAGE_ID_HEADER } from '../../../main/exchange/protocol.js';
import { addOrg, addUser } from '../../../server/admin.js';
import { startServer, type RunningServer } from '../../../server/app.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { call, ok, sendPackage, token } from './api.js';
import { issueUser, makePackage, ORGS, signerOf } from './fixtures.js';

let bed: TestBed;
let work: string;
let server: RunningServer;
let tokA: string;
let pkg: Buffer;
let sentId: string;
/** The server's log lines (JSON), from the start. */
const logLines: string[] = [];

beforeAll(async () => {
  bed = await createTestBed();
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-aborts-'));
  server = await startServer({ dataDir: path.join(work, 'data'), trustFiles: [bed.certs.root.certPath], log: (l) => void logLines.push(l) });
  await addOrg(server.repo, { ...ORGS.A, parent: null });
  await addOrg(server.repo, { ...ORGS.B, parent: ORGS.A.code });
  const a = await issueUser(bed, 'aborts-a', 'Văn thư UBND');
  const f = path.join(work, 'a.der');
  writeFileSync(f, a.der);
  await addUser(server.repo, ORGS.A.code, f);
  tokA = await token(server.url, signerOf(bed, a));
  const big = Buffer.alloc(12 << 20, 7);
  const { file } = await makePackage(work, signerOf(bed, a), ORGS.A, [ORGS.B], { body: big });
  pkg = readFileSync(file);
  sentId = randomUUID();
  expect((await sendPackage(server.url, tokA, sentId, { file })).status).toBe(201);
}, 180_000);
afterAll(async () => {
  await server?.close();
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

/** Sends headers and the first bytes of a body, then drops the connection (closed or reset). */
function cut(pathname: string, headers: Record<string, string>, first: Buffer, how: 'close' | 'reset'): Promise<void> {
  return new Promise((resolve) => {
    const req = request(new URL(pathname, server.url), { method: 'POST', headers, agent: false });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(first, () => setTimeout(() => (how === 'reset' ? req.socket?.resetAndDestroy() : req.destroy()), 30));
  });
}

/** Starts downloading a package and drops the connection after the first chunk. */
function droppedDownload(): Promise<void> {
  return new Promise((resolve) => {
    const req = request(new URL(endpointPath(endpoints.messagePackage, { messageId: sentId }), server.url), { headers: { authorization: `Bearer ${tokA}` }, agent: false }, (res) => {
      res.once('data', () => req.socket?.resetAndDestroy());
    });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.end();
  });
}

it('an abort flood writes one line per request, no stack, and the server serves on', { timeout: 60_000 }, async () => {
  const from = logLines.length;
  const lines = () => logLines.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>);
  const json = { 'content-type': 'application/json', 'content-length': '4000' };
  const upload = { authorization: `Bearer ${tokA}`, [MESSAGE_ID_HEADER]: randomUUID(), 'content-type': 'application/xml', 'content-length': String(pkg.length) };
  let requests = 0;
  for (let i = 0; i < 10; i++) {
    await cut(endpoints.login, json, Buffer.from('{"challengeId":"'), i % 2 ? 'reset' : 'close');
    requests++;
  }
  for (const how of ['close', 'reset'] as const) {
    await cut(endpoints.packages, { ...upload, [MESSAGE_ID_HEADER]: randomUUID() }, pkg.subarray(0, 256 << 10), how);
    requests++;
  }
  for (let i = 0; i < 3; i++) {
    await droppedDownload();
    requests++;
  }
  await expect.poll(() => lines().length, { timeout: 10_000 }).toBe(requests);
  for (const l of lines()) {
    expect(l).toMatchObject({ level: 'warn', msg: 'request', client: '127.0.0.1' });
    expect(String(l.path)).toMatch(/^\/api\/v1\/[\w/-]+$/);
    expect(String(l.clientGone)).toMatch(/^([A-Z_]+|request incomplete|connection closed)$/);
    expect(JSON.stringify(l)).not.toContain('    at ');
  }
  expect(logLines.slice(from).every((l) => l.endsWith('}\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
  // Nothing else was written, and the server still answers.
  expect(ok(await call<{ name: string }>(server.url, 'GET', endpoints.health)).name).toBe('kyso-inbox');
  // The audit trail says why the cut uploads were rejected.
  const rejects = (await server.repo.auditTrail()).filter((e) => e.action === 'package.reject').map((e) => e.detail.code);
  expect(rejects).toEqual(['clientAborted', 'clientAborted']);
});
