/**
 * The engines' one HTTP client for servers Kyso does not run: OCSP responders, CRL and AIA
 * issuer URLs, timestamp authorities, and (next) a web page's PDF for the local signing
 * service and the national axis gateway. Every exchange is bounded: one deadline for all of
 * it (connect, redirects, body), a body size cap enforced while reading (a hostile server
 * never makes us buffer more than the cap), redirects followed up to a limit and only to
 * http(s), the caller's AbortSignal. Failures are KysoErrors with `net*` codes (messages in
 * resources/locales/net.ts) whose `detail` param is a short technical text for wrappers.
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { SecureContextOptions } from 'node:tls';
import { KysoError, isKysoError } from '../api/errors.js';
import { isErrorOfKind } from '../api/error-kinds.js';

/** One piece of a sequence body: bytes, text, or a file streamed from disk. */
export type BodyPart = Uint8Array | string | { file: string };

/**
 * A request body: bytes or text (sent with a Content-Length), a file streamed from disk, or
 * a sequence of those sent one after the other (a multipart upload of a large signed file
 * without holding it in memory).
 */
export type FetchBody = Uint8Array | string | { file: string } | { parts: BodyPart[] };

/** Options of one exchange. */
export interface FetchOptions {
  /** Default GET, or POST when there is a body. */
  method?: 'GET' | 'POST' | 'PUT' | 'HEAD' | 'DELETE';
  headers?: Record<string, string>;
  body?: FetchBody;
  /** Content-Type of the body (also settable through `headers`). */
  contentType?: string;
  /** Basic auth (some commercial TSAs); sent as an Authorization header, never across origins. */
  auth?: { username: string; password: string };
  /** Largest answer body accepted, in bytes (default 32 MiB). */
  maxBytes?: number;
  /** Deadline of the whole exchange in ms, body included (default 15 s). */
  timeoutMs?: number;
  /** Redirects followed (default 5); 0 refuses every redirect. Only http: and https: targets. */
  maxRedirects?: number;
  /** Veto on a redirect the caller does not want (e.g. leaving the page's origin). */
  allowRedirect?: (from: URL, to: URL) => boolean;
  /** Media types the answer may have (e.g. `['application/pdf']`), checked before the body is read. */
  contentTypes?: string[];
  /** Cancels the exchange: it then fails with KysoError `cancelled`. */
  signal?: AbortSignal;
  /** TLS settings for https (an extra CA, a client certificate). */
  tls?: Pick<SecureContextOptions, 'ca' | 'cert' | 'key'>;
  /** Answers with any status are returned, not thrown (a caller that reads error documents: S3). */
  anyStatus?: boolean;
}

/** What came back, before or without the body. */
export interface FetchHead {
  /** The URL that answered (after redirects). */
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  /** Media type, lower case, without parameters ('' when absent). */
  contentType: string;
}

/** An answer whose body is read on demand, bounded by `maxBytes` and the deadline. */
export interface FetchStream extends FetchHead {
  body: AsyncIterable<Buffer>;
  /** Stops the exchange (call it when the body is not read to the end). */
  close(): void;
}

const DEFAULT_MAX_BYTES = 32 << 20;
const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_REDIRECTS = 5;
/** Headers that never follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** The URL as shown in messages: no user name or password. */
export function displayUrl(url: string | URL): string {
  try {
    const u = new URL(String(url));
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return String(url);
  }
}

/** A byte count for messages ("32 MB", "512 KB", "900 B"). */
export function formatSize(n: number): string {
  if (n >= 1 << 20) return `${+(n / (1 << 20)).toFixed(1)} MB`;
  if (n >= 1 << 10) return `${+(n / (1 << 10)).toFixed(1)} KB`;
  return `${n} B`;
}

