/**
 * Slow and greedy callers on real sockets: connections that send nothing, headers a byte at a
 * time, or a body a byte at a time are closed; only an authenticated upload that keeps moving
 * may take longer than a request's deadline, and it is closed once it goes silent; one
 * address cannot open more than its share of connections; one session cannot pile up event
 * streams, while a stream that is only pinged stays open. Before the fix all four slow
 * connections stayed open indefinitely (no body deadline, Node's 60 s header timeout checked
 * every 30 s) and event streams had no cap.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints, MESSAGE_ID_HEADER } from '../../../main/exchange/protocol.js';
import { addOrg, addUser } from '../../../server/admin.js';
import { startServer, type RunningServer, type ServerOptions } from '../../../server/app.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { call, code, events, ok, token } from './api.js';
import { issueUser, makePackage, ORGS, signerOf } from './fixtures.js';

let bed: TestBed;
let work: string;
let certFile: string;
let pkg: Buffer;
let signer: ReturnType<typeof signerOf>;

beforeAll(async () => {
  bed = await createTestBed();
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-slow-'));
  const a = await issueUser(bed, 'slow-a', 'Văn thư UBND');
  certFile = path.join(work, 'a.der');
  writeFileSync(certFile, a.der);
  signer = signerOf(bed, a);
  const { file } = await makePackage(work, signer, ORGS.A, [ORGS.B], { body: Buffer.alloc(64 << 10, 5) });
  pkg = readFileSync(file);
}, 180_000);
afterAll(async () => {
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

async function serve(extra: Partial<ServerOptions>): Promise<{ server: RunningServer; tok: string }> {
  const server = await startServer({ dataDir: mkdtempSync(path.join(work, 'data-')), trustFiles: [bed.certs.root.certPath], ...extra });
  await addOrg(server.repo, { ...ORGS.A, parent: null });
  await addOrg(server.repo, { ...ORGS.B, parent: ORGS.A.code });
  await addUser(server.repo, ORGS.A.code, certFile);
  return { server, tok: await token(server.url, signer) };
}

/** A raw TCP connection; `closed` resolves when the server closes it. */
function raw(port: number, localAddress = '127.0.0.1'): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress }, () => resolve({ socket, closed }));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined);
    socket.once('error', reject);
    socket.resume();
  });
}

/** Writes `text` one byte every `ms` until the socket closes. */
function dribble(socket: Socket, text: string, ms: number): void {
  let i = 0;
  const t = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(t);
    socket.write(text[i++]!);
  }, ms);
  socket.once('close', () => clearInterval(t));
}

/** True when `p` settles within `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), sleep(ms).then(() => false)]);
}

/** Uploads the package in `pieces` parts, waiting `gapMs` between them (and stopping after `stopAfter` parts). */
function paced(url: string, tok: string, pieces: number, gapMs: number, stopAfter = pieces): Promise<IncomingMessage | 'closed'> {
  return new Promise((resolve) => {
    const req = request(new URL(endpoints.packages, url), {
      method: 'POST', agent: false,
      headers: { authorization: `Bearer ${tok}`, [MESSAGE_ID_HEADER]: randomUUID(), 'content-type': 'application/xml', 'content-length': String(pkg.length) },
    }, resolve);
    req.on('error', () => resolve('closed'));
    req.on('close', () => setTimeout(() => resolve('closed'), 50));
    const size = Math.ceil(pkg.length / pieces);
    let i = 0;
    const next = () => {
      if (req.destroyed) return;
      if (i >= stopAfter) return;
      const part = pkg.subarray(i * size, (i + 1) * size);
      i++;
      if (i === pieces) req.end(part);
      else req.write(part, () => setTimeout(next, gapMs));
    };
    next();
  });
}

