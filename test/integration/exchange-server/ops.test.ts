/**
 * Operating one instance: liveness and readiness probes, Prometheus metrics on their own
 * listener only, request ids (a trusted proxy's kept, anyone else's replaced), JSON log lines
 * without tokens or tickets, a graceful stop (an upload in flight finishes, event streams get
 * a reconnect hint, new connections are refused, an upload past the bound is cut), and the
 * one-instance rule of SQLite.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { endpoints, MESSAGE_ID_HEADER } from '../../../main/exchange/protocol.js';
import type { Signer } from '../../../main/pki/signer.js';
import { addOrg, addUser } from '../../../server/admin.js';
import { startServer, type RunningServer, type ServerOptions } from '../../../server/app.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { call, makeTicket, sendPackage, token } from './api.js';
import { issueUser, makePackage, ORGS, signerOf } from './fixtures.js';

let bed: TestBed;
let work: string;
let a: Signer;
let b: Signer;
let pkgFile: string;

/** A server with its own data directory, organizations and users; its log lines collected. */
async function server(extra: Partial<ServerOptions> = {}, dataDir = mkdtempSync(path.join(work, 'data-'))): Promise<{ srv: RunningServer; lines: string[]; dataDir: string }> {
  const lines: string[] = [];
  const srv = await startServer({ dataDir, trustFiles: [bed.certs.root.certPath], sweep: false, log: (l) => void lines.push(l), ...extra });
  if (!(await srv.repo.org(ORGS.A.code))) {
    await addOrg(srv.repo, { ...ORGS.A, parent: null });
    await addOrg(srv.repo, { ...ORGS.B, parent: ORGS.A.code });
    for (const [signer, org, n] of [[a, ORGS.A, 'a'], [b, ORGS.B, 'b']] as const) {
      const f = path.join(dataDir, `${n}.der`);
      writeFileSync(f, signer.certificate);
      await addUser(srv.repo, org.code, f);
    }
  }
  return { srv, lines, dataDir };
}

