/** Serves the built renderer (dist/renderer) over http with strict security headers. */
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json; charset=utf-8',
  '.bcmap': 'application/octet-stream',
  '.pfb': 'application/octet-stream',
  '.wasm': 'application/wasm',
};

/**
 * The page's Content-Security-Policy: only our own scripts, no inline script, no eval, and
 * WebSocket connections only to this host. React sets styles through the CSSOM, which CSP
 * does not block, so no 'unsafe-inline' is needed for them.
 */
export function contentSecurityPolicy(origin?: string): string {
  // Without an origin (Electron's kyso-app://) the page has no network at all: only IPC.
  const connect = origin ? `connect-src 'self' ${origin.replace(/^http/, 'ws')}` : "connect-src 'self'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    connect,
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Headers sent with every response of the host. */
export function securityHeaders(origin: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(origin),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

/** Page shown when the renderer has not been built yet. */
const notBuiltPage =
  '<!doctype html><meta charset="utf-8"><title>Kyso</title>' +
  '<p>Giao diện chưa được build: chạy <code>npm run build</code>.</p>' +
  '<p>The UI is not built yet: run <code>npm run build</code>.</p>';

/** Resolves a URL path inside root; undefined when it escapes root or names no file. */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const full = path.resolve(root, rel);
  if (full !== root && !full.startsWith(root + path.sep)) return undefined;
  try {
    return statSync(full).isFile() ? full : undefined;
  } catch {
    return undefined;
  }
}

/** Answers one GET/HEAD request from the renderer directory. */
export function serveStatic(root: string, origin: string, req: IncomingMessage, res: ServerResponse): void {
  const headers = securityHeaders(origin);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
    return;
  }
  const file = resolveStaticPath(path.resolve(root), req.url ?? '/');
  if (!file) {
    const isIndex = (req.url ?? '/').split('?')[0] === '/';
    if (isIndex) {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }).end(notBuiltPage);
    } else {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
    }
    return;
  }
  const type = mimeTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, { ...headers, 'Content-Type': type });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}
