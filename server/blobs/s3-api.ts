/**
 * The few S3 operations the blob store needs, signed with AWS Signature V4 (aws4) and sent
 * through the one HTTP client (main/net/fetch.ts): objects (head, get, put, copy, delete,
 * list) and multipart uploads (create, part, complete, abort, list). Idempotent requests are
 * retried on network errors and 5xx; S3 error documents become KysoError blobStoreFailed.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DOMParser } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import aws4 from 'aws4';
import { KysoError, isKysoError } from '../../main/api/errors.js';
import { openUrl, type FetchStream } from '../../main/net/fetch.js';

/** Where and as whom to talk to S3. */
export interface S3Settings {
  /** Origin of the service, e.g. https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:9000. */
  endpoint: string;
  bucket: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Bucket in the path (most self-hosted stores) rather than in the host name. */
  pathStyle: boolean;
  /** Extra CA (PEM) trusted for an https endpoint. */
  ca?: Buffer;
}

/** One object of a listing. */
export interface S3Object {
  key: string;
  size: number;
  modified: Date;
}

/** One unfinished multipart upload. */
export interface S3Upload {
  key: string;
  uploadId: string;
  initiated: Date;
}

interface Call {
  method: 'GET' | 'PUT' | 'POST' | 'HEAD' | 'DELETE';
  key?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Statuses that are answers, not failures. */
  ok: number[];
  /** What the call does, for error messages. */
  op: string;
  timeoutMs?: number;
  /** Retry on network errors and 5xx (default true: every call here is idempotent). */
  retry?: boolean;
}

const EMPTY_SHA256 = createHash('sha256').digest('hex');
const ERROR_BODY_BYTES = 64 << 10;
const XML_BODY_BYTES = 16 << 20;
const ATTEMPTS = 3;
const HEAD_TIMEOUT_MS = 60_000;
const STATUS_MEANING: Record<number, [string, string]> = {
  301: ['PermanentRedirect', 'the bucket is in another region (AWS_REGION) or needs another endpoint'],
  403: ['AccessDenied', 'access denied: wrong access key or secret, or no permission on the bucket'],
  404: ['NoSuchBucket', 'no such bucket or object'],
};

/** RFC 3986 encoding of a key's segments (S3 signs the path as sent). */
function encodeKey(key: string): string {
  return key.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())).join('/');
}

