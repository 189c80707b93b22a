/**
 * The cryptographic checks of a PDF signature (CMS SignedData, DER or BER): format, message
 * digest over the byte ranges, signature value of every signer, signer certificate binding,
 * and the signature timestamp token when there is one. Formats outside PAdES that can still
 * be verified (adbe.pkcs7.sha1, several signers, encapsulated content) are verified and come
 * out INDETERMINATE with the reason; only what does not verify fails.
 */
import { createHash } from 'node:crypto';
import type * as pkijs from 'pkijs';
import { digestName, verifyParams, verifyRaw } from '../../pki/algorithms.js';
import { hashRanges, verifyRanges } from '../byte-range.js';
import { checkCms, octets, OID, parseSignedData, unsignedAttr, type CmsCheck } from '../cms.js';
import { checkTimestamp } from '../timestamp.js';
import type { CryptoOutcome, SignatureRun } from './context.js';

const SUPPORTED = ['ETSI.CAdES.detached', 'adbe.pkcs7.detached', 'adbe.pkcs7.sha1'];

/** The parsed CMS with the content its signers signed. */
interface Parsed {
  sd: pkijs.SignedData;
  /** Encapsulated content (adbe.pkcs7.sha1: the SHA-1 digest of the ranges), when present. */
  eContent?: Buffer;
  /** Digests of the byte ranges, by hash name. */
  ranges: Map<string, Buffer>;
}

async function parse(run: SignatureRun): Promise<Parsed | undefined> {
  try {
    const sd = parseSignedData(run.contents);
    if (sd.signerInfos.length === 0) return undefined;
    const e = sd.encapContentInfo.eContent;
    const eContent = e ? octets(e) : undefined;
    const hashes = new Set(sd.signerInfos.map((si) => digestName(si.digestAlgorithm.algorithmId)).filter((h): h is string => !!h));
    if (run.found.subFilter === 'adbe.pkcs7.sha1') hashes.add('sha1');
    const ranges = run.env.digests ? await run.env.digests.get(run.range, [...hashes]) : await hashRanges(run.env.final.source, run.range, [...hashes]);
    return { sd, eContent, ranges };
  } catch {
    return undefined;
  }
}

/** Checks signer `index`, including a signature made directly over the content. */
async function checkSigner(run: SignatureRun, p: Parsed, index: number): Promise<CmsCheck> {
  const content = p.eContent;
  const cms = checkCms(p.sd, (h) => (content ? createHash(h).update(content).digest() : p.ranges.get(h)!), index);
  if (cms.noSignedAttrs && cms.signer && cms.hashName) {
    const si = cms.signerInfo;
    const params = verifyParams(si.signatureAlgorithm, si.digestAlgorithm.algorithmId);
    cms.signatureOk = content
      ? verifyRaw(si.signatureAlgorithm, si.digestAlgorithm.algorithmId, content, cms.signatureValue, cms.signer.x.publicKey)
      : !!params && (await verifyRanges(run.env.final.source, run.range, params, cms.signer.x.publicKey, cms.signatureValue));
    cms.digestOk = cms.signatureOk;
  }
  return cms;
}

/** Message digest: what the signers signed is these byte ranges. */
function digestCheck(run: SignatureRun, p: Parsed, cms: CmsCheck): void {
  const { checks, found } = run;
  const content = p.eContent;
  if (!cms.hashName) return checks.add('messageDigest', 'fail', 'digestUnsupported', {}, { indication: 'TOTAL_FAILED', sub: 'FORMAT_FAILURE' });
  if (found.subFilter === 'adbe.pkcs7.sha1') {
    const ok = !!content && content.equals(p.ranges.get('sha1')!);
    if (!ok) return checks.add('messageDigest', 'fail', 'digestMismatch', {}, { indication: 'TOTAL_FAILED', sub: 'HASH_FAILURE' });
    return checks.add('messageDigest', 'warn', 'sha1DigestEncapsulated');
  }
  if (content && !createHash(cms.hashName).update(content).digest().equals(p.ranges.get(cms.hashName)!)) {
    return checks.add('messageDigest', 'fail', 'digestMismatch', {}, { indication: 'TOTAL_FAILED', sub: 'HASH_FAILURE' });
  }
  // Without signed attributes the digest is inside the signature value (checked with it).
  if (cms.noSignedAttrs) return cms.signatureOk ? checks.add('messageDigest', 'pass', 'digestInSignature', { hash: cms.hashName }) : undefined;
  if (!cms.digestOk) return checks.add('messageDigest', 'fail', 'digestMismatch', {}, { indication: 'TOTAL_FAILED', sub: 'HASH_FAILURE' });
  if (cms.hashName === 'sha1') return checks.add('messageDigest', 'warn', 'weakDigest', { hash: cms.hashName });
  checks.add('messageDigest', 'pass', 'digestOk', { hash: cms.hashName });
}