function httpUrl(raw: string | URL): URL {
  let u: URL;
  try {
    u = new URL(String(raw));
  } catch {
    throw new KysoError('netBadUrl', { url: displayUrl(raw), detail: 'not a URL' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new KysoError('netBadUrl', { url: displayUrl(u), detail: `${u.protocol} is not http(s)` });
  return u;
}

/** Why an exchange ended early: the caller cancelled, or the deadline passed. */
type Stop = { kind: 'cancelled' } | { kind: 'timeout' };

/** One exchange's deadline and cancellation, shared by its redirects and its body. */
class Exchange {
  readonly controller = new AbortController();
  stop: Stop | undefined;
  private over = false;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly onAbort = () => this.end({ kind: 'cancelled' });

  constructor(
    readonly firstUrl: string,
    readonly timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    if (signal?.aborted) this.end({ kind: 'cancelled' });
    signal?.addEventListener('abort', this.onAbort, { once: true });
    if (Number.isFinite(timeoutMs) && timeoutMs > 0) {
      this.timer = setTimeout(() => this.end({ kind: 'timeout' }), timeoutMs);
      this.timer.unref();
    }
  }

  /** Stops the exchange (a no-op once it is over). */
  end(stop: Stop): void {
    if (this.over) return;
    this.stop ??= stop;
    this.controller.abort();
  }

  /** Marks the exchange over: timers and listeners go, later `end` calls do nothing. */
  dispose(): void {
    this.over = true;
    if (this.timer) clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  /** The KysoError for a failure of this exchange (the stop reason wins over the socket error). */
  error(url: URL | string, e: unknown): KysoError {
    if (this.stop?.kind === 'cancelled') return new KysoError('cancelled');
    if (this.stop?.kind === 'timeout') {
      const seconds = Math.round(this.timeoutMs / 100) / 10;
      return new KysoError('netTimeout', { url: displayUrl(url), seconds, detail: `no complete answer within ${seconds} s` });
    }
    if (isKysoError(e)) return e;
    const err = e as NodeJS.ErrnoException;
    const detail = err?.code ? `${err.code}${err.message && !err.message.includes(err.code) ? ` ${err.message}` : ''}` : err instanceof Error ? err.message : String(e);
    return new KysoError('netUnreachable', { url: displayUrl(url), detail }, { cause: e });
  }
}

interface Prepared {
  method: string;
  headers: OutgoingHttpHeaders;
  body: FetchBody | undefined;
}

function prepare(options: FetchOptions): Prepared {
  const headers: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
  if (options.contentType) headers['content-type'] = options.contentType;
  if (options.auth) headers.authorization = 'Basic ' + Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64');
  const body = options.body;
  return { method: options.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body };
}

function isFileBody(b: FetchBody | undefined): b is { file: string } {
  return typeof b === 'object' && !(b instanceof Uint8Array) && 'file' in b;
}

function isPartsBody(b: FetchBody | undefined): b is { parts: BodyPart[] } {
  return typeof b === 'object' && !(b instanceof Uint8Array) && 'parts' in b;
}

function partLength(p: BodyPart): number {
  if (typeof p === 'string') return Buffer.byteLength(p, 'utf8');
  if (p instanceof Uint8Array) return p.byteLength;
  return statSync(p.file).size;
}

/** The parts one after the other; files are read in chunks, never whole. */
async function* partsStream(parts: BodyPart[]): AsyncGenerator<Buffer> {
  for (const p of parts) {
    if (typeof p === 'string') yield Buffer.from(p, 'utf8');
    else if (p instanceof Uint8Array) yield Buffer.from(p.buffer, p.byteOffset, p.byteLength);
    else for await (const c of createReadStream(p.file)) yield c as Buffer;
  }
}

async function send(url: URL, req: Prepared, options: FetchOptions, ex: Exchange): Promise<IncomingMessage> {
  const headers: OutgoingHttpHeaders = { ...req.headers };
  let payload: Buffer | undefined;
  if (typeof req.body === 'string') payload = Buffer.from(req.body, 'utf8');
  else if (req.body instanceof Uint8Array) payload = Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
  if (payload) headers['content-length'] = payload.length;
  else if (isFileBody(req.body)) headers['content-length'] = statSync(req.body.file).size;
  else if (isPartsBody(req.body)) headers['content-length'] = req.body.parts.reduce((n, p) => n + partLength(p), 0);
  // Loaded on first use: `kyso sign` without a TSA never pays for node:http(s).
  const lib = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const r = lib.request(url, { method: req.method, headers, signal: ex.controller.signal, ...(url.protocol === 'https:' ? options.tls : {}) }, resolve);
    r.on('error', reject);
    if (isFileBody(req.body)) {
      const src = createReadStream(req.body.file);
      src.on('error', (e) => r.destroy(e));
      src.pipe(r);
    } else if (isPartsBody(req.body)) {
      const src = Readable.from(partsStream(req.body.parts));
      src.on('error', (e) => r.destroy(e));
      src.pipe(r);
    } else r.end(payload);
  });
}

/** The next request of a redirect (fetch's rules: 303, and 301/302 after POST, become GET). */
function redirected(from: URL, to: URL, status: number, req: Prepared): Prepared {
  const next: Prepared = { method: req.method, headers: { ...req.headers }, body: req.body };
  if (status === 303 || ((status === 301 || status === 302) && req.method === 'POST')) {
    next.method = req.method === 'HEAD' ? 'HEAD' : 'GET';
    next.body = undefined;
    delete next.headers['content-type'];
  }
  if (from.origin !== to.origin) for (const h of CREDENTIAL_HEADERS) delete next.headers[h];
  return next;
}

function mediaType(headers: IncomingHttpHeaders): string {
  return (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Opens an exchange and returns the answer once its head has arrived: a 2xx status (else
 * netHttpStatus), an accepted media type, a declared length within the cap. The body is
 * read through `body`; leaving it unread needs `close()`.
 */
export async function openUrl(rawUrl: string | URL, options: FetchOptions = {}): Promise<FetchStream> {
  let url = httpUrl(rawUrl);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_REDIRECTS;
  const ex = new Exchange(url.toString(), options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.signal);
  let req = prepare(options);
  let res: IncomingMessage;
  try {
    for (let hops = 0; ; hops++) {
      if (ex.stop) throw ex.error(url, undefined);
      try {
        res = await send(url, req, options, ex);
      } catch (e) {
        throw ex.error(url, e);
      }
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (![301, 302, 303, 307, 308].includes(status) || !location) break;
      res.resume();
      if (hops >= maxRedirects) {
        throw new KysoError('netRedirectLimit', { url: displayUrl(ex.firstUrl), max: maxRedirects, detail: `more than ${maxRedirects} redirects` });
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new KysoError('netBadRedirect', { url: displayUrl(url), location: String(location).slice(0, 200), detail: 'bad redirect target' });
      }
      if ((next.protocol !== 'http:' && next.protocol !== 'https:') || (options.allowRedirect && !options.allowRedirect(url, next))) {
        throw new KysoError('netBadRedirect', { url: displayUrl(url), location: displayUrl(next).slice(0, 200), detail: `redirect to ${displayUrl(next).slice(0, 200)} refused` });
      }
      req = redirected(url, next, status, req);
      url = next;
    }
    const status = res.statusCode ?? 0;
    if ((status < 200 || status > 299) && !options.anyStatus) {
      res.resume();
      throw new KysoError('netHttpStatus', { url: displayUrl(url), status, detail: `HTTP ${status}` });
    }
    const contentType = mediaType(res.headers);
    if (options.contentTypes && !options.contentTypes.map((t) => t.toLowerCase()).includes(contentType)) {
      res.resume();
      throw new KysoError('netBadContentType', { url: displayUrl(url), type: contentType || '-', expected: options.contentTypes.join(', '), detail: `answer is ${contentType || 'untyped'}` });
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.resume();
      throw tooLarge(url, maxBytes);
    }
  } catch (e) {
    ex.end({ kind: 'cancelled' });
    ex.dispose();
    throw isKysoError(e) ? e : ex.error(url, e);
  }
  const finalUrl = url;
  const response = res;
  return {
    url: finalUrl.toString(),
    status: response.statusCode ?? 0,
    headers: response.headers,
    contentType: mediaType(response.headers),
    body: bounded(response, finalUrl, maxBytes, ex),
    close: () => {
      ex.end({ kind: 'cancelled' });
      ex.dispose();
    },
  };
}

function tooLarge(url: URL, maxBytes: number): KysoError {
  return new KysoError('netTooLarge', { url: displayUrl(url), limit: formatSize(maxBytes), detail: `answer larger than ${formatSize(maxBytes)}` });
}

/** The body, chunk by chunk; stops (and aborts the socket) as soon as the cap is passed. */
async function* bounded(res: IncomingMessage, url: URL, maxBytes: number, ex: Exchange): AsyncGenerator<Buffer> {
  let size = 0;
  try {
    for await (const chunk of res) {
      const c = chunk as Buffer;
      size += c.length;
      if (size > maxBytes) throw tooLarge(url, maxBytes);
      yield c;
    }
    if (!res.complete) throw new Error('connection closed before the end of the answer');
  } catch (e) {
    throw ex.error(url, e);
  } finally {
    // Also on a consumer's early return: an unfinished answer's socket is dropped.
    if (!res.complete) ex.end({ kind: 'cancelled' });
    ex.dispose();
  }
}

/** One exchange, the whole answer in memory (bounded by `maxBytes`). */
export async function fetchBytes(url: string | URL, options: FetchOptions = {}): Promise<FetchHead & { body: Buffer }> {
  const { body, close, ...head } = await openUrl(url, options);
  const chunks: Buffer[] = [];
  try {
    for await (const c of body) chunks.push(c);
  } finally {
    close();
  }
  return { ...head, body: Buffer.concat(chunks) };
}

/**
 * One exchange streamed into `dest` (created or truncated), never held in memory. On any
 * failure the partial file is removed: diskFull / fileWrite for the disk, net* for the rest.
 */
export async function fetchToFile(url: string | URL, dest: string, options: FetchOptions = {}): Promise<FetchHead & { bytes: number }> {
  const { body, close, ...head } = await openUrl(url, options);
  let bytes = 0;
  const counted = async function* () {
    for await (const c of body) {
      bytes += c.length;
      yield c;
    }
  };
  try {
    await pipeline(Readable.from(counted()), createWriteStream(dest));
  } catch (e) {
    close();
    await rm(dest, { force: true }).catch(() => undefined);
    if (isKysoError(e)) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOSPC') throw new KysoError('diskFull', { path: dest }, { cause: e });
    throw new KysoError('fileWrite', { path: dest, detail: err.code ?? String(e) }, { cause: e });
  }
  return { ...head, bytes };
}

/** True for a failure of this client (kind `network`), as opposed to cancellation or a disk error. */
export function isNetError(e: unknown): e is KysoError {
  return isErrorOfKind(e, 'network');
}
