/**
 * The service's sockets: TLS on loopback only (the VGCA port on 127.0.0.1, the VNPT-CA port
 * on localhost: 127.0.0.1 and ::1), the Host header checked against our own names (a DNS
 * rebinding page cannot reach us under another name), the Origin header taken from the
 * WebSocket handshake. VGCA connections carry one request and get one reply; VNPT-CA
 * connections carry several calls, answered in order.
 */
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { KysoError } from '../api/errors.js';
import type { LocalTls } from './tls/local-ca.js';

/** One request as the handlers see it. */
export interface SocketRequest {
  origin: string | undefined;
  path: string;
  message: string;
  signal: AbortSignal;
}

/** What the listeners need. */
export interface ListenerOptions {
  tls: Pick<LocalTls, 'certPem' | 'keyPem'>;
  vgcaPort: number;
  /** VNPT-CA ports to try in order; empty: no VNPT-CA listener. */
  vnptPorts: number[];
  vgca(req: SocketRequest): Promise<string>;
  /** A reply as text, or as UTF-8 bytes (a large signed PDF in base64, never turned into a string). */
  vnpt(req: SocketRequest): Promise<string | Buffer>;
  /** Largest VNPT-CA message (a base64 PDF). */
  vnptMaxPayload: number;
  /** Most open connections at once (beyond: refused with 503). */
  maxConnections?: number;
}

/** A port's state. */
export interface PortState {
  port: number | null;
  error?: { code: string; params: Record<string, string | number> };
}

/** The running listeners. */
export interface Listeners {
  vgca: PortState;
  vnpt: PortState;
  close(): Promise<void>;
}

/** Largest VGCA message: JSON with addresses, never a document. */
const VGCA_MAX_PAYLOAD = 4 << 20;
/** A VGCA connection that sends nothing is closed after this long. */
const FIRST_MESSAGE_MS = 60_000;

function refuse(socket: Socket, status: number): void {
  socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** True when the Host header names this service (127.0.0.1, localhost or [::1] with our port). */
function ownHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}`;
}

const PAGE = '<!doctype html><meta charset="utf-8"><title>Kyso</title><p>Dịch vụ ký số Kyso đang chạy. / The Kyso signing service is running.</p>';

async function listen(server: https.Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

async function closeServer(server: https.Server, wss: WebSocketServer): Promise<void> {
  for (const ws of wss.clients) ws.terminate();
  wss.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

/** A TLS server with its WebSocket endpoint on one port and address. */
function makeServer(o: ListenerOptions, port: () => number, kind: 'vgca' | 'vnpt', counter: { n: number }): { server: https.Server; wss: WebSocketServer } {
  const server = https.createServer({ key: o.tls.keyPem, cert: o.tls.certPem, minVersion: 'TLSv1.2' }, (req, res) => {
    if (!ownHost(req.headers.host, port())) return void res.writeHead(421).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(PAGE);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: kind === 'vgca' ? VGCA_MAX_PAYLOAD : o.vnptMaxPayload });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head) => {
    if (!ownHost(req.headers.host, port())) return refuse(socket, 421);
    const path = new URL(req.url ?? '/', 'https://localhost').pathname;
    if (kind === 'vnpt' && path !== '/plugin') return refuse(socket, 404);
    if (counter.n >= (o.maxConnections ?? 64)) return refuse(socket, 503);
    wss.handleUpgrade(req, socket, head, (ws) => {
      counter.n++;
      ws.once('close', () => counter.n--);
      const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
      if (kind === 'vgca') serveVgca(ws, o, origin, req.url ?? '/');
      else serveVnpt(ws, o, origin);
    });
  });
  return { server, wss };
}

function send(ws: WebSocket, text: string | Buffer): void {
  if (ws.readyState === ws.OPEN) ws.send(text, { binary: false });
}

function serveVgca(ws: WebSocket, o: ListenerOptions, origin: string | undefined, path: string): void {
  const abort = new AbortController();
  const idle = setTimeout(() => ws.close(1000), FIRST_MESSAGE_MS);
  ws.once('close', () => {
    clearTimeout(idle);
    abort.abort();
  });
  // Only the first message counts: the client library sends one and waits for the reply.
  ws.once('message', (data, isBinary) => {
    clearTimeout(idle);
    const message = isBinary ? '' : data.toString();
    void o.vgca({ origin, path, message, signal: abort.signal }).then((reply) => {
      send(ws, reply);
      ws.close(1000);
    });
  });
}

function serveVnpt(ws: WebSocket, o: ListenerOptions, origin: string | undefined): void {
  const abort = new AbortController();
  ws.once('close', () => abort.abort());
  // Calls are answered in the order they came: the library pairs replies with its promises.
  let chain = Promise.resolve();
  ws.on('message', (data, isBinary) => {
    const message = isBinary ? '' : data.toString();
    chain = chain.then(async () => {
      if (abort.signal.aborted) return;
      send(ws, await o.vnpt({ origin, path: '/plugin', message, signal: abort.signal }));
    });
  });
}

/**
 * Starts the listeners. The VGCA port must be free (servicePortInUse otherwise); the VNPT-CA
 * one takes the first free port of its list, and reports an error instead of failing.
 */
export async function startListeners(o: ListenerOptions): Promise<Listeners> {
  const counter = { n: 0 };
  const servers: Array<{ server: https.Server; wss: WebSocketServer }> = [];
  const vgca = makeServer(o, () => vgcaPort, 'vgca', counter);
  let vgcaPort = o.vgcaPort;
  try {
    await listen(vgca.server, o.vgcaPort, '127.0.0.1');
  } catch (e) {
    await closeServer(vgca.server, vgca.wss);
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new KysoError('servicePortInUse', { port: o.vgcaPort });
    throw e;
  }
  vgcaPort = (vgca.server.address() as AddressInfo).port;
  servers.push(vgca);
  const vnpt: PortState = { port: null };
  let vnptPort = 0;
  for (const p of o.vnptPorts) {
    const v4 = makeServer(o, () => vnptPort, 'vnpt', counter);
    try {
      await listen(v4.server, p, '127.0.0.1');
    } catch (e) {
      await closeServer(v4.server, v4.wss);
      vnpt.error = (e as NodeJS.ErrnoException).code === 'EADDRINUSE' ? { code: 'servicePortInUse', params: { port: p } } : { code: 'internal', params: { detail: String(e) } };
      continue;
    }
    vnptPort = (v4.server.address() as AddressInfo).port;
    servers.push(v4);
    // "localhost" may resolve to ::1 first: answer there too when the system has IPv6.
    const v6 = makeServer(o, () => vnptPort, 'vnpt', counter);
    try {
      await listen(v6.server, vnptPort, '::1');
      servers.push(v6);
    } catch {
      await closeServer(v6.server, v6.wss);
    }
    vnpt.port = vnptPort;
    delete vnpt.error;
    break;
  }
  return {
    vgca: { port: vgcaPort },
    vnpt,
    close: async () => {
      await Promise.all(servers.map((s) => closeServer(s.server, s.wss)));
    },
  };
}
