/**
 * Streaming edXML reader for documents and status messages, as Kyso and the field write them:
 * buffers only the envelope (bounded), decodes attachments to temp files while hashing (and
 * sniffing) them, then judges the signature. What it tolerates from the field is recorded as
 * notes; the signature policy says whether an unsigned or invalid message is an error. On any
 * error every file it wrote is removed before the KysoError is thrown.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { KysoError, isKysoError } from '../../api/errors.js';
import { DEFAULT_LIMITS } from '../protocol.js';
import { TailCanonicalizer } from './c14n-tail.js';
import { documentIdFormOf, readManifest, readMessageHeader, readTraceHeaderList, type DocumentIdForm } from './envelope.js';
import { EnvelopeEndFinder, parseHead, xmlStart } from './head.js';
import { Notes, type PackageNote } from './notes.js';
import { AttachmentScanner } from './scanner.js';
import { planSignature, type SignaturePlan, type SignatureReport } from './signature.js';
import { closeSink, endSink, openSink, writeChunk } from './sink.js';
import { sniffType, typeDisagrees } from '../../files/sniff.js';
import { readStatusFields, statusElement, type StatusShape } from './status-fields.js';
import { attachmentMetaSchema, type AttachmentMeta, type Bussiness, type MessageHeader, type StatusMessage, type TraceHeader } from './types.js';
import { child, validate } from './xml.js';

/**
 * What to do about the signature: `require` a valid one (the inbox server), `allow-unsigned`
 * (an inbox: an unsigned message from the axis is shown as unsigned, an invalid one refused),
 * or only `report` it (`kyso edxml show`).
 */
export type SignaturePolicy = 'require' | 'allow-unsigned' | 'report';

/** Limits, where to put decoded attachments, and the signature policy (default `require`). */
export interface ReadOptions {
  tmpDir: string;
  maxEnvelopeBytes?: number;
  maxPackageBytes?: number;
  maxAttachmentBytes?: number;
  /** Also copy the raw package bytes here (the server keeps the package as received). */
  copyTo?: string;
  /** Verify attachment digests without writing the decoded files (attachments[].path is ''). */
  discardAttachments?: boolean;
  signature?: SignaturePolicy;
}

/** A decoded attachment: metadata, the temp file holding its bytes, and what the bytes are. */
export interface ParsedAttachment extends AttachmentMeta {
  path: string;
  size: number;
  sha256: string;
  /** The type sniffed from the bytes (undefined when not recognized). */
  detectedType?: string;
}

interface Common {
  traces: TraceHeader[];
  bussiness: Bussiness;
  signature: SignatureReport;
  /** What the reader tolerated (bytes before the declaration, an out-of-scope prefix...). */
  notes: PackageNote[];
  /** The certificate that verified the signature (absent when unsigned or invalid). */
  signerCertificate?: Uint8Array;
  signerChain: Uint8Array[];
  /** sha256 (hex) and length of the raw bytes. */
  packageSha256: string;
  bytes: number;
}

/** A parsed document package. */
export interface ParsedPackage extends Common {
  kind: 'package';
  header: MessageHeader;
  /** The manifest, or [] when the package has none (noted). */
  manifest: AttachmentMeta[];
  attachments: ParsedAttachment[];
  documentId: string;
  documentIdForm: DocumentIdForm;
}

/** A parsed status message. */
export interface ParsedStatusMessage extends Common, StatusMessage {
  kind: 'status';
  shape: StatusShape;
}

/** Either kind of message. */
export type ParsedEdxml = ParsedPackage | ParsedStatusMessage;

/** A message whose signature was required, so verified: its signer certificate is there. */
export type Signed<T> = T & { signerCertificate: Uint8Array };

type Input = string | AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array>;
type Early = { kind: 'package'; header: MessageHeader; manifest: AttachmentMeta[] | undefined } | { kind: 'status'; status: StatusMessage; shape: StatusShape };

