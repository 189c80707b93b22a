/**
 * CMS SignedData checks shared by PDF signatures and RFC 3161 tokens: parse, find the
 * signer certificate, message digest, signature over the signed attributes, and the ESS
 * signing-certificate(-v2) binding.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { DerCache } from '../pki/der-cache.js';
import { digestName, verifyRaw } from '../pki/algorithms.js';
import { certView, type CertView } from '../pki/cert.js';
import { childrenOf, contentOf, isUniversal, oidOf, readTlv, stringOf, UNIVERSAL, type Tlv } from './ber.js';
import { attributeValue, parseCms, type SignedDataInfo, type SignerInfoData } from './cms-parse.js';

export type { SignedDataInfo, SignerInfoData } from './cms-parse.js';

/** OIDs used here. */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertV1: '1.2.840.113549.1.9.16.2.12',
  signingCertV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStamp: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
} as const;

/** Result of checking one CMS SignedData. */
export interface CmsCheck {
  signed: SignedDataInfo;
  signerInfo: SignerInfoData;
  signer?: CertView;
  /** Every certificate carried in the CMS. */
  certs: Buffer[];
  hashName?: string;
  digestOk: boolean;
  signatureOk: boolean;
  /** 'match', 'mismatch' or 'absent'. */
  essCert: 'match' | 'mismatch' | 'absent';
  contentTypeOk: boolean;
  signingTimeAttr?: Date;
  signatureValue: Buffer;
  /** No signed attributes: the signature is over the content itself (the caller verifies it). */
  noSignedAttrs: boolean;
}

/**
 * Parses ContentInfo(SignedData) in DER or BER (indefinite lengths, constructed strings, as
 * BouncyCastle writes it); trailing zero padding (PDF /Contents) is allowed.
 */
export function parseSignedData(der: Uint8Array): SignedDataInfo {
  return parseCms(der);
}

function attr(si: SignerInfoData, oid: string, unsigned = false): Buffer | undefined {
  return attributeValue(unsigned ? si.unsignedAttrs : si.signedAttrs?.attributes, oid);
}

/** First value of an unsigned attribute (e.g. the signature timestamp token), as DER. */
export function unsignedAttr(si: SignerInfoData, oid: string): Buffer | undefined {
  return attr(si, oid, true);
}

/** How a certificate can be named by a SignerInfo: issuer and serial, and its key identifier. */
interface CertIds {
  issuer: Buffer;
  serial: Buffer;
  ski?: Buffer;
}

/** Identifiers of certificates by content (the same signer certificate in every CMS of a file). */
const certIdCache = new DerCache<CertIds | null>(256);

const SKI_OID = '2.5.29.14';

/** Issuer, serial and subject key identifier read from a certificate's DER; null when it is not one. */
function certIds(der: Buffer): CertIds | null {
  try {
    const [tbs] = childrenOf(der, readTlv(der, 0));
    if (!tbs || !isUniversal(tbs, UNIVERSAL.sequence)) return null;
    const f = childrenOf(der, tbs);
    let i = f[0] && f[0].cls === 2 && f[0].num === 0 ? 1 : 0;
    const serial = f[i++];
    i++; // signature algorithm
    const issuer = f[i++];
    if (!serial || !isUniversal(serial, UNIVERSAL.integer) || !issuer || !isUniversal(issuer, UNIVERSAL.sequence)) return null;
    const ids: CertIds = { issuer: Buffer.from(der.subarray(issuer.start, issuer.end)), serial: Buffer.from(contentOf(der, serial)) };
    const exts = f.find((t) => t.cls === 2 && t.num === 3);
    const list = exts && childrenOf(der, exts)[0];
    for (const e of list && list.constructed ? childrenOf(der, list) : []) {
      const [oid, ...rest] = childrenOf(der, e);
      if (!oid || oidOf(der, oid) !== SKI_OID) continue;
      const value = rest.at(-1);
      if (!value || !isUniversal(value, UNIVERSAL.octetString)) break;
      const inner = stringOf(der, value);
      const key = readTlv(inner, 0);
      if (isUniversal(key, UNIVERSAL.octetString)) ids.ski = Buffer.from(stringOf(inner, key));
      break;
    }
    return ids;
  } catch {
    return null;
  }
}

