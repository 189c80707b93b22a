/**
 * The bounded fetcher (main/net/fetch.ts) against real loopback servers: the size cap is
 * enforced while the body streams (a server sending forever is cut off early, not buffered),
 * redirects are followed up to the limit and only to http(s), deadlines cover the body,
 * the caller's AbortSignal cancels, and https works with a CA made by OpenSSL.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchBytes, fetchToFile, openUrl } from '../../../main/net/fetch.js';
import { t } from '../../../resources/locales/index.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

let dir: string;
const servers: Server[] = [];
/** Bytes the streaming route managed to write before the client hung up. */
let streamed = 0;
let streamClosed: Promise<void> = Promise.resolve();

async function serve(handler: Handler, make: (h: (req: IncomingMessage, res: ServerResponse) => void) => Server = createServer): Promise<string> {
  const s = make((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const proto = make === createServer ? 'http' : 'https';
  return `${proto}://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

let base: string;
let other: string;

const routes: Record<string, Handler> = {
  '/hello': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('xin chào'),
  '/echo': (req, res, body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, type: req.headers['content-type'] ?? null, auth: req.headers.authorization ?? null, x: req.headers['x-kyso'] ?? null, body: body.toString() })),
  '/missing': (_req, res) => res.writeHead(404).end('no'),
  // Sends 64 KB chunks until the client goes away (or 64 MB, which the test must never see).
  '/forever': (_req, res) => {
    streamed = 0;
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 << 10, 1);
    streamClosed = new Promise((resolve) => {
      const pump = () => {
        while (streamed < 64 << 20) {
          streamed += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => resolve());
      pump();
    });
  },
  '/declared-big': (_req, res) => {
    res.writeHead(200, { 'content-length': String(10 << 20) });
    res.write(Buffer.alloc(1024));
  },
  '/pdf': (_req, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.7\n'),
  '/silent': () => undefined,
  '/drip': (_req, res) => {
    res.writeHead(200);
    const timer = setInterval(() => res.write('.'), 100);
    res.on('close', () => clearInterval(timer));
  },
  '/redirect-ftp': (_req, res) => res.writeHead(302, { location: 'ftp://127.0.0.1/x' }).end(),
  '/redirect-file': (_req, res) => res.writeHead(301, { location: 'file:///etc/passwd' }).end(),
  '/loop': (_req, res) => res.writeHead(302, { location: '/loop' }).end(),
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-net-'));
  other = await serve((req, res, body) => routes['/echo']!(req, res, body));
  base = await serve((req, res, body) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const hops = Number(u.searchParams.get('n') ?? 0);
    if (u.pathname === '/chain') return void res.writeHead(302, { location: hops > 0 ? `/chain?n=${hops - 1}` : '/hello' }).end();
    if (u.pathname === '/see-other') return void res.writeHead(303, { location: '/echo' }).end();
    if (u.pathname === '/temporary') return void res.writeHead(307, { location: '/echo' }).end();
    if (u.pathname === '/to-other') return void res.writeHead(302, { location: `${other}/echo` }).end();
    const r = routes[u.pathname];
    if (r) r(req, res, body);
    else res.writeHead(500).end();
  });
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections?.();
    await new Promise((r) => s.close(r));
  }
  rmSync(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<{ code: string; params: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; params: Record<string, unknown> };
  }
  throw new Error('expected a failure');
}

describe('fetchBytes', () => {
  it('GETs a body, and POSTs bytes with a content type, headers and basic auth', async () => {
    const r = await fetchBytes(`${base}/hello`);
    expect(r).toMatchObject({ status: 200, contentType: 'text/plain', url: `${base}/hello` });
    expect(r.body.toString()).toBe('xin chào');
    const p = await fetchBytes(`${base}/echo`, { body: Buffer.from('abc'), contentType: 'application/ocsp-request', headers: { 'X-Kyso': '1' }, auth: { username: 'u', password: 'p' } });
    expect(JSON.parse(p.body.toString())).toEqual({ method: 'POST', type: 'application/ocsp-request', auth: 'Basic ' + Buffer.from('u:p').toString('base64'), x: '1', body: 'abc' });
  });

  it('sends a sequence body (bytes, text and a file streamed from disk) with its total length', async () => {
    const f = path.join(dir, 'part.bin');
    writeFileSync(f, 'FILE-CONTENT');
    const r = await fetchBytes(`${base}/echo`, { body: { parts: ['--b\r\n', Buffer.from('x'), { file: f }, '\r\n--b--'] }, contentType: 'multipart/form-data; boundary=b' });
    expect(JSON.parse(r.body.toString())).toMatchObject({ method: 'POST', body: '--b\r\nxFILE-CONTENT\r\n--b--' });
  });

  it('cuts a body that passes the cap while it streams, without reading the rest', async () => {
    const e = await failure(fetchBytes(`${base}/forever`, { maxBytes: 256 << 10 }));
    expect(e).toMatchObject({ code: 'netTooLarge', params: { limit: '256 KB' } });
    await streamClosed;
    // A fetcher that buffered first would have taken all 64 MB; kernel buffers hold a few MB at most.
    expect(streamed).toBeLessThan(16 << 20);
    expect(t('vi', `error.${e.code}`, e.params)).toContain('256 KB');
  });

  it('refuses a declared length above the cap before reading the body', async () => {
    expect(await failure(fetchBytes(`${base}/declared-big`, { maxBytes: 1 << 20 }))).toMatchObject({ code: 'netTooLarge' });
  });

  it('names HTTP errors, dead servers and non-http URLs', async () => {
    expect(await failure(fetchBytes(`${base}/missing`))).toMatchObject({ code: 'netHttpStatus', params: { status: 404, detail: 'HTTP 404' } });
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    expect(await failure(fetchBytes(`http://127.0.0.1:${port}/`))).toMatchObject({ code: 'netUnreachable', params: { url: `http://127.0.0.1:${port}/` } });
    expect(await failure(fetchBytes('file:///etc/passwd'))).toMatchObject({ code: 'netBadUrl' });
    expect(await failure(fetchBytes('not a url'))).toMatchObject({ code: 'netBadUrl' });
    const e = await failure(fetchBytes(`http://user:secret@127.0.0.1:${port}/`));
    expect(JSON.stringify(e.params)).not.toContain('secret');
  });

  it('returns an error answer with its body when the caller reads error documents (anyStatus), and sends DELETE', async () => {
    const r = await fetchBytes(`${base}/missing`, { anyStatus: true });
    expect({ status: r.status, body: r.body.toString() }).toEqual({ status: 404, body: 'no' });
    const d = await fetchBytes(`${base}/echo`, { method: 'DELETE' });
    expect(JSON.parse(d.body.toString())).toMatchObject({ method: 'DELETE', body: '' });
  });

  it('checks the media type before the body', async () => {
    expect((await fetchBytes(`${base}/pdf`, { contentTypes: ['application/pdf'] })).body.toString()).toBe('%PDF-1.7\n');
    expect(await failure(fetchBytes(`${base}/hello`, { contentTypes: ['application/pdf'] }))).toMatchObject({ code: 'netBadContentType', params: { type: 'text/plain' } });
  });
});

