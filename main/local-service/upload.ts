/**
 * The upload leg of the VGCA protocol: the signed PDF goes back to the page's upload handler
 * as multipart field `uploadfile`, with the page's session (its cookie from SessionId, a
 * bearer token from JWTToken) and its MetaData as form fields, streamed from disk through
 * the bounded fetcher. The handler's answer is returned exactly as it came (pages parse it).
 */
import { randomBytes } from 'node:crypto';
import { KysoError, isKysoError } from '../api/errors.js';
import { displayUrl, openUrl, type BodyPart } from '../net/fetch.js';
import { urlAllowedFor } from './origins.js';

/** The page's session as request headers for its own site. */
export function sessionHeaders(sessionId: string | null | undefined, jwt: string | null | undefined, cookieName: string): Record<string, string> {
  const h: Record<string, string> = {};
  const sid = sessionId?.trim();
  // CR/LF would let a page inject headers of its choosing: such values are dropped.
  if (sid && !/[\r\n]/.test(sid)) h.cookie = sid.includes('=') ? sid : `${cookieName}=${sid}`;
  const token = jwt?.trim().replace(/^Bearer\s+/i, '');
  if (token && !/[\r\n\s]/.test(token)) h.authorization = `Bearer ${token}`;
  return h;
}

/** A quoted multipart parameter value (RFC 7578: quotes and line breaks escaped). */
function quoted(v: string): string {
  return `"${v.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;
}

/** What the upload sends besides the file. */
export interface UploadOptions {
  origin: string;
  allowedHosts: string[];
  headers: Record<string, string>;
  /** The file name the handler sees. */
  fileName: string;
  /** The page's MetaData, sent as form fields in order. */
  fields: Array<{ key: string; value: string }>;
  timeoutMs: number;
  maxAnswerBytes: number;
  signal?: AbortSignal;
}

/** The handler URL, refused unless it is on the page's site or an allowed host. */
export function uploadUrl(raw: string | null | undefined, origin: string, allowedHosts: string[]): URL {
  if (!raw?.trim()) throw new KysoError('serviceBadRequest', { detail: 'FileUploadHandler is missing' });
  let url: URL;
  try {
    url = new URL(raw.trim(), origin + '/');
  } catch {
    throw new KysoError('serviceBadRequest', { detail: `FileUploadHandler "${raw.slice(0, 200)}"` });
  }
  if (!urlAllowedFor(url, origin, allowedHosts)) throw new KysoError('serviceFileHostRefused', { url: displayUrl(url), origin });
  return url;
}

/** Posts the signed file; resolves with the handler's answer text, verbatim. */
export async function uploadSigned(url: URL, file: string, o: UploadOptions): Promise<string> {
  const boundary = `----KysoBoundary${randomBytes(12).toString('hex')}`;
  const parts: BodyPart[] = [];
  for (const f of o.fields) parts.push(`--${boundary}\r\nContent-Disposition: form-data; name=${quoted(f.key)}\r\n\r\n${f.value}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="uploadfile"; filename=${quoted(o.fileName)}\r\nContent-Type: application/pdf\r\n\r\n`);
  parts.push({ file });
  parts.push(`\r\n--${boundary}--\r\n`);
  const shown = displayUrl(url);
  try {
    const res = await openUrl(url, {
      method: 'POST',
      headers: o.headers,
      body: { parts },
      contentType: `multipart/form-data; boundary=${boundary}`,
      timeoutMs: o.timeoutMs,
      maxBytes: o.maxAnswerBytes,
      // A 307/308 would resend the document with the session: only to hosts the page may use.
      allowRedirect: (_from, to) => urlAllowedFor(to, o.origin, o.allowedHosts),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const chunks: Buffer[] = [];
    try {
      for await (const c of res.body) chunks.push(c);
    } finally {
      res.close();
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (e) {
    if (isKysoError(e) && e.code === 'netHttpStatus') throw new KysoError('serviceUploadStatus', { url: shown, status: e.params.status as number }, { cause: e });
    if (isKysoError(e) && (e.code === 'cancelled' || e.code.startsWith('service'))) throw e;
    if (isKysoError(e) && e.code === 'netTimeout') throw new KysoError('serviceUploadTimeout', { url: shown, seconds: Math.round(o.timeoutMs / 1000) }, { cause: e });
    const detail = isKysoError(e) ? String(e.params.detail ?? e.code) : e instanceof Error ? e.message : String(e);
    throw new KysoError('serviceUploadFailed', { url: shown, detail }, { cause: e });
  }
}
