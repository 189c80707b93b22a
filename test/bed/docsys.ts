/**
 * A "document system" for the local signing service's tests, e2e and benchmark: a loopback
 * HTTP site that serves PDFs to a signed-in session, receives signed files the way VGCA
 * integrations do (multipart field `uploadfile` to an upload handler that answers JSON), and
 * serves a web page that calls the service with the public client libraries' wire messages.
 * Misbehaving routes: not a PDF, 404, endless body, slow body, failing and hanging handler.
 * Uploads are streamed to disk, never buffered (the benchmark sends 100 MB).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, openSync, readSync, closeSync, statSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/** The session cookie and bearer token the site expects (tests check they are forwarded). */
export const DOCSYS_SESSION = { cookie: 'ASP.NET_SessionId', sessionId: 'phien-7f3a9c', jwt: 'eyJ0ZXN0Ijoiand0In0.kyso.test' };

/** One upload the handler received. */
export interface ReceivedUpload {
  /** Path of the handler that got it ('/upload'). */
  handler: string;
  /** The multipart fields besides the file, in order. */
  fields: Array<{ name: string; value: string }>;
  fileName: string;
  /** The uploaded file, saved. */
  file: string;
  size: number;
  cookie: string | undefined;
  authorization: string | undefined;
  /** The JSON the handler answered (sent back verbatim by the service as FileServer). */
  answer: string;
}

/** A running document system. */
export interface DocSys {
  origin: string;
  port: number;
  uploads: ReceivedUpload[];
  /** Requests per path (to prove that nothing was fetched or posted). */
  hits: Map<string, number>;
  /** Serves `file` at `/files/<name>` (the session is required). */
  addFile(name: string, file: string): string;
  /** Serves a page (e2e: the client code). */
  setPage(pathname: string, html: string): void;
  close(): Promise<void>;
}

interface Multipart {
  fields: Array<{ name: string; value: string }>;
  fileName: string;
  start: number;
  end: number;
}

/** Finds the fields and the `uploadfile` part in a body saved to disk (fields first, file last). */
function parseMultipart(file: string, boundary: string): Multipart | undefined {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const headLen = Math.min(size, 256 << 10);
    const head = Buffer.alloc(headLen);
    readSync(fd, head, 0, headLen, 0);
    const tailLen = Math.min(size, 256);
    const tail = Buffer.alloc(tailLen);
    readSync(fd, tail, 0, tailLen, size - tailLen);
    const close = Buffer.from(`\r\n--${boundary}--\r\n`);
    if (!tail.subarray(tailLen - close.length).equals(close)) return undefined;
    const fields: Multipart['fields'] = [];
    const delim = Buffer.from(`--${boundary}\r\n`);
    let pos = 0;
    for (;;) {
      if (head.indexOf(delim, pos) !== pos) return undefined;
      const hEnd = head.indexOf('\r\n\r\n', pos);
      if (hEnd < 0) return undefined;
      const headers = head.subarray(pos + delim.length, hEnd).toString('utf8');
      const name = /name="([^"]*)"/.exec(headers)?.[1] ?? '';
      const fname = /filename="([^"]*)"/.exec(headers)?.[1];
      const body = hEnd + 4;
      if (fname !== undefined) return { fields, fileName: fname, start: body, end: size - close.length };
      const next = head.indexOf(`\r\n--${boundary}`, body);
      if (next < 0) return undefined;
      fields.push({ name, value: head.subarray(body, next).toString('utf8') });
      pos = next + 2;
    }
  } finally {
    closeSync(fd);
  }
}

/** Starts the site on a random loopback port; received files go under `dir`. */
export async function startDocSys(dir: string): Promise<DocSys> {
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, string>();
  const pages = new Map<string, string>();
  const uploads: ReceivedUpload[] = [];
  const hits = new Map<string, number>();
  const sessionOk = (req: IncomingMessage) =>
    (req.headers.cookie ?? '').split(/;\s*/).includes(`${DOCSYS_SESSION.cookie}=${DOCSYS_SESSION.sessionId}`) && req.headers.authorization === `Bearer ${DOCSYS_SESSION.jwt}`;
  const pending = new Set<ServerResponse>();

  const receive = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const boundary = /boundary=([^;]+)/.exec(req.headers['content-type'] ?? '')?.[1];
    const raw = path.join(dir, `raw-${randomBytes(6).toString('hex')}`);
    await pipeline(req, createWriteStream(raw));
    if (url.pathname === '/upload-fail') {
      rmSync(raw, { force: true });
      return void res.writeHead(500, { 'content-type': 'text/plain' }).end('Lỗi máy chủ');
    }
    if (url.pathname === '/upload-hang') {
      rmSync(raw, { force: true });
      pending.add(res);
      return;
    }
    const parts = boundary ? parseMultipart(raw, boundary) : undefined;
    if (!parts || !sessionOk(req)) {
      rmSync(raw, { force: true });
      return void res.writeHead(parts ? 401 : 400, { 'content-type': 'application/json' }).end(JSON.stringify({ Status: false, Message: parts ? 'session' : 'multipart' }));
    }
    const out = path.join(dir, `upload-${uploads.length + 1}-${parts.fileName.replace(/[^\w.-]/g, '_')}`);
    await pipeline(createReadStream(raw, { start: parts.start, end: parts.end - 1 }), createWriteStream(out));
    rmSync(raw, { force: true });
    // An answer with Vietnamese text and nested JSON: the page must get it byte for byte.
    const answer = JSON.stringify({ Status: true, Message: 'Đã nhận văn bản', FileName: parts.fileName, FileServer: `/files/signed/${uploads.length + 1}`, Extra: { id: uploads.length + 1 } });
    uploads.push({ handler: url.pathname, fields: parts.fields, fileName: parts.fileName, file: out, size: statSync(out).size, cookie: req.headers.cookie, authorization: req.headers.authorization, answer });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(answer);
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    if (req.method === 'POST') return void receive(req, res, url).catch(() => res.writeHead(500).end());
    const page = pages.get(url.pathname);
    if (page) return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    if (url.pathname.startsWith('/files/')) {
      const f = files.get(decodeURIComponent(url.pathname.slice(7)));
      if (!f) return void res.writeHead(404).end('not found');
      if (!sessionOk(req)) return void res.writeHead(401).end('session');
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': statSync(f).size });
      return void createReadStream(f).pipe(res);
    }
    if (url.pathname === '/notpdf') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Đăng nhập lại</body></html>');
    if (url.pathname === '/endless') {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.write('%PDF-1.7\n');
      const chunk = Buffer.alloc(64 << 10, 0x20);
      const pump = () => {
        while (res.write(chunk)) if (res.destroyed) return;
        res.once('drain', pump);
      };
      pump();
      return;
    }
    if (url.pathname === '/slow') {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.write('%PDF-1.7\n');
      const timer = setInterval(() => res.write(' '), 200);
      res.on('close', () => clearInterval(timer));
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    uploads,
    hits,
    addFile: (name, file) => {
      files.set(name, file);
      return `${origin}/files/${encodeURIComponent(name)}`;
    },
    setPage: (p, html) => void pages.set(p, html),
    close: async () => {
      for (const r of pending) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