describe('redirects', () => {
  it('follows up to the limit and reports the final URL', async () => {
    const r = await fetchBytes(`${base}/chain?n=3`, { maxRedirects: 4 });
    expect(r.url).toBe(`${base}/hello`);
    expect(r.body.toString()).toBe('xin chào');
    expect(await failure(fetchBytes(`${base}/chain?n=3`, { maxRedirects: 2 }))).toMatchObject({ code: 'netRedirectLimit', params: { max: 2 } });
    expect(await failure(fetchBytes(`${base}/loop`))).toMatchObject({ code: 'netRedirectLimit', params: { max: 5 } });
    expect(await failure(fetchBytes(`${base}/chain?n=0`, { maxRedirects: 0 }))).toMatchObject({ code: 'netRedirectLimit' });
  });

  it('refuses redirects to other schemes, or where the caller says no', async () => {
    expect(await failure(fetchBytes(`${base}/redirect-ftp`))).toMatchObject({ code: 'netBadRedirect', params: { location: 'ftp://127.0.0.1/x' } });
    expect(await failure(fetchBytes(`${base}/redirect-file`))).toMatchObject({ code: 'netBadRedirect' });
    const sameOrigin = (from: URL, to: URL) => from.origin === to.origin;
    expect(await failure(fetchBytes(`${base}/to-other`, { allowRedirect: sameOrigin }))).toMatchObject({ code: 'netBadRedirect' });
  });

  it('turns POST into GET on 303, keeps it on 307, drops credentials across origins', async () => {
    const seeOther = JSON.parse((await fetchBytes(`${base}/see-other`, { body: 'x', contentType: 'text/plain' })).body.toString());
    expect(seeOther).toMatchObject({ method: 'GET', body: '', type: null });
    const temporary = JSON.parse((await fetchBytes(`${base}/temporary`, { body: 'x', contentType: 'text/plain' })).body.toString());
    expect(temporary).toMatchObject({ method: 'POST', body: 'x', type: 'text/plain' });
    const cross = JSON.parse((await fetchBytes(`${base}/to-other`, { auth: { username: 'u', password: 'p' }, headers: { 'x-kyso': '2' } })).body.toString());
    expect(cross).toMatchObject({ auth: null, x: '2' });
  });
});

