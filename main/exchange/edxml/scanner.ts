/**
 * SAX-style scanner for the part of an edXML package after the envelope
 * (AttachmentEncoded/Attachment*): base64 content is decoded straight into temp files while
 * hashed, so a package of any size is read in constant memory. Strict: no comments, CDATA,
 * processing instructions, stray text or elements outside the edXML vocabulary in this part.
 *
 * Namespace-aware, with one deliberate recovery: field packages write the attachment block
 * as `edXML:AttachmentEncoded` outside the scope of the envelope's `xmlns:edXML`. A prefix
 * that the envelope bound to the edXML namespace is recovered (and noted); any other unbound
 * prefix is refused as a strict parser would.
 */
import { createHash, randomUUID, type Hash } from 'node:crypto';
import type { WriteStream } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { KysoError } from '../../api/errors.js';
import { Base64Decoder } from './base64.js';
import type { TailCanonicalizer } from './c14n-tail.js';
import type { Notes } from './notes.js';
import { SNIFF_BYTES } from '../../files/sniff.js';
import { closeSink, endSink, openSink, writeChunk } from './sink.js';
import { declarationsOf, localOf, NsScope, parseStartTag, prefixOf, XmlTextStream } from './tail-xml.js';
import { EDXML_NS } from './types.js';

/** An attachment as scanned: metadata texts, where its bytes went, their digest, their first bytes. */
export interface ScannedAttachment {
  fields: Record<string, string>;
  path: string;
  size: number;
  sha256: Buffer;
  head: Buffer;
}

/** Where the scan starts: the still-open root (if any) and the namespaces in scope there. */
export interface TailContext {
  /** Qualified name of the open root element, or undefined when the envelope was the root. */
  root?: string;
  /** Bindings in scope inside the root ('' = default namespace). */
  rootScope: Map<string, string>;
  /** Prefixes the envelope bound to the edXML namespace: recoverable when used out of scope. */
  recoverable: Set<string>;
}

const META = new Set(['ContentId', 'AttachmentName', 'Description', 'ContentType']);
const MAX_TAG = 4096;
const MAX_FIELD = 4000;

interface Current {
  fields: Record<string, string>;
  path: string;
  file?: WriteStream;
  hash: Hash;
  size: number;
  decoder: Base64Decoder;
  head: Buffer[];
  headLen: number;
}

/** Scans the tail of a package. */
export class AttachmentScanner {
  readonly attachments: ScannedAttachment[] = [];
  readonly files: string[] = [];
  /** Set to stream the tail's canonical form (a whole-document signature reference). */
  canonical: TailCanonicalizer | undefined;
  private readonly text = new StringDecoder('utf8');
  private readonly chars = new XmlTextStream();
  private readonly stack: string[];
  private readonly scope: NsScope;
  private inTag = false;
  private tag = '';
  private cur: Current | undefined;
  private closedRoot = false;
  private readonly recovered = new Set<string>();

  constructor(
    private readonly tmpDir: string,
    private readonly ctx: TailContext,
    private readonly notes: Notes,
    private readonly maxAttachmentBytes: number,
    /** Only hash attachments, write no files (a relay verifying digests it will not keep). */
    private readonly discard = false,
  ) {
    this.stack = ctx.root ? [ctx.root] : [];
    this.scope = new NsScope(ctx.rootScope);
    this.closedRoot = !ctx.root;
  }

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
        await this.onText(this.chars.push(j < 0 ? s.slice(i) : s.slice(i, j)));
        if (j < 0) return;
        await this.onText(this.chars.flush());
        i = j + 1;
        this.inTag = true;
      }
    }
  }

  /** The namespace of a tail element, recovering the out-of-scope edXML prefix. */
  private namespaceOf(name: string): string | null {
    const prefix = prefixOf(name);
    const uri = this.scope.lookup(prefix);
    if (prefix && uri === undefined) {
      if (!this.ctx.recoverable.has(prefix)) throw this.malformed(`prefix ${prefix.slice(0, 50)} is not declared`);
      if (!this.recovered.has(prefix)) this.notes.add('prefixOutOfScope', { prefix, element: localOf(name) });
      this.recovered.add(prefix);
      return EDXML_NS;
    }
    return uri || null;
  }

  private async onTag(t: string): Promise<void> {
    if (t.startsWith('?') || t.startsWith('!')) throw this.malformed('comments, CDATA or processing instructions after the envelope');
    if (this.closedRoot) throw this.malformed('content after the root element');
    if (t.startsWith('/')) {
      const name = t.slice(1).trim();
      const open = this.stack.pop();
      if (open !== name) throw this.malformed(`unexpected </${name.slice(0, 50)}>`);
      this.scope.pop();
      if (localOf(name) === 'Attachment') await this.closeAttachment();
      this.canonical?.end(name);
      if (this.stack.length === 0) this.closedRoot = true;
      return;
    }
    const tag = parseStartTag(t);
    const own = declarationsOf(tag);
    this.scope.push(own);
    const ns = this.namespaceOf(tag.name);
    for (const a of tag.attrs) {
      const p = prefixOf(a.name);
      if (p && p !== 'xmlns' && this.scope.lookup(p) === undefined) throw this.malformed(`prefix ${p.slice(0, 50)} is not declared`);
    }
    if (ns === null) {
      if (!this.notes.has('noNamespace')) this.notes.add('noNamespace', { element: localOf(tag.name) });
    } else if (ns !== EDXML_NS) throw this.malformed(`<${tag.name.slice(0, 50)}> is not in the edXML namespace`);
    const parent = localOf(this.stack[this.stack.length - 1] ?? '');
    const local = localOf(tag.name);
    const allowed =
      (parent === 'edXML' && local === 'AttachmentEncoded') ||
      (parent === 'AttachmentEncoded' && local === 'Attachment') ||
      (parent === 'Attachment' && (META.has(local) || local === 'ContentTransferEncoded'));
    if (!allowed) throw this.malformed(`unexpected <${tag.name.slice(0, 50)}>`);
    this.canonical?.start(tag, own, this.scope);
    if (local === 'Attachment') this.openAttachment();
    if (!tag.selfClosing) this.stack.push(tag.name);
    else {
      this.scope.pop();
      if (local === 'Attachment') await this.closeAttachment();
    }
  }

  private openAttachment(): void {
    const p = this.discard ? '' : path.join(this.tmpDir, `att-${randomUUID()}`);
    if (p) this.files.push(p);
    this.cur = { fields: {}, path: p, hash: createHash('sha256'), size: 0, decoder: new Base64Decoder(), head: [], headLen: 0 };
  }

  private label(): string {
    return this.cur?.fields.ContentId ? this.cur.fields.ContentId.trim() : `#${this.attachments.length + 1}`;
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
    const fields = Object.fromEntries(Object.entries(c.fields).map(([k, v]) => [k, v.trim()]));
    this.attachments.push({ fields, path: c.path, size: c.size, sha256: c.hash.digest(), head: Buffer.concat(c.head) });
    this.cur = undefined;
  }

  private async onText(t: string): Promise<void> {
    if (!t) return;
    if (this.stack.length) this.canonical?.text(t);
    const top = localOf(this.stack[this.stack.length - 1] ?? '');
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
      if (this.cur.headLen < SNIFF_BYTES) {
        const part = bytes.subarray(0, SNIFF_BYTES - this.cur.headLen);
        this.cur.head.push(Buffer.from(part));
        this.cur.headLen += part.length;
      }
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
