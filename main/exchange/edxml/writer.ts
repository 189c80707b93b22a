/**
 * Streaming edXML package writer. Pass 1 hashes every attachment (constant memory), the
 * envelope is signed, pass 2 writes the envelope then each attachment's base64 in chunks;
 * a file that changed between the passes is an error, never a silently wrong package.
 */
import { createHash } from 'node:crypto';
import { createReadStream, type WriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { z } from 'zod';
import { KysoError } from '../../api/errors.js';
import type { Signer } from '../../pki/signer.js';
import { buildSignature, envelopeDigest, findEnvelope, type AttachmentDigest } from './dsig.js';
import { documentIdOf, manifestXml, messageHeaderXml, traceHeaderListXml } from './envelope.js';
import { formatEdxmlTimestamp } from './time.js';
import { attachmentMetaSchema, bussinessSchema, EDXML_NS, messageHeaderSchema, traceHeaderSchema, type TraceHeader } from './types.js';
import { el, parseXml, validate } from './xml.js';
import { closeSink, endSink, openSink, writeChunk } from './sink.js';

/** One attachment to pack: its metadata and either a file path or bytes. */
export interface AttachmentSource {
  meta: z.input<typeof attachmentMetaSchema>;
  path?: string;
  data?: Uint8Array;
}

/** What a package is made of. traces default to one TraceHeader of the sender, now. */
export interface PackageInput {
  header: z.input<typeof messageHeaderSchema>;
  traces?: TraceHeader[];
  bussiness?: z.input<typeof bussinessSchema>;
  attachments: AttachmentSource[];
}

/** Result of writing a package. */
export interface WrittenPackage {
  bytes: number;
  sha256: string;
  documentId: string;
}

const CHUNK = 3 * 64 * 1024; // multiple of 3: base64 of each chunk concatenates cleanly

async function* chunksOf(a: AttachmentSource): AsyncGenerator<Buffer> {
  if (a.data) {
    for (let i = 0; i < a.data.length; i += CHUNK) yield Buffer.from(a.data.subarray(i, i + CHUNK));
    return;
  }
  if (!a.path) throw new KysoError('edxmlInvalid', { field: `Attachment.${a.meta.contentId}`, reason: 'has no content' });
  let carry: Buffer = Buffer.alloc(0);
  for await (const c of createReadStream(a.path, { highWaterMark: CHUNK })) {
    let buf: Buffer = carry.length ? Buffer.concat([carry, c as Buffer]) : (c as Buffer);
    const cut = buf.length - (buf.length % 3);
    carry = buf.subarray(cut);
    buf = buf.subarray(0, cut);
    if (buf.length) yield buf;
  }
  if (carry.length) yield carry;
}

async function hashOf(a: AttachmentSource): Promise<Buffer> {
  const h = createHash('sha256');
  for await (const c of chunksOf(a)) h.update(c);
  return h.digest();
}

/** Builds the signed envelope (everything before AttachmentEncoded) as a string. */
export async function buildSignedHead(input: PackageInput, signer: Signer, digests: AttachmentDigest[]): Promise<{ head: string; documentId: string }> {
  const header = validate(messageHeaderSchema, input.header, 'MessageHeader');
  const documentId = header.documentId ?? documentIdOf(header);
  const traces = (input.traces ?? [{ organId: header.from.organId, timestamp: formatEdxmlTimestamp() }]).map((t, i) => validate(traceHeaderSchema, t, `TraceHeader.${i}`));
  const bussiness = validate(bussinessSchema, input.bussiness ?? {}, 'Bussiness');
  const metas = input.attachments.map((a, i) => validate(attachmentMetaSchema, a.meta, `Attachment.${i}`));
  if (new Set(metas.map((m) => m.contentId)).size !== metas.length) throw new KysoError('edxmlInvalid', { field: 'Attachment', reason: 'has duplicate ContentId' });
  // The deployed shape: the namespace as default on the root and again with the prefix on the
  // envelope (and on the attachment block, where the field omits it: that is not well-formed).
  const head = (sig: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="${EDXML_NS}"><edXML:edXMLEnvelope xmlns:edXML="${EDXML_NS}"><edXML:edXMLHeader>` +
    messageHeaderXml(header) +
    traceHeaderListXml(traces, bussiness, documentId) +
    sig +
    `</edXML:edXMLHeader>${manifestXml(metas)}</edXML:edXMLEnvelope>`;
  const doc = parseXml(head('') + '</edXML>');
  const sig = await buildSignature(envelopeDigest(findEnvelope(doc)), digests, signer);
  return { head: head(sig), documentId };
}

/** Writes a signed edXML package to a path (atomically: temp + rename) or a Writable (left open). */
export async function writePackage(input: PackageInput, signer: Signer, out: string | Writable): Promise<WrittenPackage> {
  const digests: AttachmentDigest[] = [];
  for (const a of input.attachments) digests.push({ contentId: a.meta.contentId, sha256: await hashOf(a) });
  const { head, documentId } = await buildSignedHead(input, signer, digests);
  const tmp = typeof out === 'string' ? `${out}.${process.pid}.${Date.now()}.tmp` : undefined;
  const stream = tmp ? openSink(tmp) : (out as Writable);
  const total = createHash('sha256');
  let bytes = 0;
  const put = async (s: string | Buffer) => {
    const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    total.update(b);
    bytes += b.length;
    await writeChunk(stream, b);
  };
  try {
    await put(head + `<edXML:AttachmentEncoded xmlns:edXML="${EDXML_NS}">`);
    for (const [i, a] of input.attachments.entries()) {
      const m = attachmentMetaSchema.parse(a.meta);
      await put('<edXML:Attachment>' + el('ContentId', m.contentId) + el('AttachmentName', m.attachmentName) + el('Description', m.description) + el('ContentType', m.contentType) + '<edXML:ContentTransferEncoded>');
      const h = createHash('sha256');
      for await (const c of chunksOf(a)) {
        h.update(c);
        await put(c.toString('base64'));
      }
      if (!h.digest().equals(digests[i]!.sha256)) throw new KysoError('edxmlDigestMismatch', { contentId: m.contentId });
      await put('</edXML:ContentTransferEncoded></edXML:Attachment>');
    }
    await put('</edXML:AttachmentEncoded></edXML>\n');
    if (tmp) {
      await endSink(stream);
      await rename(tmp, out as string);
    }
  } catch (e) {
    if (tmp) {
      await closeSink(stream as WriteStream);
      await unlink(tmp).catch(() => undefined);
    }
    throw e;
  }
  return { bytes, sha256: total.digest('hex'), documentId };
}
