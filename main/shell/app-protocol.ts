/** The kyso-app:// protocol handler: serves dist/renderer with the shell's CSP, never file://. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveStaticPath } from '../host/static-files.js';
import { appOrigin, shellCsp } from './security.js';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** Builds the handler given to protocol.handle (a fetch-style Request -> Response). */
export function appProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const root = path.resolve(rendererDir);
  return async (request) => {
    const url = new URL(request.url);
    const headers = { 'Content-Security-Policy': shellCsp(), 'X-Content-Type-Options': 'nosniff' };
    if (`${url.protocol}//${url.host}` !== appOrigin || request.method !== 'GET') {
      return new Response(null, { status: 404, headers });
    }
    const file = resolveStaticPath(root, url.pathname);
    if (!file) return new Response(null, { status: 404, headers });
    const body = await readFile(file);
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: { ...headers, 'Content-Type': types[path.extname(file).toLowerCase()] ?? 'application/octet-stream' },
    });
  };
}