describe('deadline and cancel', () => {
  it('gives up on a silent server and on a body that drips past the deadline', async () => {
    const t0 = Date.now();
    expect(await failure(fetchBytes(`${base}/silent`, { timeoutMs: 300 }))).toMatchObject({ code: 'netTimeout', params: { seconds: 0.3 } });
    expect(await failure(fetchBytes(`${base}/drip`, { timeoutMs: 500 }))).toMatchObject({ code: 'netTimeout' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('fails with cancelled when the caller aborts, before or during the exchange', async () => {
    expect(await failure(fetchBytes(`${base}/hello`, { signal: AbortSignal.abort() }))).toMatchObject({ code: 'cancelled' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    expect(await failure(fetchBytes(`${base}/drip`, { signal: ac.signal, timeoutMs: 10_000 }))).toMatchObject({ code: 'cancelled' });
    const ac2 = new AbortController();
    const s = await openUrl(`${base}/drip`, { signal: ac2.signal });
    setTimeout(() => ac2.abort(), 100);
    const read = (async () => {
      for await (const _ of s.body) void _;
    })();
    expect(await failure(read)).toMatchObject({ code: 'cancelled' });
  });
});

describe('fetchToFile', () => {
  it('streams into a file, and removes the partial file when the cap is passed', async () => {
    const dest = path.join(dir, 'a.pdf');
    const r = await fetchToFile(`${base}/pdf`, dest, { contentTypes: ['application/pdf'] });
    expect(r.bytes).toBe(9);
    expect(readFileSync(dest, 'utf8')).toBe('%PDF-1.7\n');
    const big = path.join(dir, 'big.bin');
    expect(await failure(fetchToFile(`${base}/forever`, big, { maxBytes: 1 << 20 }))).toMatchObject({ code: 'netTooLarge' });
    expect(existsSync(big)).toBe(false);
    expect(await failure(fetchToFile(`${base}/pdf`, path.join(dir, 'no-such-dir', 'x.pdf')))).toMatchObject({ code: 'fileWrite' });
  });
});

describe('https', () => {
  it('trusts a CA given in the options (and not otherwise)', async () => {
    const key = path.join(dir, 'tls.key');
    const cert = path.join(dir, 'tls.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const tlsBase = await serve((_req, res) => res.writeHead(200).end('tls ok'), (h) => createTlsServer({ key: readFileSync(key), cert: readFileSync(cert) }, h));
    expect((await fetchBytes(`${tlsBase}/`, { tls: { ca: readFileSync(cert) } })).body.toString()).toBe('tls ok');
    expect(await failure(fetchBytes(`${tlsBase}/`))).toMatchObject({ code: 'netUnreachable' });
  });
});