function findSigner(si: SignerInfoData, certs: Buffer[]): CertView | undefined {
  for (const der of certs) {
    const ids = certIdCache.get(der, () => certIds(der));
    if (!ids) continue;
    const sid = si.sid;
    const match = 'ski' in sid ? !!ids.ski && ids.ski.equals(sid.ski) : ids.serial.equals(sid.serial) && ids.issuer.equals(sid.issuer);
    if (!match) continue;
    try {
      return certView(der);
    } catch {
      // A certificate node:crypto cannot read is no signer.
    }
  }
  return undefined;
}

/** The element at the start of `der` when it is the universal type `num`. */
function element(der: Buffer | undefined, num: number): { b: Buffer; t: Tlv } | undefined {
  if (!der) return undefined;
  try {
    const t = readTlv(der, 0);
    return isUniversal(t, num) ? { b: der, t } : undefined;
  } catch {
    return undefined;
  }
}

/** ESS signing-certificate(-v2): the first ESSCertID's hash must be the signer certificate's. */
function essCheck(si: SignerInfoData, signer: CertView | undefined): CmsCheck['essCert'] {
  const v2 = attr(si, OID.signingCertV2);
  const val = v2 ?? attr(si, OID.signingCertV1);
  if (!val) return 'absent';
  if (!signer) return 'mismatch';
  try {
    const [certsSeq] = childrenOf(val, readTlv(val, 0));
    const [first] = certsSeq ? childrenOf(val, certsSeq) : [];
    const parts = first ? childrenOf(val, first) : [];
    let hash = v2 ? 'sha256' : 'sha1';
    let hashVal = parts[0];
    if (v2 && isUniversal(parts[0], UNIVERSAL.sequence)) {
      const [oid] = childrenOf(val, parts[0]);
      hash = (oid && digestName(oidOf(val, oid))) ?? '';
      hashVal = parts[1];
    }
    if (!hash || !isUniversal(hashVal, UNIVERSAL.octetString)) return 'mismatch';
    // The fingerprint is the DER's SHA-256 already (the usual ESS v2 hash).
    const got = hash === 'sha256' ? Buffer.from(signer.fingerprint, 'hex') : createHash(hash).update(signer.der).digest();
    return got.equals(stringOf(val, hashVal)) ? 'match' : 'mismatch';
  } catch {
    return 'mismatch';
  }
}

function safeOid(b: Buffer, t: Tlv): string | undefined {
  try {
    return oidOf(b, t);
  } catch {
    return undefined;
  }
}

/** The time of a UTCTime or GeneralizedTime value, else undefined. */
function timeOf(der: Buffer | undefined): Date | undefined {
  if (!der) return undefined;
  const st = asn1js.fromBER(new Uint8Array(der)).result;
  return st instanceof asn1js.UTCTime || st instanceof asn1js.GeneralizedTime ? st.toDate() : undefined;
}

/**
 * Checks signer `index` of a SignedData. `contentDigest(hash)` returns the digest of the signed
 * content (the PDF byte ranges, or the encapsulated content such as a TSTInfo).
 */
export function checkCms(sd: SignedDataInfo, contentDigest: (hash: string) => Buffer, index = 0): CmsCheck {
  const si = sd.signerInfos[index];
  if (!si) throw new Error(`no signer ${index}`);
  const certs = sd.certs;
  const signer = findSigner(si, certs);
  const hashName = digestName(si.digestAlgorithm.algorithmId);
  const signatureValue = si.signature;
  const base: CmsCheck = { signed: sd, signerInfo: si, signer, certs, hashName, digestOk: false, signatureOk: false, essCert: 'absent', contentTypeOk: false, signatureValue, noSignedAttrs: !si.signedAttrs };
  if (!hashName) return base;
  if (!si.signedAttrs) {
    // Without signed attributes the signature covers the content directly: the digest is
    // inside the signature value, which the caller verifies over the content.
    base.contentTypeOk = true;
    return base;
  }
  const digest = contentDigest(hashName);
  const md = element(attr(si, OID.messageDigest), UNIVERSAL.octetString);
  base.digestOk = !!md && stringOf(md.b, md.t).equals(digest);
  const ct = element(attr(si, OID.contentType), UNIVERSAL.oid);
  base.contentTypeOk = !!ct && safeOid(ct.b, ct.t) === sd.eContentType;
  base.signingTimeAttr = timeOf(attr(si, OID.signingTime));
  if (signer) base.signatureOk = verifyRaw(si.signatureAlgorithm, si.digestAlgorithm.algorithmId, si.signedAttrs.encoded, signatureValue, signer.x.publicKey);
  base.essCert = essCheck(si, signer);
  return base;
}
