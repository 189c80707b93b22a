/**
 * What one misbehaving caller can do to the others: a flood of login challenges from one
 * address is answered 429 (the client retries later) while another caller still gets its
 * challenge; a malformed percent-encoding in a path is the caller's 400, not a server 500.
 * And what a session allows: an event stream ends at logout and when its session expires.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { endpoints } from '../../../main/exchange/protocol.js';
import { addOrg, addUser } from '../../../server/admin.js';
import { startServer, type RunningServer } from '../../../server/app.js';
import { call, events, token } from './api.js';
import { issueUser, ORGS, signerOf } from './fixtures.js';
import { createTestBed, type TestBed } from '../../bed/index.js';

let bed: TestBed;
let work: string;
let server: RunningServer;

beforeAll(async () => {
  bed = await createTestBed();
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-limits-'));
  server = await startServer({ dataDir: path.join(work, 'data'), trustFiles: [bed.certs.root.certPath] });
}, 180_000);
afterAll(async () => {
  await server?.close();
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

const post = (url: string, init: RequestInit = {}) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', ...init });

it('challenges: one address flooding gets 429, the others are still served', async () => {
  const url = new URL(endpoints.challenge, server.url).href;
  const codes: number[] = [];
  for (let i = 0; i < 60; i++) codes.push((await post(url)).status);
  expect(codes.slice(0, 50).every((c) => c === 200)).toBe(true);
  const refused = await post(url);
  expect(refused.status).toBe(429);
  expect((await refused.json()) as { ErrorCode: string }).toMatchObject({ ErrorCode: 'exTooManyRequests' });
  // Another caller (here from the loopback address 127.0.0.2) is not locked out by the flood.
  expect(await statusFrom('127.0.0.2', url)).toBe(200);
});

/** POSTs `{}` to `url` from the local address `localAddress`; resolves the HTTP status. */
function statusFrom(localAddress: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end('{}');
  });
}

it('a malformed percent-encoding in a path is a 400', async () => {
  const res = await fetch(new URL('/api/v1/messages/%E0%A4%A/package', server.url));
  expect(res.status).toBe(400);
  expect((await res.json()) as { ErrorCode: string }).toMatchObject({ ErrorCode: 'exBadRequest' });
});

it('an event stream ends at logout, and when its session expires', async () => {
  const data = path.join(work, 'short');
  const short = await startServer({ dataDir: data, trustFiles: [bed.certs.root.certPath], ttl: { challengeMs: 60_000, sessionMs: 4_000 }, eventPingMs: 100 });
  try {
    await addOrg(short.repo, { ...ORGS.A, parent: null });
    const user = await issueUser(bed, 'sse-a', 'Văn thư UBND');
    await addUser(short.repo, ORGS.A.code, user.certPath);
    const ended = async (tok: string, act: () => Promise<unknown>) => {
      const stream = await events(short.url, tok);
      // Opened (a session that expired already, on a slow machine, would answer 401 at once).
      expect(stream.res.statusCode).toBe(200);
      const end = new Promise<void>((r) => stream.res.on('end', () => r()).on('close', () => r()));
      await act();
      await end;
      stream.close();
    };
    const t1 = await token(short.url, signerOf(bed, user));
    await ended(t1, () => call(short.url, 'POST', endpoints.logout, { token: t1, json: {} }));
    const t2 = await token(short.url, signerOf(bed, user));
    const opened = Date.now();
    await ended(t2, async () => undefined);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(2_000);
  } finally {
    await short.close();
  }
});
