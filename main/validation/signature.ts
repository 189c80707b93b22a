/** Validation of one PDF signature or document timestamp: every check, then the indication. */
import { createHash } from 'node:crypto';
import type * as pkijs from 'pkijs';
import { digestName } from '../pki/algorithms.js';
import type { CertView } from '../pki/cert-view.js';
import { checkByteRange, hashRanges } from './byte-range.js';
import { certificateChecks } from './cert-checks.js';
import { CheckList, parsePdfDate } from './checks.js';
import { checkCms, OID, parseSignedData, unsignedAttr, type CmsCheck } from './cms.js';
import type { DssData } from './dss.js';
import type { FoundSignature } from './fields.js';
import { analyzeModifications } from './modifications/analyze.js';
import type { PdfView } from './doc.js';
import { checkTimestamp, type TimestampCheck } from './timestamp.js';
import type { CertSummary, SignatureResult } from './types.js';
import { textOf } from './values.js';

/** Everything shared by the signatures of one file. */
export interface FileEnv {
  /** Path of the file (later revisions are opened from it as prefix views). */
  path: string;
  final: PdfView;
  /** Offsets just after each %%EOF of the file. */
  eofs: number[];
  dss: DssData;
  anchors: Buffer[];
  offline: boolean;
  now: Date;
  /** DocMDP level in force (2 when no certification signature). */
  p: number;
  locked: (name: string) => boolean;
  /** Valid, trusted document timestamps: where their signed range ends and their time. */
  docTimestamps: Array<{ signedEnd: number; time: Date }>;
  /** End of the revision that added the DSS, when there is one. */
  dssEnd?: number;
}

function summary(c: CertView): CertSummary {
  return { subject: c.subject, commonName: c.commonName, issuer: c.issuer, serial: c.serial, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() };
}

const TS_REASON: Record<string, ['HASH_FAILURE' | 'SIG_CRYPTO_FAILURE' | 'FORMAT_FAILURE' | 'NO_SIGNING_CERTIFICATE_FOUND', string]> = {
  format: ['FORMAT_FAILURE', 'timestamp token is not a valid RFC 3161 token'],
  imprint: ['HASH_FAILURE', 'timestamp imprint does not match the signed data'],
  digest: ['HASH_FAILURE', 'timestamp token content digest mismatch'],
  signature: ['SIG_CRYPTO_FAILURE', 'timestamp token signature is invalid'],
  noSigner: ['NO_SIGNING_CERTIFICATE_FOUND', 'timestamp token has no TSA certificate'],
  essCert: ['NO_SIGNING_CERTIFICATE_FOUND', 'TSA certificate does not match the token'],
};