/** Reads a document package or a status message from a path or a byte stream (e.g. an HTTP request). */
export async function readEdxml(input: Input, opts: ReadOptions): Promise<ParsedEdxml> {
  const maxEnvelope = opts.maxEnvelopeBytes ?? DEFAULT_LIMITS.maxEnvelopeBytes;
  const maxPackage = opts.maxPackageBytes ?? DEFAULT_LIMITS.maxPackageBytes;
  const src = typeof input === 'string' ? createReadStream(input, { highWaterMark: 256 * 1024 }) : input;
  const total = createHash('sha256');
  const copy = opts.copyTo ? openSink(opts.copyTo) : undefined;
  const notes = new Notes();
  let bytes = 0;
  let headParts: Buffer[] = [];
  let headLen = 0;
  const envelopeEnd = new EnvelopeEndFinder();
  let scanner: AttachmentScanner | undefined;
  let plan: SignaturePlan | undefined;
  let early: (Early & ReturnType<typeof readTraceHeaderList>) | undefined;
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
      const end = envelopeEnd.push(chunk);
      if (end < 0) {
        if (headLen > maxEnvelope) throw new KysoError('edxmlTooLarge', { limit: maxEnvelope });
        continue;
      }
      if (end > maxEnvelope) throw new KysoError('edxmlTooLarge', { limit: maxEnvelope });
      const all = headParts.length > 1 ? Buffer.concat(headParts) : chunk;
      const { offset, skipped } = xmlStart(all);
      if (skipped) notes.add('leadingBytes', { count: skipped });
      const head = parseHead(all.subarray(offset, end).toString('utf8'), notes);
      // Fail fast on a bad header before reading (possibly) gigabytes of attachments.
      const header = child(head.envelope, 'edXMLHeader');
      if (!header) throw new KysoError('edxmlInvalid', { field: 'edXMLHeader', reason: 'is missing' });
      const st = statusElement(header);
      early = {
        ...(st
          ? { kind: 'status' as const, status: readStatusFields(st.element, st.shape), shape: st.shape }
          : { kind: 'package' as const, header: readMessageHeader(header, notes), manifest: readManifest(head.envelope) }),
        ...readTraceHeaderList(header),
      };
      plan = planSignature(head.doc, head.envelope, notes, head.complete);
      scanner = new AttachmentScanner(opts.tmpDir, head.tail, notes, opts.maxAttachmentBytes ?? maxPackage, opts.discardAttachments);
      const stream = plan.stream;
      if (stream) scanner.canonical = new TailCanonicalizer(stream.mode, stream.rootRendered, (s) => {
        for (const h of stream.hashes.values()) h.update(s, 'utf8');
      });
      headParts = [];
      await scanner.push(all.subarray(end));
    }
    if (!scanner || !plan || !early) throw new KysoError('edxmlMalformed', { reason: 'no complete edXMLEnvelope' });
    await scanner.end();
    if (copy) await endSink(copy);
    const attachments = attachmentsOf(scanner, early, notes);
    const signature = plan.finish(scanner.attachments.map((a, i) => ({ contentId: attachments[i]!.contentId, sha256: a.sha256 })));
    const policy = opts.signature ?? 'require';
    if (policy !== 'report' && signature.state === 'invalid') throw new KysoError(signature.failure!.code, signature.failure!.params);
    if (policy === 'require' && signature.state === 'unsigned') throw new KysoError('edxmlUnsigned');
    // A signature that verified with a bare key (RSAKeyValue) names no signer anyone could check.
    if (policy === 'require' && !signature.certificate) throw new KysoError('edxmlSignatureInvalid', { reason: 'no signer certificate' });
    const common: Common = {
      traces: early.traces, bussiness: early.bussiness, signature, notes: notes.list,
      signerCertificate: signature.certificate, signerChain: signature.chain ?? [], packageSha256: total.digest('hex'), bytes,
    };
    if (early.kind === 'status') return { kind: 'status', ...early.status, shape: early.shape, ...common };
    const documentId = early.header.documentId!;
    return { kind: 'package', header: early.header, manifest: early.manifest ?? [], attachments, documentId, documentIdForm: documentIdFormOf(documentId), ...common };
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

/** Attachments checked against the manifest (when there is one), with their sniffed types. */
function attachmentsOf(scanner: AttachmentScanner, early: Early, notes: Notes): ParsedAttachment[] {
  if (early.kind === 'status') {
    if (scanner.attachments.length) throw new KysoError('edxmlInvalid', { field: 'AttachmentEncoded', reason: 'is not allowed in a status message' });
    return [];
  }
  const manifest = early.manifest;
  if (!manifest && scanner.attachments.length) notes.add('noManifest');
  const out = scanner.attachments.map((a, i): ParsedAttachment => {
    const meta = validate(
      attachmentMetaSchema,
      { contentId: (a.fields.ContentId ?? '').replace(/^cid:/, ''), attachmentName: a.fields.AttachmentName, contentType: a.fields.ContentType || undefined, description: a.fields.Description ?? '' },
      `Attachment.${i}`,
    );
    if (manifest) {
      const ref = manifest.find((r) => r.contentId === meta.contentId);
      if (!ref || ref.attachmentName !== meta.attachmentName || ref.contentType !== meta.contentType) throw new KysoError('edxmlAttachmentMismatch', { contentId: meta.contentId });
    }
    const detectedType = sniffType(a.head, meta.attachmentName);
    if (typeDisagrees(meta.contentType, detectedType)) notes.add('contentTypeMismatch', { contentId: meta.contentId, name: meta.attachmentName, declared: meta.contentType, detected: detectedType! });
    return { ...meta, path: a.path, size: a.size, sha256: a.sha256.toString('hex'), ...(detectedType ? { detectedType } : {}) };
  });
  for (const r of manifest ?? []) if (!out.some((a) => a.contentId === r.contentId)) throw new KysoError('edxmlAttachmentMismatch', { contentId: r.contentId });
  return out;
}

/**
 * Reads a document package (a status message is refused). With the default policy a missing
 * or invalid signature is an error and the signer's certificate is always there.
 */
export function readPackage(input: Input, opts: ReadOptions & { signature?: 'require' }): Promise<Signed<ParsedPackage>>;
export function readPackage(input: Input, opts: ReadOptions): Promise<ParsedPackage>;
export async function readPackage(input: Input, opts: ReadOptions): Promise<ParsedPackage> {
  const m = await readEdxml(input, opts);
  if (m.kind !== 'package') {
    throw new KysoError('edxmlInvalid', { field: 'MessageHeader', reason: 'is a status message, not a document package' });
  }
  return m;
}
