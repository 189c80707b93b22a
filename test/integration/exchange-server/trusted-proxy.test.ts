/**
 * Behind a reverse proxy every caller arrives from the proxy's address. With the proxy
 * configured as trusted, the per-address caps count the address it forwards: one caller
 * flooding login challenges is refused (429) while the others behind the same proxy are
 * still served, and the proxy's own connections are not capped. X-Forwarded-For from a peer
 * that is not a trusted proxy is ignored (a caller cannot dodge its cap by forging it).
 * Before the fix the flood through the proxy locked everyone out. (The forwarded addresses
 * are documentation addresses in a header: no traffic goes to them.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { endpoints } from '../../../main/exchange/protocol.js';
import { startServer, type RunningServer } from '../../../server/app.js';

let work: string;
let server: RunningServer;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-proxy-'));
  server = await startServer({ dataDir: path.join(work, 'data'), trustedProxies: ['127.0.0.1'], caps: { connectionsPerAddress: 2 } });
});
afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

/** POSTs a challenge request from `localAddress`, with an X-Forwarded-For header when given; the status. */
function challenge(localAddress: string, forwardedFor?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
    const req = request(new URL(endpoints.challenge, server.url), { method: 'POST', localAddress, headers, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end('{}');
  });
}

it('counts the forwarded caller, not the proxy, for the challenge cap', async () => {
  const flood: number[] = [];
  for (let i = 0; i < 51; i++) flood.push(await challenge('127.0.0.1', '192.0.2.10'));
  expect(flood.slice(0, 50).every((c) => c === 200)).toBe(true);
  expect(flood[50]).toBe(429);
  // Another caller behind the same proxy is served; so is one forwarded through two of our proxies.
  expect(await challenge('127.0.0.1', '192.0.2.11')).toBe(200);
  expect(await challenge('127.0.0.1', '192.0.2.10, 127.0.0.1')).toBe(429);
  expect(await challenge('127.0.0.1', '192.0.2.12, 127.0.0.1')).toBe(200);
  // What the client wrote left of the proxy's entry does not count.
  expect(await challenge('127.0.0.1', '192.0.2.13, 192.0.2.10')).toBe(429);
});

it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
  for (let i = 0; i < 50; i++) expect(await challenge('127.0.0.2', `198.51.100.${i}`)).toBe(200);
  expect(await challenge('127.0.0.2', '198.51.100.200')).toBe(429);
  expect(await challenge('127.0.0.3')).toBe(200);
});

it("does not cap the proxy's own connections, but caps other addresses", async () => {
  const open = (localAddress: string) =>
    new Promise<{ socket: Socket; closed: Promise<void> }>((resolve) => {
      const socket = connect({ port: server.port, host: '127.0.0.1', localAddress }, () => resolve({ socket, closed }));
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.on('error', () => undefined);
    });
  const viaProxy = await Promise.all([0, 1, 2, 3].map(() => open('127.0.0.1')));
  const direct = await Promise.all([0, 1, 2].map(() => open('127.0.0.4')));
  await sleep(300);
  const isClosed = async (c: { closed: Promise<void> }) => Promise.race([c.closed.then(() => true), sleep(10).then(() => false)]);
  expect(await Promise.all(viaProxy.map(isClosed))).toEqual([false, false, false, false]);
  expect(await Promise.all(direct.map(isClosed))).toEqual([false, false, true]);
  for (const c of [...viaProxy, ...direct]) c.socket.destroy();
});

it('refuses a trusted proxy that is not an IP address', async () => {
  await expect(startServer({ dataDir: path.join(work, 'bad'), trustedProxies: ['proxy.local'] })).rejects.toMatchObject({ code: 'exBadRequest' });
});
