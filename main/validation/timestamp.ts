/** RFC 3161 timestamp tokens: CMS checks, message imprint, TSA certificate purpose. */
import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import { digestName } from '../pki/algorithms.js';
import type { CertView } from '../pki/cert.js';
import { checkCms, octets, OID, parseSignedData, type CmsCheck } from './cms.js';

/** Outcome of a timestamp token check (trust of the TSA is checked by the caller). */
export interface TimestampCheck {
  ok: boolean;
  /** Machine-readable reason when not ok. */
  reason?: 'format' | 'imprint' | 'digest' | 'signature' | 'noSigner' | 'essCert';
  genTime?: Date;
  tsa?: CertView;
  certs: Buffer[];
  cms?: CmsCheck;
  /** False when the TSA certificate lacks the critical timeStamping purpose (a warning). */
  tsaPurposeOk: boolean;
}

/** Checks a token whose imprint must be the hash of `imprinted` (a signature value or byte ranges). */
export function checkTimestamp(token: Uint8Array, imprinted: (hash: string) => Buffer): TimestampCheck {
  let sd: pkijs.SignedData;
  let content: Buffer;
  let tst: pkijs.TSTInfo;
  try {
    sd = parseSignedData(token);
    if (sd.encapContentInfo.eContentType !== OID.tstInfo || !sd.encapContentInfo.eContent) throw new Error('no TSTInfo');
    content = octets(sd.encapContentInfo.eContent);
    tst = pkijs.TSTInfo.fromBER(new Uint8Array(content));
  } catch {
    return { ok: false, reason: 'format', certs: [], tsaPurposeOk: false };
  }
  let cms: CmsCheck;
  try {
    cms = checkCms(sd, (h) => createHash(h).update(content).digest());
  } catch {
    return { ok: false, reason: 'format', certs: [], tsaPurposeOk: false };
  }
  const genTime = tst.genTime;
  const base = { genTime, tsa: cms.signer, certs: cms.certs, cms, tsaPurposeOk: (cms.signer?.x.keyUsage ?? []).includes('1.3.6.1.5.5.7.3.8') };
  const hash = digestName(tst.messageImprint.hashAlgorithm.algorithmId);
  if (!hash || !imprinted(hash).equals(Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView))) return { ...base, ok: false, reason: 'imprint' };
  if (!cms.signer) return { ...base, ok: false, reason: 'noSigner' };
  if (!cms.digestOk) return { ...base, ok: false, reason: 'digest' };
  if (!cms.signatureOk) return { ...base, ok: false, reason: 'signature' };
  if (cms.essCert === 'mismatch') return { ...base, ok: false, reason: 'essCert' };
  return { ...base, ok: true };
}
