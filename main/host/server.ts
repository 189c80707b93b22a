/**
 * The browser host: serves the built renderer over http on 127.0.0.1 and the contract over
 * a WebSocket at /ws, guarded by a per-run session secret and the page's Origin. Used where
 * Electron is absent (CI, servers, the E2E tests).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { wsPath } from '../api/transport.js';
import type { Core } from '../services/core.js';
import { attachClient } from './session.js';
import { newSecret, secretMatches } from './secret.js';
import { securityHeaders, serveStatic } from './static-files.js';

/** Options of the browser host. */
export interface HostOptions {
  core: Core;
  /** Folder with the built renderer (index.html + assets). */
  rendererDir: string;
  /** TCP port on 127.0.0.1; 0 or undefined picks a free one. */
  port?: number;
  /** Session secret; a fresh random one by default (tests may pass their own). */
  secret?: string;
}

/** A running browser host. */
export interface Host {
  /** The page URL, secret included: share it only with the user's own browser. */
  readonly url: string;
  readonly port: number;
  readonly origin: string;
  /** Closes every WebSocket and the http server (the core is closed by its owner). */
  close(): Promise<void>;
}

/** Largest accepted WebSocket message: inputs are paths and metadata, not documents. */
const maxPayload = 8 * 1024 * 1024;

/** Refuses an upgrade with a bare http status, without saying which check failed. */
function refuse(socket: Socket, status: number): void {
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Starts the host on 127.0.0.1 and resolves once it listens. */
export async function startHost(options: HostOptions): Promise<Host> {
  const secret = options.secret ?? newSecret();
  let origin = '';
  const server = http.createServer((req, res) => {
    // Host header check defeats DNS rebinding: only our own loopback name is served.
    if (req.headers.host !== new URL(origin).host) {
      res.writeHead(421, securityHeaders(origin)).end();
      return;
    }
    serveStatic(options.rendererDir, origin, req, res);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload });
  const clients = new Set<WebSocket>();

  server.on('upgrade', (req, socket: Socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const okPath = url.pathname === wsPath;
    const okHost = req.headers.host === new URL(origin).host;
    const okOrigin = req.headers.origin === origin;
    const okSecret = secretMatches(secret, url.searchParams.get('s'));
    if (!okPath) return refuse(socket, 404);
    if (!okHost || !okOrigin || !okSecret) return refuse(socket, 403);
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      const detach = attachClient(ws, options.core);
      ws.on('close', () => {
        clients.delete(ws);
        detach();
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/#s=${secret}`,
    port,
    origin,
    close: async () => {
      for (const ws of clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
