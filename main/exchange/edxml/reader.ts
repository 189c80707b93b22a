/**
 * Streaming edXML package reader: buffers only the envelope (bounded), decodes attachments to
 * temp files while hashing them, then verifies the XML-DSig over envelope + attachment
 * digests. On any error every file it wrote is removed before the KysoError is thrown.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { KysoError, isKysoError } from '../../api/errors.js';
import { DEFAULT_LIMITS } from '../protocol.js';
import { findEnvelope, verifyEnvelope } from './dsig.js';
import { readManifest, readMessageHeader, readTraceHeaderList } from './envelope.js';
import { AttachmentScanner } from './scanner.js';
import { closeSink, endSink, openSink, writeChunk } from './sink.js';
import { attachmentMetaSchema, type AttachmentMeta, type Bussiness, type MessageHeader, type TraceHeader } from './types.js';
import { child, parseXml, validate } from './xml.js';

/** Limits and where to put decoded attachments. */
export interface ReadOptions {
  tmpDir: string;
  maxEnvelopeBytes?: number;
  maxPackageBytes?: number;
  maxAttachmentBytes?: number;
  /** Also copy the raw package bytes here (the server keeps the package as received). */
  copyTo?: string;
  /** Verify attachment digests without writing the decoded files (attachments[].path is ''). */
  discardAttachments?: boolean;
}

/** A decoded attachment: metadata plus the temp file holding its bytes. */
export interface ParsedAttachment extends AttachmentMeta {
  path: string;
  size: number;
  sha256: string;
}

/** A parsed, verified package. */
export interface ParsedPackage {
  header: MessageHeader;
  traces: TraceHeader[];
  bussiness: Bussiness;
  manifest: AttachmentMeta[];
  attachments: ParsedAttachment[];
  documentId: string;
  signerCertificate: Uint8Array;
  signerChain: Uint8Array[];
  /** sha256 (hex) and length of the raw package bytes. */
  packageSha256: string;
  bytes: number;
}

const ENVELOPE_END = /<\/(?:[A-Za-z_][\w.-]*:)?edXMLEnvelope\s*>/;

function rootName(head: string): string {
  const body = head.replace(/^\uFEFF?\s*<\?xml[^]*?\?>/, '');
  const m = /<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)[\s>/]/.exec(body);
  if (!m) throw new KysoError('edxmlMalformed', { reason: 'no root element' });
  return m[1]!;
}

