/**
 * The one certificate view of Kyso: names, period, serial, key, usages, CA flag and the URLs
 * (OCSP, caIssuers, CRL) of an X.509 certificate, as signing, validation, the inbox server and
 * the token listing all read them. pkijs parses names and extensions; node:crypto keeps the
 * key for signature checks. Views and parsed certificates are cached by content.
 */
import { createHash, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KysoError } from '../api/errors.js';
import { caIssuerUrlsOf, crlUrlsOf, extKeyUsageOf, isCaCertificate, keyUsageOf, ocspUrlsOf, type KeyUsageName } from './cert-extensions.js';
import { DerCache } from './der-cache.js';

// Short names as OpenSSL prints them (-nameopt RFC2253); Vietnamese CAs put the citizen ID or
// tax code in UID and the official's position in title.
const rdnNames: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.9': 'street', '2.5.4.10': 'O', '2.5.4.11': 'OU',
  '2.5.4.12': 'title', '2.5.4.4': 'SN', '2.5.4.42': 'GN', '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'E', '2.5.4.5': 'serialNumber', '0.9.2342.19200300.100.1.1': 'UID',
};

/** Accepts DER or PEM bytes of one object (the first PEM block) and returns DER. */
export function toDer(data: Uint8Array | string): Uint8Array {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  const m = /-----BEGIN [A-Z0-9 ]+-----([\s\S]*?)-----END [A-Z0-9 ]+-----/.exec(text);
  if (m) return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  return typeof data === 'string' ? new Uint8Array(Buffer.from(data, 'latin1')) : data;
}

/**
 * Parsed certificates by content: a batch signs hundreds of files with the same signer
 * certificate and chain, and the validator meets one CA in every signature; pkijs schema
 * parsing is the main per-certificate CPU cost otherwise. Callers treat them as read-only.
 */
const parsedCache = new DerCache<pkijs.Certificate>();
const viewCache = new DerCache<CertView>();

/** Parses DER into a pkijs Certificate (cached by content; do not mutate it); a clear KysoError on garbage. */
export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  return parsedCache.get(der, () => parseCertificateUncached(der));
}

function parseCertificateUncached(der: Uint8Array): pkijs.Certificate {
  try {
    const asn = asn1js.fromBER(toArrayBuffer(der));
    if (asn.offset === -1) throw new Error(asn.result.error);
    return new pkijs.Certificate({ schema: asn.result });
  } catch (e) {
    throw new KysoError('certInvalid', { detail: e instanceof Error ? e.message : String(e) });
  }
}

/** Copies bytes into a standalone ArrayBuffer (asn1js wants one, not a view on a pool). */
export function toArrayBuffer(u: Uint8Array): ArrayBuffer {
  const ab = new ArrayBuffer(u.byteLength);
  new Uint8Array(ab).set(u);
  return ab;
}

