/**
 * A session token in a URL (it ends up in proxy logs and browser history) is refused on every
 * endpoint; an EventSource, which cannot send headers, opens its stream with a single-use
 * ticket that is worth nothing anywhere else. The Kyso client's live listener uses tickets.
 * Before the fix `?access_token=<session token>` was accepted on every endpoint.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InboxApi } from '../../../main/exchange/client/api.js';
import { LiveListener } from '../../../main/exchange/client/live.js';
import { endpointPath, endpoints } from '../../../main/exchange/protocol.js';
import type { Signer } from '../../../main/pki/signer.js';
import { addOrg, addUser } from '../../../server/admin.js';
import { startServer, type RunningServer } from '../../../server/app.js';
import { Auth } from '../../../server/auth.js';
import type { CertChecker } from '../../../server/certs.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { call, code, makeTicket, ok, sendPackage, token } from './api.js';
import { issueUser, makePackage, ORGS, signerOf } from './fixtures.js';

let bed: TestBed;
let work: string;
let server: RunningServer;
let a: Signer;
let b: Signer;
let tokA: string;
let tokB: string;

beforeAll(async () => {
  bed = await createTestBed();
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-tickets-'));
  server = await startServer({ dataDir: path.join(work, 'data'), trustFiles: [bed.certs.root.certPath] });
  await addOrg(server.repo, { ...ORGS.A, parent: null });
  await addOrg(server.repo, { ...ORGS.B, parent: ORGS.A.code });
  const [ua, ub] = await Promise.all([issueUser(bed, 'tk-a', 'Văn thư UBND'), issueUser(bed, 'tk-b', 'Văn thư Sở Tài chính')]);
  for (const [org, u, n] of [[ORGS.A, ua, 'a'], [ORGS.B, ub, 'b']] as const) {
    const f = path.join(work, `${n}.der`);
    writeFileSync(f, u.der);
    await addUser(server.repo, org.code, f);
  }
  a = signerOf(bed, ua);
  b = signerOf(bed, ub);
  [tokA, tokB] = [await token(server.url, a), await token(server.url, b)];
}, 180_000);
afterAll(async () => {
  await server?.close();
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Status of a GET (the body is not read: an accepted event stream never ends by itself). */
function status(pathWithQuery: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(pathWithQuery, server.url), { headers, agent: false }, (res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    req.end();
  });
}

it('refuses the session token in the URL on every endpoint, the event stream included', async () => {
  const q = `?access_token=${encodeURIComponent(tokB)}`;
  for (const p of [endpoints.inbox, endpoints.statuses, endpoints.directory, endpoints.events, endpointPath(endpoints.sentMessage, { messageId: randomUUID() })]) {
    expect([p, await status(p + q)]).toEqual([p, 401]);
  }
  expect(code(await call(server.url, 'POST', endpoints.logout + q, { json: {} }))).toBeUndefined();
  // The token was not taken from the URL: the session still works with the header.
  expect(await status(endpoints.inbox, { authorization: `Bearer ${tokB}` })).toBe(200);
});

it('a ticket opens one event stream, once, and nothing else', async () => {
  const t1 = await makeTicket(server.url, tokB);
  expect(await status(`${endpoints.inbox}?ticket=${t1}`)).toBe(401);
  expect(await status(`${endpoints.events}?ticket=${t1}`)).toBe(200);
  // Used: a replay (a URL copied from a log) opens nothing.
  expect(await status(`${endpoints.events}?ticket=${t1}`)).toBe(401);
  expect(await status(`${endpoints.events}?ticket=not-a-ticket`)).toBe(401);
  // No ticket without a session; a session that ended makes its tickets worthless.
  expect(code(await call(server.url, 'POST', endpoints.eventsTicket, { json: {} }))).toBe('exAuthRequired');
  const other = await token(server.url, b);
  const t2 = await makeTicket(server.url, other);
  ok(await call(server.url, 'POST', endpoints.logout, { token: other, json: {} }));
  expect(await status(`${endpoints.events}?ticket=${t2}`)).toBe(401);
  // One session cannot hoard tickets.
  const many = await Promise.all(Array.from({ length: 6 }, () => call(server.url, 'POST', endpoints.eventsTicket, { token: tokA, json: {} })));
  expect(many.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 429]);
});

it('a ticket expires after 30 s', async () => {
  const auth = new Auth(server.repo, {} as CertChecker);
  const { ticket } = await auth.issueTicket('session-token-hash', 1_000);
  await expect(auth.redeemTicket(ticket, 31_001)).rejects.toThrow(/exAuthRequired/);
  const fresh = (await auth.issueTicket('session-token-hash', 1_000)).ticket;
  expect(await auth.redeemTicket(fresh, 30_999)).toBe('session-token-hash');
});

it('the client listens with tickets: no session token in its URL, and it hears new documents', { timeout: 60_000 }, async () => {
  const api = new InboxApi(server.url, b);
  const session = await api.login();
  const req = await api.eventsRequest();
  expect(req.url).toMatch(/[?&]ticket=/);
  expect(req.url).not.toContain(session.token);
  expect(JSON.stringify(req.headers)).not.toContain(session.token);
  let signals = 0;
  const live = new LiveListener(api, { onSignal: async () => void signals++, retryMs: 100 });
  live.start();
  try {
    await expect.poll(() => signals, { timeout: 10_000 }).toBe(1);
    const { file } = await makePackage(work, a, ORGS.A, [ORGS.B]);
    expect((await sendPackage(server.url, tokA, randomUUID(), { file })).status).toBe(201);
    await expect.poll(() => signals, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
  } finally {
    await live.stop();
  }
});
