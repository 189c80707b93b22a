/** A minimal HTTP client of the inbox protocol for server tests and the benchmark. */
import { createReadStream } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { endpointPath, endpoints, loginSignedData, MESSAGE_ID_HEADER, type ServerEvent } from '../../../main/exchange/protocol.js';
import type { Signer } from '../../../main/pki/signer.js';

/** A reply: HTTP status and parsed JSON envelope (or raw bytes). */
export interface Reply<T = unknown> {
  status: number;
  body: { status: 'OK'; data: T } | { status: 'FAIL'; ErrorCode: string; ErrorDesc: string; params: Record<string, unknown> };
}

/** Sends one request; body may be bytes or a file path to stream. */
export function call<T = unknown>(base: string, method: string, path: string, opts: { token?: string; json?: unknown; body?: Buffer | { file: string }; headers?: Record<string, string>; ca?: Buffer } = {}): Promise<Reply<T>> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let payload: Buffer | Readable | undefined;
    if (opts.json !== undefined) {
      payload = Buffer.from(JSON.stringify(opts.json));
      headers['content-type'] = 'application/json';
    } else if (opts.body && Buffer.isBuffer(opts.body)) payload = opts.body;
    else if (opts.body) payload = createReadStream(opts.body.file);
    if (Buffer.isBuffer(payload)) headers['content-length'] = String(payload.length);
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method, headers, agent: false, ...(opts.ca ? { ca: opts.ca } : {}) }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Reply<T>['body'] });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: { status: 'OK', data: text as T } });
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (payload && !Buffer.isBuffer(payload)) payload.pipe(req);
    else req.end(payload);
  });
}

/** Unwraps an OK reply or throws with the error code. */
export function ok<T>(r: Reply<T>): T {
  if (r.body.status !== 'OK') throw new Error(`${r.status} ${r.body.ErrorCode}: ${r.body.ErrorDesc}`);
  return r.body.data;
}

/** Error code of a failed reply. */
export function code(r: Reply): string | undefined {
  return r.body.status === 'FAIL' ? r.body.ErrorCode : undefined;
}

/** Signs a fresh challenge with the signer; returns the login reply and what was sent (for replay tests). */
export async function login(base: string, signer: Signer, opts: { ca?: Buffer } = {}) {
  const c = ok(await call<{ challengeId: string; nonce: string }>(base, 'POST', endpoints.challenge, { json: {}, ...opts }));
  const ecdsa = signer.keyType === 'EC';
  const sig = await signer.sign(loginSignedData(c.challengeId, c.nonce), 'SHA-256', ecdsa ? 'ECDSA' : 'RSA-PKCS1');
  const body = {
    challengeId: c.challengeId,
    certificate: Buffer.from(signer.certificate).toString('base64'),
    chain: signer.chain.map((d) => Buffer.from(d).toString('base64')),
    algorithm: ecdsa ? 'ECDSA-SHA256' : 'RSA-PKCS1-SHA256',
    signature: Buffer.from(sig).toString('base64'),
  };
  const reply = await call<{ token: string; organization: { code: string } }>(base, 'POST', endpoints.login, { json: body, ...opts });
  return { reply, body };
}

/** Logs in and returns the bearer token. */
export async function token(base: string, signer: Signer): Promise<string> {
  return ok((await login(base, signer)).reply).token;
}

/** Uploads a package file or bytes under a message id. */
export function sendPackage(base: string, tok: string, messageId: string, body: Buffer | { file: string }) {
  return call<{ messageId: string; duplicate: boolean; recipients: { organId: string; status: string }[]; packageSha256: string }>(base, 'POST', endpoints.packages, {
    token: tok, body, headers: { [MESSAGE_ID_HEADER]: messageId, 'content-type': 'application/xml' },
  });
}

/** Posts a signed status message about a message id. */
export function sendStatus(base: string, tok: string, messageId: string, xml: string) {
  return call<{ seq: number; duplicate: boolean }>(base, 'POST', endpoints.status, { token: tok, body: Buffer.from(xml), headers: { [MESSAGE_ID_HEADER]: messageId, 'content-type': 'application/xml' } });
}

/** GET a path with the token. */
export function get<T>(base: string, tok: string | undefined, path: string, params: Record<string, string> = {}) {
  return call<T>(base, 'GET', endpointPath(path, params), tok ? { token: tok } : {});
}

/** Opens the SSE stream; `next()` resolves with the next event. */
export function events(base: string, tok: string): Promise<{ next(): Promise<ServerEvent>; close(): void; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(endpoints.events, base), { headers: { authorization: `Bearer ${tok}` }, agent: false }, (res) => {
      const queue: ServerEvent[] = [];
      const waiters: ((e: ServerEvent) => void)[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (!data) continue;
          const ev = JSON.parse(data.slice(6)) as ServerEvent;
          const w = waiters.shift();
          if (w) w(ev);
          else queue.push(ev);
        }
      });
      resolve({
        res,
        next: () => new Promise((r) => (queue.length ? r(queue.shift()!) : waiters.push(r))),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A single-use event-stream ticket for a session (what an EventSource puts in its URL). */
export async function makeTicket(base: string, tok: string): Promise<string> {
  return encodeURIComponent(ok(await call<{ ticket: string }>(base, 'POST', endpoints.eventsTicket, { token: tok, json: {} })).ticket);
}