describe('time limits', () => {
  let server: RunningServer;
  let tok: string;
  beforeAll(async () => {
    ({ server, tok } = await serve({ timeouts: { headersMs: 600, requestMs: 1_500, idleMs: 1_200, uploadMaxMs: 30_000 }, eventPingMs: 200 }));
  });
  afterAll(() => server?.close());

  it('closes connections that send nothing, headers byte by byte, a body byte by byte, or no body', { timeout: 30_000 }, async () => {
    const nothing = await raw(server.port);
    const slowHeaders = await raw(server.port);
    dribble(slowHeaders.socket, 'POST /api/v1/auth/challenge HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(200), 200);
    const slowBody = await raw(server.port);
    slowBody.socket.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 300\r\n\r\n');
    dribble(slowBody.socket, '{"challengeId":"' + 'a'.repeat(280), 200);
    const noBody = await raw(server.port);
    noBody.socket.write(`POST ${endpoints.packages} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n`);
    const all = [nothing, slowHeaders, slowBody, noBody];
    const closed = await Promise.all(all.map((c) => within(c.closed, 8_000)));
    for (const c of all) c.socket.destroy();
    expect(closed).toEqual([true, true, true, true]);
  });

  it('lets an authenticated upload that keeps moving outlast the request deadline, and cuts it once silent', { timeout: 60_000 }, async () => {
    // 12 parts, 300 ms apart: about 3.3 s, more than twice the 1.5 s body deadline.
    const res = await paced(server.url, tok, 12, 300);
    expect(res).not.toBe('closed');
    expect((res as IncomingMessage).statusCode).toBe(201);
    (res as IncomingMessage).resume();
    // Half the package, then silence: closed after the idle limit, nothing stored.
    const before = (await server.repo.counts()).messages;
    const stalled = paced(server.url, tok, 12, 100, 6);
    expect(await within(stalled, 8_000)).toBe(true);
    expect(await stalled).toBe('closed');
    expect((await server.repo.counts()).messages).toBe(before);
  });

  it('keeps an event stream open past the idle limit: its pings are traffic', { timeout: 30_000 }, async () => {
    const stream = await events(server.url, tok);
    const ended = new Promise<void>((r) => stream.res.once('close', () => r()));
    expect(await within(ended, 3_000)).toBe(false);
    stream.close();
  });
});

describe('caps', () => {
  let server: RunningServer;
  beforeAll(async () => {
    ({ server } = await serve({ caps: { connectionsPerAddress: 3 } }));
  });
  afterAll(() => server?.close());

  it('one address cannot open more than its share of connections; another address is still served', { timeout: 30_000 }, async () => {
    const held = await Promise.all([0, 1, 2].map(() => raw(server.port)));
    const extra = await raw(server.port);
    expect(await within(extra.closed, 2_000)).toBe(true);
    // Another caller (here 127.0.0.2) is not locked out.
    const other = await raw(server.port, '127.0.0.2');
    other.socket.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const reply = await new Promise<string>((r) => {
      let s = '';
      other.socket.on('data', (c: Buffer) => (s += c.toString())).once('close', () => r(s));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    // A freed slot can be used again.
    held[0]!.socket.destroy();
    await held[0]!.closed;
    await sleep(50);
    const again = await raw(server.port);
    expect(await within(again.closed, 1_000)).toBe(false);
    for (const c of [...held, again]) c.socket.destroy();
  });

  it('one session cannot pile up event streams', { timeout: 30_000 }, async () => {
    const { server, tok } = await serve({ caps: { streamsPerSession: 2 } });
    try {
      await streamCap(server, tok);
    } finally {
      await server.close();
    }
  });
});

async function streamCap(server: RunningServer, tok: string): Promise<void> {
  {
    const s1 = await events(server.url, tok);
    const s2 = await events(server.url, tok);
    expect([s1.res.statusCode, s2.res.statusCode]).toEqual([200, 200]);
    const third = await call(server.url, 'GET', endpoints.events, { token: tok });
    expect([third.status, code(third)]).toEqual([429, 'exTooManyRequests']);
    // Another session of the same user is not affected; a closed stream frees its place.
    const other = await token(server.url, signer);
    const s3 = await events(server.url, other);
    expect(s3.res.statusCode).toBe(200);
    s1.close();
    await expect.poll(() => server.hub.count(ORGS.A.code), { timeout: 5_000 }).toBe(2);
    const s4 = await events(server.url, tok);
    expect(s4.res.statusCode).toBe(200);
    for (const s of [s2, s3, s4]) s.close();
    expect(ok(await call<{ name: string }>(server.url, 'GET', endpoints.health)).name).toBe('kyso-inbox');
  }
}
