/**
 * What comes after the signature itself: the B-T signature timestamp on the CMS, and the
 * B-LT (DSS) and B-LTA (document timestamp) incremental updates appended to a temp file.
 */
import { open, stat, truncate } from 'node:fs/promises';
import { KysoError } from '../api/errors.js';
import { timestampDigest, timestampData, type TsaConfig } from '../pki/tsa-client.js';
import type { HashAlgorithm } from '../pki/signer.js';
import { PdfDict, PdfString, dict, name } from '../pdf/objects.js';
import { PdfFile } from '../pdf/reader.js';
import { IncrementalUpdate } from '../pdf/writer.js';
import { addSignatureTimestamp, cmsCertificates, signatureValue, signerDigestAlgorithm, unsignedTimestampTokens } from './cms.js';
import { writeContents } from './byte-range.js';
import { addDss, collectValidationData } from './dss.js';
import { TIMESTAMP_ROOM } from './placeholder-size.js';
import { writeAndHash } from './prepare.js';
import { addSignatureField, existingFieldNames, nextFieldName } from './sig-objects.js';
import { writeFully } from '../pdf/file-writes.js';

/** Adds the signature-time-stamp unsigned attribute to a CMS (B-T). */
export async function timestampCms(cms: Uint8Array, tsa: TsaConfig, signal?: AbortSignal): Promise<{ cms: Uint8Array; tsaCerts: Uint8Array[] }> {
  const hash = signerDigestAlgorithm(cms);
  const ts = await timestampData(signatureValue(cms), { ...tsa, hash, ...(signal ? { signal } : {}) });
  return { cms: addSignatureTimestamp(cms, ts.token), tsaCerts: ts.certificates };
}

/** Reads every signature's /Contents (CMS DER, padding stripped) from a file. */
export async function signatureContents(pdf: PdfFile): Promise<Uint8Array[]> {
  const form = await pdf.acroForm();
  const out: Uint8Array[] = [];
  for (const f of form?.fields ?? []) {
    if (f.type !== 'Sig') continue;
    const v = await pdf.resolve(f.value);
    if (!(v instanceof PdfDict)) continue;
    const c = await pdf.resolve(v.get('Contents'));
    if (c instanceof PdfString) out.push(stripDerPadding(c.bytes));
  }
  return out;
}

/** /Contents is zero-padded after the DER: keep the DER only (the outer TLV length says how much). */
export function stripDerPadding(b: Uint8Array): Uint8Array {
  if (b.length < 2 || b[0] !== 0x30) return b;
  const l = b[1]!;
  if (l < 0x80) return b.subarray(0, 2 + l);
  const n = l & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i]!;
  return b.subarray(0, Math.min(b.length, 2 + n + len));
}

/**
 * Appends a DSS update (B-LT) to `temp` in place, covering every signature in the file and
 * any extra certificates (e.g. the TSA's). Nothing is appended when fetching fails.
 */
export async function appendDss(temp: string, extraCerts: Uint8Array[], options: { timeoutMs?: number; signal?: AbortSignal; password?: string } = {}): Promise<void> {
  const pdf = await PdfFile.open(temp, { password: options.password });
  try {
    const contents = await signatureContents(pdf);
    if (!contents.length) throw new KysoError('signNoSignatures', { path: temp });
    const certs = [...contents.flatMap((c) => safeCerts(c)), ...contents.flatMap((c) => timestampCerts(c)), ...extraCerts];
    const data = await collectValidationData(certs, options);
    const up = new IncrementalUpdate(pdf);
    await addDss(pdf, up, data, contents);
    const bytes = await up.build();
    const fh = await open(temp, 'r+');
    try {
      await writeFully(fh, bytes.appendix, bytes.prefixLength);
    } finally {
      await fh.close();
    }
  } finally {
    await pdf.close();
  }
}

function safeCerts(cms: Uint8Array): Uint8Array[] {
  try {
    return cmsCertificates(cms);
  } catch {
    return [];
  }
}

/** Certificates inside signature-time-stamp tokens of a CMS (to cover the TSA chain in the DSS). */
function timestampCerts(cms: Uint8Array): Uint8Array[] {
  try {
    return cmsCertificates(cms).length ? unsignedTimestampTokens(cms).flatMap((t) => cmsCertificates(t)) : [];
  } catch {
    return [];
  }
}


/** Appends a document timestamp (B-LTA: /Type /DocTimeStamp, /SubFilter /ETSI.RFC3161) to `temp`. */
export async function appendDocTimestamp(temp: string, tsa: TsaConfig, hash: HashAlgorithm = 'SHA-256', signal?: AbortSignal, password?: string): Promise<void> {
  const before = (await stat(temp)).size;
  try {
    await docTimestamp(temp, tsa, hash, signal, password);
  } catch (e) {
    // Drop the half-made update so a fallback leaves a clean B-LT file.
    await truncate(temp, before);
    throw e;
  }
}

async function docTimestamp(temp: string, tsa: TsaConfig, hash: HashAlgorithm, signal?: AbortSignal, password?: string): Promise<void> {
  const pdf = await PdfFile.open(temp, { password });
  let prepared;
  try {
    const up = new IncrementalUpdate(pdf);
    const contents = up.placeholder(TIMESTAMP_ROOM);
    const byteRange = up.byteRangePlaceholder();
    const sigDict = dict({ Type: name('DocTimeStamp'), Filter: name('Adobe.PPKLite'), SubFilter: name('ETSI.RFC3161'), ByteRange: byteRange, Contents: contents });
    const page = await pdf.page(0);
    const fieldName = nextFieldName(await existingFieldNames(pdf), 'DocTimeStamp');
    await addSignatureField(pdf, up, { sigDict, page, rect: [0, 0, 0, 0], fieldName, certify: false });
    prepared = await writeAndHash(up, contents, byteRange, temp, hash, signal ? { signal } : {});
  } finally {
    await pdf.close();
  }
  const ts = await timestampDigest(prepared.digest, { ...tsa, hash, ...(signal ? { signal } : {}) });
  const fh = await open(temp, 'r+');
  try {
    await writeContents(fh, prepared.hole, ts.token);
  } finally {
    await fh.close();
  }
}