/** Reads and verifies a package from a path or a byte stream (e.g. an HTTP request). */
export async function readPackage(input: string | AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array>, opts: ReadOptions): Promise<ParsedPackage> {
  const maxEnvelope = opts.maxEnvelopeBytes ?? DEFAULT_LIMITS.maxEnvelopeBytes;
  const maxPackage = opts.maxPackageBytes ?? DEFAULT_LIMITS.maxPackageBytes;
  const src = typeof input === 'string' ? createReadStream(input, { highWaterMark: 256 * 1024 }) : input;
  const total = createHash('sha256');
  const copy = opts.copyTo ? openSink(opts.copyTo) : undefined;
  let bytes = 0;
  let headParts: Buffer[] = [];
  let headLen = 0;
  let scanner: AttachmentScanner | undefined;
  let doc: ReturnType<typeof parseXml> | undefined;
  let early: Pick<ParsedPackage, 'header' | 'traces' | 'bussiness' | 'manifest'> | undefined;
  try {
    for await (const raw of src) {
      const chunk = typeof raw === 'string' ? Buffer.from(raw) : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      bytes += chunk.length;
      if (bytes > maxPackage) throw new KysoError('edxmlTooLarge', { limit: maxPackage });
      total.update(chunk);
      if (copy) await writeChunk(copy, chunk);
      if (scanner) {
        await scanner.push(chunk);
        continue;
      }
      headParts.push(chunk);
      headLen += chunk.length;
      const all = headParts.length > 1 ? Buffer.concat(headParts) : chunk;
      headParts = [all];
      const m = ENVELOPE_END.exec(all.toString('latin1'));
      if (!m) {
        if (headLen > maxEnvelope) throw new KysoError('edxmlTooLarge', { limit: maxEnvelope });
        continue;
      }
      const end = m.index + m[0].length;
      if (end > maxEnvelope) throw new KysoError('edxmlTooLarge', { limit: maxEnvelope });
      const head = all.subarray(0, end).toString('utf8');
      const root = rootName(head);
      const isEnvelopeRoot = root.slice(root.indexOf(':') + 1) === 'edXMLEnvelope';
      doc = parseXml(isEnvelopeRoot ? head : `${head}</${root}>`);
      // Fail fast on a bad header before reading (possibly) gigabytes of attachments.
      const envelope = findEnvelope(doc);
      const header = child(envelope, 'edXMLHeader');
      if (!header) throw new KysoError('edxmlInvalid', { field: 'edXMLHeader', reason: 'is missing' });
      early = { header: readMessageHeader(header), ...readTraceHeaderList(header), manifest: readManifest(envelope) };
      scanner = new AttachmentScanner(opts.tmpDir, isEnvelopeRoot ? [] : [root], opts.maxAttachmentBytes ?? maxPackage, opts.discardAttachments);
      headParts = [];
      await scanner.push(all.subarray(end));
    }
    if (!scanner || !doc || !early) throw new KysoError('edxmlMalformed', { reason: 'no complete edXMLEnvelope' });
    await scanner.end();
    if (copy) await endSink(copy);
    const attachments = scanner.attachments.map((a, i): ParsedAttachment => {
      const meta = validate(
        attachmentMetaSchema,
        { contentId: (a.fields.ContentId ?? '').replace(/^cid:/, ''), attachmentName: a.fields.AttachmentName, contentType: a.fields.ContentType || undefined, description: a.fields.Description ?? '' },
        `Attachment.${i}`,
      );
      const inManifest = early!.manifest.find((r) => r.contentId === meta.contentId);
      if (!inManifest || inManifest.attachmentName !== meta.attachmentName || inManifest.contentType !== meta.contentType) {
        throw new KysoError('edxmlAttachmentMismatch', { contentId: meta.contentId });
      }
      return { ...meta, path: a.path, size: a.size, sha256: a.sha256.toString('hex') };
    });
    for (const r of early.manifest) if (!attachments.some((a) => a.contentId === r.contentId)) throw new KysoError('edxmlAttachmentMismatch', { contentId: r.contentId });
    const sig = verifyEnvelope(doc, scanner.attachments.map((a, i) => ({ contentId: attachments[i]!.contentId, sha256: a.sha256 })));
    return {
      ...early,
      attachments,
      documentId: early.header.documentId!,
      signerCertificate: sig.certificate,
      signerChain: sig.chain,
      packageSha256: total.digest('hex'),
      bytes,
    };
  } catch (e) {
    await scanner?.abort();
    if (copy) await closeSink(copy);
    await Promise.all([...(scanner?.files ?? []), ...(opts.copyTo ? [opts.copyTo] : [])].map((f) => unlink(f).catch(() => undefined)));
    if (typeof input === 'string') (src as ReturnType<typeof createReadStream>).destroy();
    if (isKysoError(e)) throw e;
    // A full disk is not a malformed package: say what happened (nothing was kept).
    const errno = e as NodeJS.ErrnoException;
    if (errno.code === 'ENOSPC') throw new KysoError('diskFull', { path: opts.copyTo ?? opts.tmpDir });
    // Other failures of our own disk (permissions, a folder removed meanwhile) are not the package's fault either.
    if (errno.syscall && errno.code) throw new KysoError('fileWrite', { path: errno.path ?? opts.tmpDir, detail: errno.code }, { cause: e });
    throw new KysoError('edxmlMalformed', { reason: e instanceof Error ? e.message.slice(0, 200) : 'unreadable' }, { cause: e });
  }
}
