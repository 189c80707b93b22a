/**
 * The documents a page asks to sign: fetched from the page's own site (or a host the
 * administrator allowed) with the page's session, streamed to a private temp file through
 * the one bounded fetcher (size cap, deadline, redirects kept on allowed hosts), hashed while
 * they arrive, then checked to be a PDF whose pages can be counted. A document never sits
 * whole in memory; every temp file is removed with its job.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KysoError, isKysoError } from '../api/errors.js';
import { displayUrl, formatSize, openUrl } from '../net/fetch.js';
import { PdfFile } from '../pdf/reader.js';
import { urlAllowedFor } from './origins.js';

/** A document ready for the consent dialog and the signer. */
export interface FetchedDoc {
  /** File name shown to the user (from the URL path or the page's label). */
  name: string;
  /** Where it came from (shown; credentials stripped), or '' for bytes sent by the page. */
  url: string;
  /** The temp file holding it. */
  path: string;
  size: number;
  pages: number;
  /** SHA-256 of the bytes, lowercase hex. */
  sha256: string;
}

/** A job's private temp folder (0700), removed with everything in it by `dispose`. */
export class WorkDir {
  readonly dir: string;
  constructor(parent: string) {
    mkdirSync(parent, { recursive: true, mode: 0o700 });
    this.dir = mkdtempSync(path.join(parent, 'job-'));
  }
  /** A fresh file name inside the folder. */
  file(ext = '.pdf'): string {
    return path.join(this.dir, `${randomBytes(6).toString('hex')}${ext}`);
  }
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A readable name for a document URL ("cong-van.pdf"), bounded and without path characters. */
export function nameFromUrl(url: URL, label?: string | null): string {
  const fromLabel = label?.trim() && !/^https?:\/\//i.test(label.trim()) ? label.trim() : '';
  const segment = url.pathname.split('/').filter(Boolean).pop() ?? '';
  let last: string;
  try {
    last = decodeURIComponent(segment);
  } catch {
    last = segment;
  }
  const raw = fromLabel || last || url.hostname;
  // Path separators, quotes and control characters would break the upload's file name.
  return [...raw].map((c) => (c === '/' || c === '\\' || c === '"' || c.charCodeAt(0) < 0x20 ? '_' : c)).join('').slice(0, 200) || 'document.pdf';
}

/** Opens the file as a PDF and counts its pages; serviceNotPdf when it is none. */
async function inspectPdf(file: string, shownUrl: string): Promise<number> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(1024);
    const { bytesRead } = await fh.read(head, 0, 1024, 0);
    if (!head.subarray(0, bytesRead).includes('%PDF-')) throw new KysoError('serviceNotPdf', { url: shownUrl });
  } finally {
    await fh.close();
  }
  let pdf: PdfFile | undefined;
  try {
    pdf = await PdfFile.open(file);
    return await pdf.pageCount();
  } catch (e) {
    if (isKysoError(e) && (e.code === 'pdfEncrypted' || e.code === 'diskFull')) throw e;
    throw new KysoError('serviceNotPdf', { url: shownUrl }, { cause: e });
  } finally {
    await pdf?.close();
  }
}

/** What a download may use. */
export interface FetchDocOptions {
  /** The requesting page's origin. */
  origin: string;
  allowedHosts: string[];
  /** The page's session (Cookie, Authorization) for its own site. */
  headers: Record<string, string>;
  maxBytes: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** A name the page gave the file (batch calls label files). */
  label?: string | null;
}

/** Parses the page's document address: only http(s) on an allowed host. */
export function documentUrl(raw: string | null | undefined, origin: string, allowedHosts: string[]): URL {
  if (!raw?.trim()) throw new KysoError('serviceNoFileName');
  let url: URL;
  try {
    // A relative address is relative to the page's site, as the browser would read it.
    url = new URL(raw.trim(), origin + '/');
  } catch {
    throw new KysoError('serviceBadRequest', { detail: `FileName "${raw.slice(0, 200)}"` });
  }
  if (!urlAllowedFor(url, origin, allowedHosts)) throw new KysoError('serviceFileHostRefused', { url: displayUrl(url), origin });
  return url;
}

/** Downloads one document into `work` and inspects it. */
export async function fetchDocument(rawUrl: string | null | undefined, work: WorkDir, o: FetchDocOptions): Promise<FetchedDoc> {
  const url = documentUrl(rawUrl, o.origin, o.allowedHosts);
  const shown = displayUrl(url);
  const dest = work.file();
  const res = await openUrl(url, {
    headers: o.headers,
    maxBytes: o.maxBytes,
    timeoutMs: o.timeoutMs,
    ...(o.signal ? { signal: o.signal } : {}),
    // A redirect may not carry the page's session to a host it may not use.
    allowRedirect: (_from, to) => urlAllowedFor(to, o.origin, o.allowedHosts),
  });
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.from(res.body), tap, createWriteStream(dest, { mode: 0o600 }));
  } catch (e) {
    res.close();
    rmSync(dest, { force: true });
    if (isKysoError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new KysoError(code === 'ENOSPC' ? 'diskFull' : 'fileWrite', { path: dest, detail: code ?? String(e) }, { cause: e });
  }
  const pages = await inspectPdf(dest, shown);
  return { name: nameFromUrl(url, o.label), url: shown, path: dest, size, pages, sha256: hash.digest('hex') };
}

/** A document the page sent as base64 (VNPT-CA SignPDF): decoded into `work` and inspected. */
export async function documentFromBase64(b64: string, name: string, work: WorkDir, maxBytes: number): Promise<FetchedDoc> {
  const clean = b64.replace(/^data:[^,]*,/, '').replace(/\s+/g, '');
  if (!clean || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean)) throw new KysoError('serviceBadBase64');
  if (Math.floor((clean.length * 3) / 4) > maxBytes + 3) throw new KysoError('serviceTooLarge', { name, limit: formatSize(maxBytes) });
  const bytes = Buffer.from(clean, 'base64');
  const dest = work.file();
  writeFileSync(dest, bytes, { mode: 0o600 });
  const pages = await inspectPdf(dest, name);
  return { name, url: '', path: dest, size: bytes.length, pages, sha256: createHash('sha256').update(bytes).digest('hex') };
}
