/**
 * A plain, JSON-ready description of any edXML file (package or status, Kyso's or the
 * field's): what `kyso edxml show --json` prints and what a gateway logs about a message it
 * relays. Nothing is localized here; attachments are hashed, sniffed and not kept.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import os from 'node:os';
import { isKysoError, KysoError } from '../../api/errors.js';
import { certView } from '../../pki/cert.js';
import { documentIdFormOf, type DocumentIdForm } from './envelope.js';
import type { PackageNote } from './notes.js';
import { readEdxml, type ParsedEdxml, type ReadOptions } from './reader.js';
import type { SignatureReport, SignatureState } from './signature.js';
import { organIdForm, type Bussiness, type MessageHeader, type ResponseFor, type StaffInfo, type TraceHeader } from './types.js';

/** The signer certificate as shown (never secret). */
export interface SignerView {
  subject: string;
  commonName: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
}

/** The signature as shown everywhere. */
export interface SignatureView {
  state: SignatureState;
  profile?: SignatureReport['profile'];
  algorithm?: string;
  digests?: string[];
  weak?: string[];
  failure?: SignatureReport['failure'];
  signer?: SignerView;
}

/** An attachment as shown: declared and detected type, size, digest. */
export interface AttachmentView {
  contentId: string;
  name: string;
  description: string;
  declaredType: string;
  detectedType: string | null;
  size: number;
  sha256: string;
}

/** Everything `kyso edxml show` tells about a file. */
export interface EdxmlDescription {
  kind: 'package' | 'status';
  bytes: number;
  sha256: string;
  signature: SignatureView;
  notes: PackageNote[];
  traces: TraceHeader[];
  bussiness: Bussiness;
  package?: {
    header: MessageHeader;
    documentIdForm: DocumentIdForm;
    fromForm: 'qd20' | 'system';
    attachments: AttachmentView[];
  };
  status?: {
    shape: 'messageHeader' | 'messageStatus';
    statusCode: string;
    description: string;
    timestamp: string;
    from: MessageHeader['from'];
    fromForm: 'qd20' | 'system';
    responseFor: ResponseFor & { documentIdForm: DocumentIdForm };
    staffInfo?: StaffInfo;
  };
}

/** The signature of a parsed message as shown (with the signer certificate's summary). */
export function signatureView(r: SignatureReport): SignatureView {
  const { certificate, chain: _chain, ...rest } = r;
  if (!certificate) return rest;
  try {
    const c = certView(certificate);
    return { ...rest, signer: { subject: c.subject, commonName: c.commonName, issuer: c.issuer, serial: c.serial, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString(), sha256: c.fingerprint } };
  } catch {
    return rest;
  }
}

/** Describes a parsed message. */
export function describe(m: ParsedEdxml): EdxmlDescription {
  const base = { kind: m.kind, bytes: m.bytes, sha256: m.packageSha256, signature: signatureView(m.signature), notes: m.notes, traces: m.traces, bussiness: m.bussiness };
  if (m.kind === 'status') {
    return {
      ...base,
      status: {
        shape: m.shape, statusCode: m.statusCode, description: m.description, timestamp: m.timestamp, from: m.from, fromForm: organIdForm(m.from.organId)!,
        responseFor: { ...m.responseFor, documentIdForm: documentIdFormOf(m.responseFor.documentId) }, ...(m.staffInfo ? { staffInfo: m.staffInfo } : {}),
      },
    };
  }
  return {
    ...base,
    package: {
      header: m.header,
      documentIdForm: m.documentIdForm,
      fromForm: organIdForm(m.header.from.organId)!,
      attachments: m.attachments.map((a) => ({
        contentId: a.contentId, name: a.attachmentName, description: a.description, declaredType: a.contentType, detectedType: a.detectedType ?? null, size: a.size, sha256: a.sha256,
      })),
    },
  };
}

/** Reads a file of either kind with the signature only reported, and describes it. */
export async function inspectEdxml(file: string, limits: Pick<ReadOptions, 'maxEnvelopeBytes' | 'maxPackageBytes' | 'maxAttachmentBytes'> = {}): Promise<EdxmlDescription> {
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new KysoError('fileNotRegular', { path: file });
    await access(file, constants.R_OK);
  } catch (e) {
    if (isKysoError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KysoError('fileNotFound', { path: file });
    throw new KysoError('fileUnreadable', { path: file, detail: code ?? String(e) });
  }
  return describe(await readEdxml(file, { ...limits, tmpDir: os.tmpdir(), discardAttachments: true, signature: 'report' }));
}
