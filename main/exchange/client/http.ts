/**
 * Low-level HTTP for the inbox client over node:http(s): JSON envelopes of the protocol,
 * streamed uploads from files, streamed downloads to files. No whole-package buffering.
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { z } from 'zod';
import { isKysoError, KysoError, errorCodeOf } from '../../api/errors.js';
import { failEnvelopeSchema } from '../protocol.js';

/** A failed exchange with the server: transport (retryable) or a FAIL envelope / HTTP status. */
export class ServerError extends Error {
  constructor(
    /** `network` for refused/reset/timeout, else the HTTP status. */
    readonly status: number | 'network',
    /** ErrorCode of a FAIL envelope (a KysoError code), or a synthetic one. */
    readonly code: string,
    message: string,
    readonly params: Record<string, string | number | boolean | null> = {},
  ) {
    super(message);
    this.name = 'ServerError';
  }

  /** True when trying again later may succeed (network trouble, 5xx, 429, expired session). */
  get retryable(): boolean {
    return this.status === 'network' || this.status === 429 || this.status === 401 || this.status >= 500;
  }
}

/** The user-facing error for a server failure (KysoError codes travel in the envelope). */
export function toKysoError(e: unknown): unknown {
  if (!(e instanceof ServerError)) return e;
  const params = { status: e.status === 'network' ? 0 : e.status, detail: e.message, url: '', ...e.params };
  return new KysoError(errorCodeOf(e.code), params, { cause: e });
}

/** Body of a request: JSON, raw bytes, or a file streamed from disk. */
export type RequestBody = { json: unknown } | { bytes: Uint8Array; contentType: string } | { file: string; contentType: string };

/** One request. */
export interface RequestSpec {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: RequestBody;
  /** Milliseconds of socket inactivity before giving up (default 60 s). */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

/** Sends a request; resolves with the response stream (caller consumes it). */
export function rawRequest(spec: RequestSpec): Promise<IncomingMessage> {
  const url = new URL(spec.url);
  const lib = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string | number> = { ...spec.headers };
  let payload: Buffer | undefined;
  let file: string | undefined;
  if (spec.body && 'json' in spec.body) {
    payload = Buffer.from(JSON.stringify(spec.body.json));
    headers['content-type'] = 'application/json';
  } else if (spec.body && 'bytes' in spec.body) {
    payload = Buffer.from(spec.body.bytes);
    headers['content-type'] = spec.body.contentType;
  } else if (spec.body && 'file' in spec.body) {
    file = spec.body.file;
    headers['content-type'] = spec.body.contentType;
    headers['content-length'] = statSync(file).size;
  }
  if (payload) headers['content-length'] = payload.length;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method: spec.method, headers, signal: spec.signal }, resolve);
    req.setTimeout(spec.idleTimeoutMs ?? 60_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => reject(unreachable(url.origin, e.message)));
    if (file) {
      const src = createReadStream(file);
      src.on('error', (e) => req.destroy(e));
      src.pipe(req);
    } else req.end(payload);
  });
}

/** The origin of a URL (scheme, host, port), or the text as given when it is not a URL. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** A transport failure talking to the server at `url` (the message names the server). */
export function unreachable(url: string, detail: string): ServerError {
  return new ServerError('network', unreachableCode(detail), detail, { url: originOf(url), detail });
}

/**
 * The code of a transport failure by its cause, so people read words ("the server does not
 * accept connections") and the socket's own text (ECONNREFUSED...) stays a detail.
 */
export function unreachableCode(detail: string): string {
  if (/ECONNREFUSED/.test(detail)) return 'exServerRefused';
  if (/ENOTFOUND|EAI_AGAIN/.test(detail)) return 'exServerNotFound';
  if (/ETIMEDOUT|ESOCKETTIMEDOUT|timed? ?out/i.test(detail)) return 'exServerTimeout';
  if (/ECONNRESET|EPIPE|socket hang up/i.test(detail)) return 'exServerReset';
  if (/CERT_|certificate|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(detail)) return 'exServerTls';
  return 'exServerUnreachable';
}

async function readAll(res: IncomingMessage, max = 16 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res) {
    size += (c as Buffer).length;
    if (size > max) throw new ServerError('network', 'exServerUnreachable', 'answer too large', { detail: 'answer too large' });
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Turns a non-2xx answer into a ServerError carrying the server's error code. */
async function failure(res: IncomingMessage): Promise<ServerError> {
  const status = res.statusCode ?? 0;
  let text = '';
  try {
    text = (await readAll(res, 1 << 20)).toString('utf8');
    const env = failEnvelopeSchema.safeParse(JSON.parse(text));
    if (env.success) return new ServerError(status, env.data.ErrorCode, env.data.ErrorDesc, env.data.params);
  } catch {
    // Not a protocol envelope (proxy page, reset): fall through to the generic error.
  }
  return new ServerError(status, 'exServerHttp', `HTTP ${status} ${text.slice(0, 200)}`, { status });
}

/** Sends a request and parses the `{status:'OK', data}` envelope with `schema`. */
export async function requestJson<S extends z.ZodType>(spec: RequestSpec, schema: S): Promise<z.infer<S>> {
  const res = await rawRequest(spec);
  if ((res.statusCode ?? 0) >= 300) throw await failure(res);
  let body: Buffer;
  try {
    body = await readAll(res);
  } catch (e) {
    throw unreachable(spec.url, e instanceof Error ? e.message : String(e));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ServerError(res.statusCode ?? 0, 'exServerHttp', 'answer is not JSON');
  }
  const env = parsed as { status?: unknown; data?: unknown };
  if (env.status !== 'OK') {
    const f = failEnvelopeSchema.safeParse(parsed);
    if (f.success) throw new ServerError(res.statusCode ?? 0, f.data.ErrorCode, f.data.ErrorDesc, f.data.params);
    throw new ServerError(res.statusCode ?? 0, 'exServerHttp', 'unexpected answer');
  }
  const data = schema.safeParse(env.data);
  if (!data.success) {
    // A server whose answer breaks the protocol's rules (an id like `../x`, a bad code) is
    // refused whole: nothing of it is used. The field is named for the administrator.
    const field = data.error.issues[0]?.path.join('.') || 'data';
    throw new ServerError(res.statusCode ?? 0, 'exServerBadAnswer', `invalid answer: ${field}`, { url: originOf(spec.url), field });
  }
  return data.data;
}

/**
 * Downloads a 2xx body straight into `dest` (no buffering); returns its size. Past `maxBytes`
 * the download stops with `tooLarge()` (a server that streams more than it declared does not
 * fill the disk).
 */
export async function downloadTo(spec: RequestSpec, dest: string, maxBytes = Infinity, tooLarge: () => Error = () => new KysoError('exTooLarge', { limit: maxBytes })): Promise<number> {
  const res = await rawRequest(spec);
  if ((res.statusCode ?? 0) >= 300) throw await failure(res);
  let size = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      done(size > maxBytes ? tooLarge() : null, chunk);
    },
  });
  try {
    // Received documents are the user's only (issue 15.11).
    await pipeline(res, cap, createWriteStream(dest, { mode: 0o600 }));
  } catch (e) {
    if (isKysoError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new KysoError('diskFull', { path: dest }, { cause: e });
    if (code && (e as NodeJS.ErrnoException).syscall) throw new KysoError('fileWrite', { path: dest, detail: code }, { cause: e });
    throw unreachable(spec.url, e instanceof Error ? e.message : String(e));
  }
  return statSync(dest).size;
}