/** The format is readable but outside PAdES: INDETERMINATE with the reason (never FAILED for it). */
function formatCheck(run: SignatureRun, p: Parsed): void {
  const { checks, found } = run;
  const outside = { indication: 'INDETERMINATE', sub: 'SIG_CONSTRAINTS_FAILURE' } as const;
  const count = p.sd.signerInfos.length;
  if (found.subFilter === 'adbe.pkcs7.sha1') checks.add('cmsFormat', 'warn', 'legacySubFilter', { subFilter: found.subFilter }, outside);
  else if (p.eContent) checks.add('cmsFormat', 'warn', 'encapsulatedContent', {}, outside);
  if (count > 1) checks.add('cmsFormat', 'warn', 'multipleSigners', { count }, outside);
  if (found.subFilter !== 'adbe.pkcs7.sha1' && !p.eContent && count === 1) checks.add('cmsFormat', 'pass', 'cmsOk');
}

/** Signer certificate binding (ESS signing-certificate) and key usage. */
function bindingCheck(run: SignatureRun, cms: CmsCheck): void {
  const { checks, found } = run;
  const signer = cms.signer;
  if (signer && !signer.canSignDocuments) checks.add('signingCertificate', 'fail', 'certKeyUsage', {}, { indication: 'INDETERMINATE', sub: 'SIG_CONSTRAINTS_FAILURE' });
  if (cms.essCert === 'match') checks.add('signingCertificate', 'pass', 'essMatch');
  else if (cms.essCert === 'mismatch') checks.add('signingCertificate', 'fail', 'essMismatch', {}, { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND' });
  else if (found.subFilter === 'ETSI.CAdES.detached') checks.add('signingCertificate', 'fail', 'essMissing', {}, { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND' });
  else if (cms.noSignedAttrs) checks.add('signingCertificate', 'warn', 'noSignedAttributes');
  else checks.add('signingCertificate', 'warn', 'essMissingLegacy');
}

/** Runs the CMS checks; undefined when the signature cannot be analysed further. */
export async function cmsStep(run: SignatureRun): Promise<CryptoOutcome | undefined> {
  const { found, checks } = run;
  if (!SUPPORTED.includes(found.subFilter)) {
    checks.add('cmsFormat', 'fail', 'subFilterUnsupported', { subFilter: found.subFilter || '-' }, { indication: 'TOTAL_FAILED', sub: 'FORMAT_FAILURE' });
    return undefined;
  }
  const p = await parse(run);
  const signers: CmsCheck[] = [];
  try {
    if (p) for (let i = 0; i < p.sd.signerInfos.length; i++) signers.push(await checkSigner(run, p, i));
  } catch {
    signers.length = 0;
  }
  const cms = signers[0];
  if (!p || !cms || (found.subFilter === 'adbe.pkcs7.sha1' && !p.eContent)) {
    checks.add('cmsFormat', 'fail', 'cmsUnreadable', {}, { indication: 'TOTAL_FAILED', sub: 'FORMAT_FAILURE' });
    return undefined;
  }
  formatCheck(run, p);
  digestCheck(run, p, cms);
  const missing = signers.find((s) => !s.signer);
  const invalid = signers.find((s) => s.signer && !s.signatureOk);
  if (invalid) checks.add('signature', 'fail', 'signatureInvalid', {}, { indication: 'TOTAL_FAILED', sub: 'SIG_CRYPTO_FAILURE' });
  else if (missing) checks.add('signature', 'fail', 'noSignerCert', {}, { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND' });
  else checks.add('signature', 'pass', signers.length > 1 ? 'signaturesOk' : 'signatureOk', { count: signers.length });
  bindingCheck(run, cms);
  const out: CryptoOutcome = { signer: cms.signer, pool: cms.certs };
  const tsAttr = unsignedAttr(cms.signerInfo, OID.signatureTimeStamp);
  if (tsAttr) {
    const value = cms.signatureValue;
    out.ts = checkTimestamp(new Uint8Array(tsAttr.toBER()), (h) => createHash(h).update(value).digest());
    // A bad signature timestamp proves no time; the signature itself is judged without it
    // (EN 319 102-1): its own digest and value were checked above.
    if (!out.ts.ok) checks.add('timestamp', 'warn', `sigTimestamp_${out.ts.reason!}`);
  }
  if (cms.signingTimeAttr && found.subFilter === 'ETSI.CAdES.detached') checks.add('signingTime', 'warn', 'cmsSigningTimePresent');
  return out;
}
