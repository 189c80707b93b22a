/**
 * The cryptographic checks of a PDF signature (CMS SignedData): format, message digest over
 * the byte ranges, signature value, signer certificate binding, and the signature timestamp
 * token when there is one.
 */
import { createHash } from 'node:crypto';
import type * as pkijs from 'pkijs';
import { digestName } from '../../pki/algorithms.js';
import { hashRanges } from '../byte-range.js';
import { checkCms, OID, parseSignedData, unsignedAttr, type CmsCheck } from '../cms.js';
import { checkTimestamp } from '../timestamp.js';
import { timestampFailure } from './doc-timestamp-step.js';
import type { CryptoOutcome, SignatureRun } from './context.js';

const SUPPORTED = ['ETSI.CAdES.detached', 'adbe.pkcs7.detached'];

/** Runs the CMS checks; undefined when the signature cannot be analysed further. */
export async function cmsStep(run: SignatureRun): Promise<CryptoOutcome | undefined> {
  const { found, env, checks } = run;
  if (!SUPPORTED.includes(found.subFilter)) {
    checks.add('cmsFormat', 'fail', 'subFilterUnsupported', { subFilter: found.subFilter || '-' }, { indication: 'TOTAL_FAILED', sub: 'FORMAT_FAILURE' });
    return undefined;
  }
  let cms: CmsCheck;
  try {
    const sd: pkijs.SignedData = parseSignedData(run.contents);
    if (sd.encapContentInfo.eContent) throw new Error('CMS is not detached');
    const hash = digestName(sd.signerInfos[0]?.digestAlgorithm.algorithmId ?? '');
    const digests = await hashRanges(env.final.source, run.range, hash ? [hash] : []);
    cms = checkCms(sd, (h) => {
      const d = digests.get(h);
      if (!d) throw new Error(`unsupported digest ${h}`);
      return d;
    });
  } catch {
    checks.add('cmsFormat', 'fail', 'cmsUnreadable', {}, { indication: 'TOTAL_FAILED', sub: 'FORMAT_FAILURE' });
    return undefined;
  }
  checks.add('cmsFormat', 'pass', 'cmsOk');
  const signer = cms.signer;
  if (!cms.hashName) checks.add('messageDigest', 'fail', 'digestUnsupported', {}, { indication: 'TOTAL_FAILED', sub: 'FORMAT_FAILURE' });
  else if (!cms.digestOk) checks.add('messageDigest', 'fail', 'digestMismatch', {}, { indication: 'TOTAL_FAILED', sub: 'HASH_FAILURE' });
  else if (cms.hashName === 'sha1') checks.add('messageDigest', 'warn', 'weakDigest', { hash: cms.hashName });
  else checks.add('messageDigest', 'pass', 'digestOk', { hash: cms.hashName });
  if (!signer) checks.add('signature', 'fail', 'noSignerCert', {}, { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND' });
  else if (!cms.signatureOk) checks.add('signature', 'fail', 'signatureInvalid', {}, { indication: 'TOTAL_FAILED', sub: 'SIG_CRYPTO_FAILURE' });
  else checks.add('signature', 'pass', 'signatureOk');
  if (signer && !signer.canSignDocuments) checks.add('signingCertificate', 'fail', 'certKeyUsage', {}, { indication: 'INDETERMINATE', sub: 'SIG_CONSTRAINTS_FAILURE' });
  if (cms.essCert === 'match') checks.add('signingCertificate', 'pass', 'essMatch');
  else if (cms.essCert === 'mismatch') checks.add('signingCertificate', 'fail', 'essMismatch', {}, { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND' });
  else if (found.subFilter === 'ETSI.CAdES.detached') checks.add('signingCertificate', 'fail', 'essMissing', {}, { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND' });
  else checks.add('signingCertificate', 'warn', 'essMissingLegacy');
  const out: CryptoOutcome = { signer, pool: cms.certs };
  const tsAttr = unsignedAttr(cms.signerInfo, OID.signatureTimeStamp);
  if (tsAttr) {
    const value = cms.signatureValue;
    out.ts = checkTimestamp(new Uint8Array(tsAttr.toBER()), (h) => createHash(h).update(value).digest());
    if (!out.ts.ok) timestampFailure(run, 'timestamp', out.ts.reason!);
  }
  if (cms.signingTimeAttr && found.subFilter === 'ETSI.CAdES.detached') checks.add('signingTime', 'warn', 'cmsSigningTimePresent');
  return out;
}