/** Escapes an attribute value as RFC 4514 asks (so a comma inside an O stays inside it). */
function escapeDnValue(v: string): string {
  return v.replace(/[,+"\\<>;]/g, (c) => `\\${c}`).replace(/^[ #]/, (c) => `\\${c}`).replace(/ $/, '\\ ');
}

/** Renders a distinguished name as `CN=..., O=..., C=..` (most specific first, RFC 4514). */
export function nameToString(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => `${rdnNames[tv.type] ?? tv.type}=${escapeDnValue(String(tv.value.valueBlock.value))}`)
    .reverse()
    .join(', ');
}

/** The (first) common name of a distinguished name, unescaped; '' when there is none. */
export function commonNameOf(name: pkijs.RelativeDistinguishedNames): string {
  const cn = name.typesAndValues.find((tv) => tv.type === '2.5.4.3');
  return cn ? String(cn.value.valueBlock.value) : '';
}

/** What Kyso knows about one certificate (never secret). */
export interface CertView {
  /** The DER (also when the view was made from PEM). */
  der: Buffer;
  /** node:crypto's certificate: public key and signature checks. */
  x: X509Certificate;
  /** RFC 4514, most specific first (`CN=..., O=..., C=VN`). */
  subject: string;
  issuer: string;
  /** The subject's CN, or the whole subject when it has none: a name to show. */
  commonName: string;
  /** The subject's CN exactly, '' when it has none (a signature's /Name). */
  subjectCn: string;
  /** The issuer's CN, or the whole issuer name. */
  issuerCommonName: string;
  /** Serial number in lower-case hex, whole bytes, as OpenSSL prints it. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the DER, lower-case hex. */
  fingerprint: string;
  /** Subject and issuer names are the same. */
  selfSigned: boolean;
  isCa: boolean;
  /** Key usages, or null when the certificate has no key usage extension (no limit). */
  keyUsage: KeyUsageName[] | null;
  /** Extended key usage OIDs ([] when absent). */
  extKeyUsage: string[];
  /** False when a keyUsage extension is present without keyCertSign. */
  canSignCerts: boolean;
  /** False when a keyUsage extension allows neither digitalSignature nor nonRepudiation. */
  canSignDocuments: boolean;
  keyType: 'RSA' | 'EC' | 'other';
  /** DER SubjectPublicKeyInfo, to match a certificate with a key pair. */
  spki: Buffer;
  ocspUrls: string[];
  caIssuerUrls: string[];
  crlUrls: string[];
}

/** The view of a DER (or PEM) certificate, cached by content; a KysoError certInvalid on garbage. */
export function certView(der: Uint8Array): CertView {
  return viewCache.get(der, () => viewOf(der));
}

function viewOf(bytes: Uint8Array): CertView {
  let x: X509Certificate;
  try {
    x = new X509Certificate(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
  } catch (e) {
    throw new KysoError('certInvalid', { detail: e instanceof Error ? e.message : String(e) });
  }
  // Node also parses PEM: always keep (and fingerprint) the DER.
  const der = x.raw;
  const p = parseCertificate(der);
  const usage = keyUsageOf(p);
  const alg = p.subjectPublicKeyInfo.algorithm.algorithmId;
  const subject = nameToString(p.subject);
  const issuer = nameToString(p.issuer);
  return {
    der,
    x,
    subject,
    issuer,
    commonName: commonNameOf(p.subject) || subject,
    subjectCn: commonNameOf(p.subject),
    issuerCommonName: commonNameOf(p.issuer) || issuer,
    serial: x.serialNumber.toLowerCase(),
    notBefore: p.notBefore.value,
    notAfter: p.notAfter.value,
    fingerprint: createHash('sha256').update(der).digest('hex'),
    selfSigned: Buffer.from(p.subject.toSchema().toBER()).equals(Buffer.from(p.issuer.toSchema().toBER())),
    isCa: isCaCertificate(p),
    keyUsage: usage,
    extKeyUsage: extKeyUsageOf(p),
    canSignCerts: !usage || usage.includes('keyCertSign'),
    canSignDocuments: !usage || usage.includes('digitalSignature') || usage.includes('nonRepudiation'),
    keyType: alg === '1.2.840.113549.1.1.1' || alg === '1.2.840.113549.1.1.10' ? 'RSA' : alg === '1.2.840.10045.2.1' ? 'EC' : 'other',
    spki: x.publicKey.export({ type: 'spki', format: 'der' }),
    ocspUrls: ocspUrlsOf(p),
    caIssuerUrls: caIssuerUrlsOf(p),
    crlUrls: crlUrlsOf(p),
  };
}

/** True when `issuer` issued `cert`: the names chain and the signature verifies with its key. */
export function isIssuedBy(cert: CertView, issuer: CertView): boolean {
  if (cert.issuer !== issuer.subject) return false;
  try {
    return cert.x.verify(issuer.x.publicKey);
  } catch {
    return false;
  }
}