/** Uploads a package in slices, `gapMs` apart; resolves with the HTTP status (0 when cut). */
function slowUpload(url: string, tok: string, body: Buffer, slices: number, gapMs: number, started: () => void): Promise<number> {
  return new Promise((resolve) => {
    const req = request(new URL(endpoints.packages, url), {
      method: 'POST', agent: false,
      headers: { authorization: `Bearer ${tok}`, [MESSAGE_ID_HEADER]: randomUUID(), 'content-type': 'application/xml', 'content-length': String(body.length) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    const size = Math.ceil(body.length / slices);
    let i = 0;
    const next = () => {
      if (i === 1) started();
      if (i >= slices) return void req.end();
      req.write(body.subarray(i * size, (i + 1) * size));
      i++;
      setTimeout(next, gapMs);
    };
    next();
  });
}

/** Opens an event stream and collects its raw text. */
function rawStream(url: string, tok: string): Promise<{ text: () => string; ended: Promise<void>; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(endpoints.events, url), { headers: { authorization: `Bearer ${tok}` }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      const ended = new Promise<void>((r) => res.on('end', () => r()).on('close', () => r()));
      resolve({ text: () => text, ended, res });
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-ops-'));
  bed = await createTestBed();
  const [ca, cb] = await Promise.all([issueUser(bed, 'ops-a', 'Văn thư UBND'), issueUser(bed, 'ops-b', 'Văn thư Sở Tài chính')]);
  a = signerOf(bed, ca);
  b = signerOf(bed, cb);
  pkgFile = (await makePackage(work, a, ORGS.A, [ORGS.B], { body: Buffer.alloc(3 << 20, 0x41) })).file;
}, 180_000);

afterAll(async () => {
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

it('probes, metrics on their own listener, request ids, and log lines without secrets', { timeout: 60_000 }, async () => {
  const { srv, lines } = await server({ metrics: { host: '127.0.0.1', port: 0 }, trustedProxies: ['127.0.0.1'] });
  try {
    expect(await (await fetch(`${srv.url}/healthz`)).json()).toEqual({ status: 'alive' });
    const ready = await fetch(`${srv.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', blobs: 'ok', events: 'ok' } });

    const tokA = await token(srv.url, a);
    const tokB = await token(srv.url, b);
    const ticket = await makeTicket(srv.url, tokB);
    const stream = await fetch(`${srv.url}${endpoints.events}?ticket=${ticket}`);
    const sent = await sendPackage(srv.url, tokA, randomUUID(), { file: pkgFile });
    expect(sent.status).toBe(201);

    // /metrics: only on the metrics listener.
    expect((await fetch(`${srv.url}/metrics`)).status).toBe(404);
    const text = await (await fetch(`${srv.metricsUrl}/metrics`)).text();
    expect(text).toContain('kyso_deliveries_total 1\n');
    expect(text).toContain('kyso_event_streams_open 1\n');
    expect(text).toContain('kyso_packages_total{outcome="accepted"} 1\n');
    expect(text).toMatch(/kyso_http_request_duration_seconds_bucket\{route="\/api\/v1\/packages",le="\+Inf"\} 1\n/);
    expect(text).toMatch(/kyso_http_requests_total\{route="\/api\/v1\/auth\/login",method="POST",code="200"\} 2\n/);
    expect(text).toMatch(/kyso_events_sent_total\{type="inbox"\} 1\n/);
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(text).toContain('kyso_relay_queue_depth 0\n');
    srv.metrics.relayQueueDepth.from(() => 7);
    expect(await (await fetch(`${srv.metricsUrl}/metrics`)).text()).toContain('kyso_relay_queue_depth 7\n');
    await stream.body?.cancel();

    // The trusted proxy's request id is kept (and answered); a bad one is replaced.
    const kept = await fetch(`${srv.url}/api/v1/health`, { headers: { 'x-request-id': 'nginx-4f2a9c' } });
    expect(kept.headers.get('x-request-id')).toBe('nginx-4f2a9c');
    const bad = await fetch(`${srv.url}/api/v1/health`, { headers: { 'x-request-id': 'two words; and "quotes"' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    // One JSON line per request; the org and user once authenticated; no token or ticket anywhere.
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const upload = parsed.find((l) => l.route === '/api/v1/packages')!;
    expect(upload).toMatchObject({ level: 'info', msg: 'request', method: 'POST', status: 201, org: ORGS.A.code, client: '127.0.0.1' });
    expect(typeof upload.ms).toBe('number');
    expect(parsed.find((l) => l.reqId === 'nginx-4f2a9c')).toMatchObject({ path: '/api/v1/health', status: 200 });
    const all = lines.join('');
    for (const secret of [tokA, tokB, decodeURIComponent(ticket)]) expect(all).not.toContain(secret);
    expect(parsed.find((l) => l.msg === 'event stream')?.path).toBe('/api/v1/events');
  } finally {
    await srv.close();
  }
  // Without the proxy setting, a caller's X-Request-Id is not taken.
  const { srv: plain } = await server();
  try {
    const r = await fetch(`${plain.url}/api/v1/health`, { headers: { 'x-request-id': 'chosen-by-caller' } });
    expect(r.headers.get('x-request-id')).not.toBe('chosen-by-caller');
  } finally {
    await plain.close();
  }
});

it('a graceful stop lets an upload in flight finish, tells streams to reconnect and refuses new connections', { timeout: 60_000 }, async () => {
  const { srv } = await server();
  const tokA = await token(srv.url, a);
  const stream = await rawStream(srv.url, await token(srv.url, b));
  const body = readFileSync(pkgFile);
  let inFlight!: () => void;
  const begun = new Promise<void>((r) => (inFlight = r));
  const upload = slowUpload(srv.url, tokA, body, 12, 100, inFlight);
  await begun;
  const stopping = srv.shutdown(10_000);
  await stream.ended;
  expect(stream.text()).toMatch(/retry: 1000\nevent: shutdown\ndata: \{"type":"shutdown","retryMs":1000\}\n\n$/);
  await expect(fetch(`${srv.url}/healthz`)).rejects.toThrow();
  expect(await upload).toBe(201);
  expect(await stopping).toBe(0);
  expect((await srv.repo.counts().catch(() => null))).toBeNull(); // closed
});

it('a graceful stop cuts an upload that outlasts the bound', { timeout: 60_000 }, async () => {
  const { srv, lines } = await server();
  const tokA = await token(srv.url, a);
  let inFlight!: () => void;
  const begun = new Promise<void>((r) => (inFlight = r));
  const upload = slowUpload(srv.url, tokA, readFileSync(pkgFile), 40, 100, inFlight);
  await begun;
  expect(await srv.shutdown(300)).toBe(1);
  expect(await upload).toBe(0);
  expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'stopped')).toMatchObject({ cut: 1 });
});

it('SQLite serves one instance: a second server on the same data directory is refused with the first one\'s process id', async () => {
  const { srv, dataDir } = await server();
  try {
    await expect(startServer({ dataDir, trustFiles: [bed.certs.root.certPath], sweep: false, log: () => undefined })).rejects.toMatchObject({ code: 'serverDataInUse', params: { pid: process.pid } });
    // The refused start left the first one serving.
    expect((await call(srv.url, 'GET', endpoints.health)).status).toBe(200);
  } finally {
    await srv.close();
  }
  // A crash leaves the pid file of a process that is gone: the next start takes over.
  writeFileSync(path.join(dataDir, 'server.pid'), JSON.stringify({ pid: 2 ** 22 + 1, host: os.hostname() }));
  const again = await startServer({ dataDir, trustFiles: [bed.certs.root.certPath], sweep: false, log: () => undefined });
  await again.close();
});