async function readAll(body: AsyncIterable<Buffer>, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    n += c.length;
    if (n > max) break;
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parse(xml: string): Element {
  if (/<!DOCTYPE/i.test(xml)) throw new Error('DOCTYPE in an S3 answer');
  const doc = new DOMParser({ onError: () => undefined }).parseFromString(xml || '<Empty/>', 'text/xml');
  if (!doc.documentElement) throw new Error('not XML');
  return doc.documentElement;
}

const children = (e: Element, name: string): Element[] => Array.from(e.getElementsByTagName(name));
const text = (e: Element, name: string): string => e.getElementsByTagName(name)[0]?.textContent ?? '';

/** A minimal S3 client for one bucket. */
export class S3Api {
  private readonly origin: URL;

  constructor(readonly settings: S3Settings) {
    const u = new URL(settings.endpoint);
    if (!settings.pathStyle) u.hostname = `${settings.bucket}.${u.hostname}`;
    this.origin = u;
  }

  /** The request path of a key (or of the bucket when key is undefined). */
  private pathOf(key: string | undefined): string {
    const bucket = this.settings.pathStyle ? `/${encodeURIComponent(this.settings.bucket)}` : '';
    return key === undefined ? `${bucket}/` : `${bucket}/${encodeKey(key)}`;
  }

  private async once(c: Call): Promise<FetchStream> {
    const qs = Object.entries(c.query ?? {}).map(([k, v]) => (v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&');
    const headers: Record<string, string> = {
      ...c.headers,
      'x-amz-content-sha256': c.headers?.['x-amz-content-sha256'] ?? (c.body ? createHash('sha256').update(c.body).digest('hex') : EMPTY_SHA256),
    };
    const signed = aws4.sign({ host: this.origin.host, path: this.pathOf(c.key) + (qs ? `?${qs}` : ''), method: c.method, headers, service: 's3', region: this.settings.region }, this.settings.credentials);
    const sent: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers ?? {})) if (v !== undefined) sent[k] = String(v);
    // Downloads are paced by the client we forward them to: no overall deadline then, only
    // one for the answer's head.
    const stream = c.timeoutMs === 0;
    const headDeadline = new AbortController();
    const timer = stream ? setTimeout(() => headDeadline.abort(), HEAD_TIMEOUT_MS) : undefined;
    try {
      return await openUrl(new URL(signed.path ?? '/', this.origin), {
        method: c.method, headers: sent, ...(c.body ? { body: c.body } : {}), anyStatus: true, maxRedirects: 0,
        timeoutMs: c.timeoutMs ?? HEAD_TIMEOUT_MS, maxBytes: Number.MAX_SAFE_INTEGER,
        ...(stream ? { signal: headDeadline.signal } : {}),
        ...(this.settings.ca ? { tls: { ca: this.settings.ca } } : {}),
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** One call: retried while it fails in a way a retry can fix; a non-ok status throws. */
  async call(c: Call): Promise<FetchStream> {
    for (let attempt = 1; ; attempt++) {
      let error: KysoError;
      let transient: boolean;
      try {
        const res = await this.once(c);
        if (c.ok.includes(res.status)) return res;
        error = await this.failure(c, res);
        transient = res.status >= 500;
      } catch (e) {
        if (!isKysoError(e)) throw e;
        error = this.wrap(c, e);
        transient = e.code === 'netUnreachable' || e.code === 'netTimeout';
      }
      if (!transient || c.retry === false || attempt >= ATTEMPTS) throw error;
      await new Promise((r) => setTimeout(r, 200 * 4 ** (attempt - 1)));
    }
  }

  private wrap(c: Call, e: KysoError): KysoError {
    return new KysoError('blobStoreFailed', { op: c.op, status: 0, code: e.code, detail: String(e.params.detail ?? e.message).slice(0, 300) }, { cause: e });
  }

  private async failure(c: Call, res: FetchStream): Promise<KysoError> {
    let code = '';
    let message = '';
    try {
      const xml = c.method === 'HEAD' ? '' : await readAll(res.body, ERROR_BODY_BYTES);
      if (xml) {
        const root = parse(xml);
        code = text(root, 'Code');
        message = text(root, 'Message');
      }
    } catch {
      // An unreadable error body: the status says enough.
    } finally {
      res.close();
    }
    // HEAD answers have no body: name the usual causes from the status alone.
    const [byStatus, why] = STATUS_MEANING[res.status] ?? [`HTTP ${res.status}`, `HTTP ${res.status}`];
    return new KysoError('blobStoreFailed', { op: c.op, status: res.status, code: code || byStatus, detail: (message || why).slice(0, 300) + ` (bucket ${this.settings.bucket})` });
  }

  /** Reads an XML answer; a 200 answer can still carry an S3 <Error> (copy, complete). */
  private async xml(c: Call, res: FetchStream): Promise<Element> {
    const root = parse(await readAll(res.body, XML_BODY_BYTES));
    if (root.tagName === 'Error') {
      throw new KysoError('blobStoreFailed', { op: c.op, status: res.status, code: text(root, 'Code'), detail: (text(root, 'Message') || text(root, 'Code')).slice(0, 300) });
    }
    return root;
  }

  private async drain(res: FetchStream): Promise<void> {
    for await (const _ of res.body) void _;
  }

  /** Checks that the bucket exists and the credentials work. */
  async headBucket(): Promise<void> {
    await this.drain(await this.call({ method: 'HEAD', ok: [200], op: 'HeadBucket' }));
  }

  /** Size and time of an object, or undefined when there is none. */
  async head(key: string): Promise<S3Object | undefined> {
    const res = await this.call({ method: 'HEAD', key, ok: [200, 404], op: 'HeadObject' });
    await this.drain(res);
    if (res.status === 404) return undefined;
    return { key, size: Number(res.headers['content-length'] ?? 0), modified: new Date(String(res.headers['last-modified'])) };
  }

  /** The object's bytes as a stream, or undefined when there is none. */
  async get(key: string): Promise<Readable | undefined> {
    const res = await this.call({ method: 'GET', key, ok: [200, 404], op: 'GetObject', timeoutMs: 0 });
    if (res.status === 404) {
      res.close();
      return undefined;
    }
    const stream = Readable.from(res.body, { objectMode: false });
    stream.once('close', () => res.close());
    return stream;
  }

  /** Stores bytes whose SHA-256 is `sha256` (S3 checks the bytes against it). */
  async put(key: string, body: Uint8Array, sha256: string): Promise<void> {
    const res = await this.call({ method: 'PUT', key, body, headers: { 'x-amz-content-sha256': sha256, 'content-type': 'application/octet-stream' }, ok: [200], op: 'PutObject', timeoutMs: 300_000 });
    await this.drain(res);
  }

  async delete(key: string): Promise<void> {
    await this.drain(await this.call({ method: 'DELETE', key, ok: [200, 204, 404], op: 'DeleteObject' }));
  }

  /**
   * Server-side copy; false when the source is missing or was written after `unmodifiedSince`.
   * (One request: objects up to 5 GiB.)
   */
  async copy(from: string, to: string, unmodifiedSince?: Date): Promise<boolean> {
    const headers: Record<string, string> = { 'x-amz-copy-source': this.pathOf(from), 'x-amz-metadata-directive': 'COPY' };
    if (unmodifiedSince) headers['x-amz-copy-source-if-unmodified-since'] = unmodifiedSince.toUTCString();
    const c: Call = { method: 'PUT', key: to, headers, ok: [200, 404, 412], op: 'CopyObject', timeoutMs: 600_000 };
    const res = await this.call(c);
    if (res.status !== 200) {
      await this.drain(res);
      return false;
    }
    await this.xml(c, res);
    return true;
  }

  /** Every object under a prefix, page by page. */
  async *list(prefix: string): AsyncGenerator<S3Object> {
    let token: string | undefined;
    do {
      const c: Call = { method: 'GET', query: { 'list-type': '2', prefix, 'max-keys': '1000', ...(token ? { 'continuation-token': token } : {}) }, ok: [200], op: 'ListObjectsV2' };
      const root = await this.xml(c, await this.call(c));
      for (const o of children(root, 'Contents')) yield { key: text(o, 'Key'), size: Number(text(o, 'Size')), modified: new Date(text(o, 'LastModified')) };
      token = text(root, 'IsTruncated') === 'true' ? text(root, 'NextContinuationToken') || undefined : undefined;
    } while (token);
  }

  async createUpload(key: string): Promise<string> {
    const c: Call = { method: 'POST', key, query: { uploads: '' }, headers: { 'content-type': 'application/octet-stream' }, ok: [200], op: 'CreateMultipartUpload' };
    const id = text(await this.xml(c, await this.call(c)), 'UploadId');
    if (!id) throw new KysoError('blobStoreFailed', { op: c.op, status: 200, code: 'NoUploadId', detail: 'no UploadId in the answer' });
    return id;
  }

  /** Uploads one part (its SHA-256 is signed, so S3 refuses bytes damaged on the way); returns its ETag. */
  async uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<string> {
    const res = await this.call({ method: 'PUT', key, query: { partNumber: String(partNumber), uploadId }, body, ok: [200], op: 'UploadPart', timeoutMs: 300_000 });
    await this.drain(res);
    const etag = res.headers.etag;
    if (!etag) throw new KysoError('blobStoreFailed', { op: 'UploadPart', status: res.status, code: 'NoETag', detail: 'no ETag in the answer' });
    return String(etag);
  }

  async completeUpload(key: string, uploadId: string, etags: string[]): Promise<void> {
    const xml = '<CompleteMultipartUpload>' + etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</ETag></Part>`).join('') + '</CompleteMultipartUpload>';
    // Not retried: a lost answer to a completed upload would retry into NoSuchUpload; the caller checks instead.
    const c: Call = { method: 'POST', key, query: { uploadId }, body: Buffer.from(xml), headers: { 'content-type': 'application/xml' }, ok: [200], op: 'CompleteMultipartUpload', timeoutMs: 600_000, retry: false };
    await this.xml(c, await this.call(c));
  }

  async abortUpload(key: string, uploadId: string): Promise<void> {
    await this.drain(await this.call({ method: 'DELETE', key, query: { uploadId }, ok: [200, 204, 404], op: 'AbortMultipartUpload' }));
  }

  /** Unfinished multipart uploads under a prefix. */
  async *uploads(prefix: string): AsyncGenerator<S3Upload> {
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    do {
      const c: Call = { method: 'GET', query: { uploads: '', prefix, ...(keyMarker ? { 'key-marker': keyMarker } : {}), ...(idMarker ? { 'upload-id-marker': idMarker } : {}) }, ok: [200], op: 'ListMultipartUploads' };
      const root = await this.xml(c, await this.call(c));
      for (const u of children(root, 'Upload')) yield { key: text(u, 'Key'), uploadId: text(u, 'UploadId'), initiated: new Date(text(u, 'Initiated')) };
      const more = text(root, 'IsTruncated') === 'true';
      keyMarker = more ? text(root, 'NextKeyMarker') || undefined : undefined;
      idMarker = more ? text(root, 'NextUploadIdMarker') || undefined : undefined;
    } while (keyMarker);
  }

  /** Creates the bucket (tests and first setup); an existing bucket of ours is fine. */
  async createBucket(): Promise<void> {
    await this.drain(await this.call({ method: 'PUT', ok: [200, 409], op: 'CreateBucket' }));
  }
}