/** Validates one found signature against the file. */
export async function validateSignature(found: FoundSignature, env: FileEnv): Promise<SignatureResult> {
  const checks = new CheckList();
  const claimed = parsePdfDate(textOf(found.sig.get('M')));
  const result: SignatureResult = {
    field: found.field,
    kind: found.kind,
    subFilter: found.subFilter,
    signer: null,
    signerCert: null,
    issuingCa: null,
    indication: 'INDETERMINATE',
    subIndication: null,
    signingTime: null,
    timeSource: 'none',
    claimedTime: claimed?.toISOString() ?? null,
    level: null,
    coversWholeDocument: false,
    byteRange: null,
    revision: null,
    revocation: { status: 'notChecked', source: 'none', time: null, revokedAt: null },
    docMdp: env.p,
    modifications: [],
    checks: [],
  };
  const finish = (): SignatureResult => {
    result.checks = checks.list();
    Object.assign(result, checks.indication());
    return result;
  };
  const br = await checkByteRange(env.final.source, found);
  result.byteRange = br.range ? [...br.range] : null;
  if (!br.ok) {
    checks.add('byteRange', 'fail', br.code, `byte range rejected: ${br.code}`, br.params, { indication: 'TOTAL_FAILED', sub: 'FORMAT_FAILURE' });
    return finish();
  }
  checks.add('byteRange', 'pass', 'byteRangeOk', `byte range [${br.range.join(' ')}] covers everything but /Contents`, { range: br.range.join(' ') });
  const mods = await analyzeModifications({ path: env.path, final: env.final, eofs: env.eofs, signedEnd: br.signedEnd, p: env.p, locked: env.locked });
  result.modifications = mods.modifications;
  result.coversWholeDocument = mods.coversWholeDocument;
  result.revision = mods.revision;
  // Filled before each synchronous CMS check, with only the digests it will ask for.
  let digests = new Map<string, Buffer>();
  const rangeHash = (h: string): Buffer => {
    const d = digests.get(h);
    if (!d) throw new Error(`unsupported digest ${h}`);
    return d;
  };
  const contents = Buffer.from(found.contents!.bytes);

  let signer: CertView | undefined;
  let pool: Buffer[];
  let ts: TimestampCheck | undefined;
  let signatureValue: Buffer | undefined;
  if (found.kind === 'documentTimestamp') {
    digests = await hashRanges(env.final.source, br.range);
    ts = checkTimestamp(contents, rangeHash);
    if (ts.reason === 'format') {
      checks.add('cmsFormat', 'fail', 'cmsUnreadable', 'document timestamp is not a valid RFC 3161 token', {}, { indication: 'TOTAL_FAILED', sub: 'FORMAT_FAILURE' });
      return finish();
    }
    checks.add('cmsFormat', 'pass', 'cmsOk', 'RFC 3161 token parsed');
    signer = ts.tsa;
    pool = ts.certs;
    if (!ts.ok) {
      const [sub, text] = TS_REASON[ts.reason!]!;
      checks.add(ts.reason === 'imprint' || ts.reason === 'digest' ? 'messageDigest' : 'signature', 'fail', `timestamp_${ts.reason}`, text, {}, { indication: sub === 'NO_SIGNING_CERTIFICATE_FOUND' ? 'INDETERMINATE' : 'TOTAL_FAILED', sub });
    } else {
      checks.add('messageDigest', 'pass', 'digestOk', 'timestamp imprint matches the document bytes');
      checks.add('signature', 'pass', 'signatureOk', 'timestamp token signature valid');
    }
  } else {
    if (found.subFilter !== 'ETSI.CAdES.detached' && found.subFilter !== 'adbe.pkcs7.detached') {
      checks.add('cmsFormat', 'fail', 'subFilterUnsupported', `unsupported /SubFilter ${found.subFilter || '(none)'}`, { subFilter: found.subFilter }, { indication: 'TOTAL_FAILED', sub: 'FORMAT_FAILURE' });
      return finish();
    }
    let cms: CmsCheck;
    let sd: pkijs.SignedData;
    try {
      sd = parseSignedData(contents);
      if (sd.encapContentInfo.eContent) throw new Error('CMS is not detached');
      const hash = digestName(sd.signerInfos[0]?.digestAlgorithm.algorithmId ?? '');
      digests = await hashRanges(env.final.source, br.range, hash ? [hash] : []);
      cms = checkCms(sd, rangeHash);
    } catch (e) {
      checks.add('cmsFormat', 'fail', 'cmsUnreadable', `/Contents is not a detached CMS SignedData: ${(e as Error).message}`, {}, { indication: 'TOTAL_FAILED', sub: 'FORMAT_FAILURE' });
      return finish();
    }
    checks.add('cmsFormat', 'pass', 'cmsOk', 'CMS SignedData parsed');
    signer = cms.signer;
    pool = cms.certs;
    signatureValue = cms.signatureValue;
    if (!cms.hashName) checks.add('messageDigest', 'fail', 'digestUnsupported', 'unsupported digest algorithm', {}, { indication: 'TOTAL_FAILED', sub: 'FORMAT_FAILURE' });
    else if (!cms.digestOk) checks.add('messageDigest', 'fail', 'digestMismatch', 'message digest does not match the signed byte ranges', {}, { indication: 'TOTAL_FAILED', sub: 'HASH_FAILURE' });
    else if (cms.hashName === 'sha1') checks.add('messageDigest', 'warn', 'weakDigest', 'SHA-1 digest: matches, but the algorithm is no longer acceptable for new signatures', { hash: cms.hashName });
    else checks.add('messageDigest', 'pass', 'digestOk', `${cms.hashName} digest of the byte ranges matches`, { hash: cms.hashName });
    if (!signer) checks.add('signature', 'fail', 'noSignerCert', 'signer certificate not found in the CMS', {}, { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND' });
    else if (!cms.signatureOk) checks.add('signature', 'fail', 'signatureInvalid', 'signature over the signed attributes does not verify', {}, { indication: 'TOTAL_FAILED', sub: 'SIG_CRYPTO_FAILURE' });
    else checks.add('signature', 'pass', 'signatureOk', 'signature over the signed attributes verifies');
    if (signer && !signer.canSignDocuments) {
      checks.add('signingCertificate', 'fail', 'certKeyUsage', 'the signer certificate is not meant for signatures (keyUsage)', {}, { indication: 'INDETERMINATE', sub: 'SIG_CONSTRAINTS_FAILURE' });
    }
    if (cms.essCert === 'match') checks.add('signingCertificate', 'pass', 'essMatch', 'signing-certificate-v2 matches the signer certificate');
    else if (cms.essCert === 'mismatch') checks.add('signingCertificate', 'fail', 'essMismatch', 'signing-certificate attribute does not match the signer certificate', {}, { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND' });
    else if (found.subFilter === 'ETSI.CAdES.detached') checks.add('signingCertificate', 'fail', 'essMissing', 'PAdES signature without signing-certificate-v2', {}, { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND' });
    else checks.add('signingCertificate', 'warn', 'essMissingLegacy', 'legacy signature without signing-certificate attribute');
    const tsAttr = unsignedAttr(cms.signerInfo, OID.signatureTimeStamp);
    if (tsAttr) {
      const value = signatureValue;
      ts = checkTimestamp(new Uint8Array(tsAttr.toBER()), (h) => createHash(h).update(value).digest());
      if (!ts.ok) {
        const [sub, text] = TS_REASON[ts.reason!]!;
        checks.add('timestamp', 'fail', `timestamp_${ts.reason}`, text, {}, { indication: sub === 'NO_SIGNING_CERTIFICATE_FOUND' ? 'INDETERMINATE' : 'TOTAL_FAILED', sub });
      }
    }
    if (cms.signingTimeAttr && found.subFilter === 'ETSI.CAdES.detached') {
      checks.add('signingTime', 'warn', 'cmsSigningTimePresent', 'CMS signing-time attribute present (PAdES uses /M)');
    }
  }
  if (signer) {
    result.signer = signer.commonName;
    result.signerCert = summary(signer);
    result.issuingCa = signer.issuerCommonName;
  }

  // Timestamp trust: a token only proves existence when its TSA chains to an anchor.
  let trustedTsTime: Date | undefined;
  if (ts?.ok && ts.tsa && found.kind === 'signature') {
    const tsChecks = new CheckList();
    const tsOut = await certificateChecks({ signer: ts.tsa, pool: [...ts.certs, ...env.dss.certs], anchors: env.anchors, ocsps: env.dss.ocsps, crls: env.dss.crls, offline: true, signingTime: ts.genTime!, poe: true, poeTime: ts.genTime, now: ts.genTime! }, tsChecks);
    const bad = tsChecks.indication();
    if (tsOut.path && bad.indication !== 'TOTAL_FAILED') {
      trustedTsTime = ts.genTime;
      checks.add('timestamp', ts.tsaPurposeOk ? 'pass' : 'warn', 'timestampOk', `signature timestamp ${ts.genTime!.toISOString()} by "${ts.tsa.commonName}"`, { time: ts.genTime!.toISOString(), tsa: ts.tsa.commonName });
    } else {
      checks.add('timestamp', 'warn', 'timestampUntrusted', `timestamp by "${ts.tsa.commonName}" does not chain to a trusted root; not used as proof of time`, { tsa: ts.tsa.commonName });
    }
  }

  let signingTime: Date;
  if (found.kind === 'documentTimestamp' && ts?.genTime) {
    signingTime = ts.genTime;
    result.timeSource = 'timestamp';
    checks.add('signingTime', 'pass', 'timeFromTimestamp', `time ${signingTime.toISOString()} from the timestamp token`, { time: signingTime.toISOString() });
  } else if (trustedTsTime) {
    signingTime = trustedTsTime;
    result.timeSource = 'timestamp';
    checks.add('signingTime', 'pass', 'timeFromTimestamp', `signing time ${signingTime.toISOString()} from the signature timestamp`, { time: signingTime.toISOString() });
  } else if (claimed) {
    signingTime = claimed;
    result.timeSource = 'claimed';
    checks.add('signingTime', 'warn', 'timeClaimed', `signing time ${claimed.toISOString()} is only claimed by the signer (/M), not proven by a timestamp`, { time: claimed.toISOString() });
  } else {
    signingTime = env.now;
    checks.add('signingTime', 'warn', 'timeMissing', 'no signing time; validated at the current time');
  }
  result.signingTime = result.timeSource === 'none' ? null : signingTime.toISOString();

  if (signer) {
    const covering = env.docTimestamps.filter((d) => d.signedEnd > br.signedEnd).map((d) => d.time);
    const poeCandidates = [trustedTsTime, ...covering].filter((d): d is Date => !!d).sort((a, b) => a.getTime() - b.getTime());
    const cert = await certificateChecks({
      signer,
      pool: [...pool, ...env.dss.certs],
      anchors: env.anchors,
      ocsps: env.dss.ocsps,
      crls: env.dss.crls,
      offline: env.offline,
      signingTime,
      poe: result.timeSource === 'timestamp',
      poeTime: found.kind === 'documentTimestamp' ? signingTime : poeCandidates[0],
      now: env.now,
    }, checks);
    result.revocation = cert.revocation;
    if (cert.path && cert.path.length > 1) result.issuingCa = cert.path[1]!.commonName;
    if (found.kind === 'signature' && found.subFilter === 'ETSI.CAdES.detached') {
      result.level = 'B-B';
      if (trustedTsTime) result.level = 'B-T';
      const lt = result.level === 'B-T' && cert.leafRevocation?.source.startsWith('dss') && env.dssEnd !== undefined && env.dssEnd > br.signedEnd;
      if (lt) result.level = 'B-LT';
      if (lt && env.docTimestamps.some((d) => env.dssEnd !== undefined && d.signedEnd > env.dssEnd)) result.level = 'B-LTA';
    }
  }

  const bad = result.modifications.filter((m) => !m.allowed);
  if (bad.length) {
    checks.add('modifications', 'fail', bad[0]!.code, `disallowed change after signing: ${bad[0]!.detail}${bad.length > 1 ? ` (+${bad.length - 1} more)` : ''}`, { count: bad.length }, { indication: 'TOTAL_FAILED', sub: 'SIG_CONSTRAINTS_FAILURE' });
  } else if (result.coversWholeDocument) {
    checks.add('modifications', 'pass', 'wholeDocument', 'signature covers the whole document');
  } else {
    checks.add('modifications', 'pass', 'allowedChangesOnly', `only allowed changes after signing (${result.modifications.length})`, { count: result.modifications.length });
  }
  checks.add('docMdp', 'pass', 'docMdpLevel', `DocMDP permission level ${env.p}`, { p: env.p });
  return finish();
}
