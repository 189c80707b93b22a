/** HTTP plumbing for the inbox server: JSON envelopes, error mapping, bounded bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { isKysoError, KysoError } from '../main/api/errors.js';
import { t } from '../resources/locales/index.js';

const STATUS_OF: Record<string, number> = {
  exAuthRequired: 401,
  exChallengeInvalid: 401,
  exLoginSignatureInvalid: 401,
  exUnknownUser: 401,
  exCertUntrusted: 401,
  exCertExpired: 401,
  exCertRevoked: 401,
  exCertRevocationUnknown: 401,
  exForbidden: 403,
  exSenderMismatch: 403,
  exNotFound: 404,
  exMessageIdConflict: 409,
  exTooLarge: 413,
  edxmlTooLarge: 413,
  exTooManyRequests: 429,
  exBusy: 503,
};

/** Sends `{status:'OK', data}`. */
export function sendOk(res: ServerResponse, data: unknown, code = 200): void {
  const body = JSON.stringify({ status: 'OK', data });
  res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

/** Error codes of a request whose client went away: aborted upload, reset, closed early. */
const CLIENT_GONE = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED']);

/** True when a request failed because its client aborted, reset or closed the connection. */
export function isClientAbort(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CLIENT_GONE.has(code);
}

/** True when the client left before sending its whole request (whatever error that caused). */
export function requestGone(req: IncomingMessage): boolean {
  return !req.complete && req.destroyed;
}

/** What a failed request came to, for its one log line. */
export interface ErrorOutcome {
  /** The error code answered (or that would have been). */
  code: string;
  status: number;
  /** The client left first (the error code of its going, or 'request incomplete'): nothing was answered. */
  clientGone?: string;
  /** An unexpected error's own text and stack: for the server log only, never for the client. */
  internal?: string;
}

/**
 * Sends the failure envelope for an error; unexpected errors become a generic 500. A client
 * that went away is its own doing: no reply to a closed socket, and the outcome says so (the
 * caller's one log line, no stack: an unauthenticated flood of aborts must not fill the log
 * with traces). `gone`: the client is known to have left (requestGone), whatever the error.
 */
export function sendError(res: ServerResponse, e: unknown, gone = false): ErrorOutcome {
  const known = isKysoError(e);
  // An unexpected error's own text stays in the server log (it may show paths or SQL).
  const code = known ? e.code : 'exServerInternal';
  const params = known ? e.params : {};
  const status = known ? (STATUS_OF[e.code] ?? 400) : 500;
  if (isClientAbort(e) || gone) {
    res.destroy();
    return { code, status, clientGone: isClientAbort(e) ? (e as { code: string }).code : 'request incomplete' };
  }
  const internal = known ? undefined : e instanceof Error ? (e.stack ?? e.message) : String(e);
  if (res.headersSent) {
    res.destroy();
    return { code, status, ...(internal ? { internal } : {}) };
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(JSON.stringify({ status: 'FAIL', ErrorCode: code, ErrorDesc: t('en', `error.${code}`, params), params }));
  return { code, status, ...(internal ? { internal } : {}) };
}

/** Reads a small body completely (JSON, status messages), refusing more than `max` bytes. */
export async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) throw new KysoError('exTooLarge', { limit: max });
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > max) throw new KysoError('exTooLarge', { limit: max });
    parts.push(c as Buffer);
  }
  return Buffer.concat(parts);
}

/** Reads a JSON body (≤ 64 KiB). */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const b = await readBody(req, 64 * 1024);
  if (!b.length) return {};
  try {
    return JSON.parse(b.toString('utf8')) as unknown;
  } catch {
    throw new KysoError('exBadRequest', { reason: 'body is not JSON' });
  }
}

/**
 * The bearer token of a request: the Authorization header only. A session token in a URL
 * ends up in proxy and server logs and browser history; an EventSource, which cannot send
 * headers, uses a single-use ticket instead (Auth.issueTicket).
 */
export function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return h.slice(7).trim();
  return undefined;
}

/** An address as compared: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as plain IPv4. */
export function normalizeAddress(a: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return m ? m[1]! : a;
}

/**
 * The caller's address, for the per-address caps and the log. Behind a reverse proxy every
 * caller arrives from the proxy's address: when the peer is a configured trusted proxy, the
 * caller is the nearest address in X-Forwarded-For that is not one (the right-most entries
 * were added by our own proxies; what is left of them the client may have forged). Anything
 * unparsable there, and any peer that is not a trusted proxy, counts as the peer itself.
 */
export function clientAddress(req: IncomingMessage, trustedProxies: ReadonlySet<string>): string {
  const peer = normalizeAddress(req.socket.remoteAddress ?? '');
  if (!trustedProxies.has(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((h) => normalizeAddress(h.trim())).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!isIP(hop)) return peer;
    if (!trustedProxies.has(hop)) return hop;
  }
  return peer;
}
