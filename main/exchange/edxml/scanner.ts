/**
 * SAX-style scanner for the part of an edXML package after the envelope
 * (AttachmentEncoded/Attachment*): base64 content is decoded straight into temp files while
 * hashed, so a package of any size is read in constant memory. Strict: no comments, CDATA,
 * processing instructions or stray text in this part.
 */
import { createHash, randomUUID, type Hash } from 'node:crypto';
import type { WriteStream } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { KysoError } from '../../api/errors.js';
import { Base64Decoder } from './base64.js';
import { closeSink, endSink, openSink, writeChunk } from './sink.js';

/** An attachment as scanned: raw metadata texts, where its bytes went, their digest. */
export interface ScannedAttachment {
  fields: Record<string, string>;
  path: string;
  size: number;
  sha256: Buffer;
}

const META = new Set(['ContentId', 'AttachmentName', 'Description', 'ContentType']);
const MAX_TAG = 4096;
const MAX_FIELD = 4000;

const localName = (q: string) => q.slice(q.indexOf(':') + 1);

/** Decodes the five XML entities and character references. */
export function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_m, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}


interface Current {
  fields: Record<string, string>;
  path: string;
  file?: WriteStream;
  hash: Hash;
  size: number;
  decoder: Base64Decoder;
}

/** Scans the tail of a package; `stack` starts with the still-open root element (if any). */
export class AttachmentScanner {
  readonly attachments: ScannedAttachment[] = [];
  readonly files: string[] = [];
  private readonly text = new StringDecoder('utf8');
  private inTag = false;
  private tag = '';
  private cur: Current | undefined;
  private closedRoot = false;

  constructor(
    private readonly tmpDir: string,
    private readonly stack: string[],
    private readonly maxAttachmentBytes: number,
    /** Only hash attachments, write no files (a relay verifying digests it will not keep). */
    private readonly discard = false,
  ) {}

  private malformed(reason: string): KysoError {
    return new KysoError('edxmlMalformed', { reason });
  }

  /** Feeds raw bytes. */
  async push(chunk: Buffer): Promise<void> {
    await this.scan(this.text.write(chunk));
  }

  /** Ends the input: everything must be closed. */
  async end(): Promise<void> {
    await this.scan(this.text.end());
    if (this.inTag || this.stack.length) throw this.malformed('package is truncated');
  }

  private async scan(s: string): Promise<void> {
    let i = 0;
    while (i < s.length) {
      if (this.inTag) {
        const j = s.indexOf('>', i);
        if (j < 0) {
          this.tag += s.slice(i);
          if (this.tag.length > MAX_TAG) throw this.malformed('tag too long');
          return;
        }
        this.tag += s.slice(i, j);
        i = j + 1;
        this.inTag = false;
        const t = this.tag;
        this.tag = '';
        await this.onTag(t);
      } else {
        const j = s.indexOf('<', i);
        await this.onText(j < 0 ? s.slice(i) : s.slice(i, j));
        if (j < 0) return;
        i = j + 1;
        this.inTag = true;
      }
    }
  }

  private async onTag(t: string): Promise<void> {
    if (t.startsWith('?') || t.startsWith('!')) throw this.malformed('comments, CDATA or processing instructions after the envelope');
    if (this.closedRoot) throw this.malformed('content after the root element');
    if (t.startsWith('/')) {
      const name = t.slice(1).trim();
      const open = this.stack.pop();
      if (open !== name) throw this.malformed(`unexpected </${name.slice(0, 50)}>`);
      if (localName(name) === 'Attachment') await this.closeAttachment();
      if (this.stack.length === 0) this.closedRoot = true;
      return;
    }
    const m = /^([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)(\s[^]*)?$/.exec(t);
    if (!m) throw this.malformed('bad tag');
    const name = m[1]!;
    const selfClosing = t.endsWith('/');
    const parent = localName(this.stack[this.stack.length - 1] ?? '');
    const local = localName(name);
    const allowed =
      (parent === 'edXML' && local === 'AttachmentEncoded') ||
      (parent === 'AttachmentEncoded' && local === 'Attachment') ||
      (parent === 'Attachment' && (META.has(local) || local === 'ContentTransferEncoded'));
    if (!allowed) throw this.malformed(`unexpected <${name.slice(0, 50)}>`);
    if (local === 'Attachment') this.openAttachment();
    if (!selfClosing) this.stack.push(name);
    else if (local === 'Attachment') await this.closeAttachment();
  }

  private openAttachment(): void {
    const p = this.discard ? '' : path.join(this.tmpDir, `att-${randomUUID()}`);
    if (p) this.files.push(p);
    this.cur = { fields: {}, path: p, hash: createHash('sha256'), size: 0, decoder: new Base64Decoder() };
  }

  private label(): string {
    return this.cur?.fields.ContentId ? decodeEntities(this.cur.fields.ContentId.trim()) : `#${this.attachments.length + 1}`;
  }

  private async closeAttachment(): Promise<void> {
    const c = this.cur!;
    try {
      c.decoder.end();
    } catch {
      throw new KysoError('edxmlBadBase64', { contentId: this.label() });
    }
    if (!c.file && !this.discard) c.file = openSink(c.path);
    if (c.file) await endSink(c.file);
    const fields = Object.fromEntries(Object.entries(c.fields).map(([k, v]) => [k, decodeEntities(v).trim()]));
    this.attachments.push({ fields, path: c.path, size: c.size, sha256: c.hash.digest() });
    this.cur = undefined;
  }

  private async onText(t: string): Promise<void> {
    if (!t) return;
    const top = localName(this.stack[this.stack.length - 1] ?? '');
    if (top === 'ContentTransferEncoded' && this.cur) {
      let bytes: Buffer;
      try {
        bytes = this.cur.decoder.push(t);
      } catch {
        throw new KysoError('edxmlBadBase64', { contentId: this.label() });
      }
      if (!bytes.length) return;
      this.cur.size += bytes.length;
      if (this.cur.size > this.maxAttachmentBytes) throw new KysoError('edxmlTooLarge', { limit: this.maxAttachmentBytes });
      this.cur.hash.update(bytes);
      if (this.discard) return;
      this.cur.file ??= openSink(this.cur.path);
      await writeChunk(this.cur.file, bytes);
      return;
    }
    if (META.has(top) && this.cur) {
      const v = (this.cur.fields[top] ?? '') + t;
      if (v.length > MAX_FIELD) throw this.malformed(`${top} too long`);
      this.cur.fields[top] = v;
      return;
    }
    if (t.trim()) throw this.malformed('unexpected text after the envelope');
  }

  /** Closes any open temp file (after an error) so it can be deleted. */
  async abort(): Promise<void> {
    if (this.cur?.file) await closeSink(this.cur.file);
  }
}
