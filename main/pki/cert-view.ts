/**
 * Read-only view of an X.509 certificate for validation: names, period, CA flag and the
 * URLs (OCSP, caIssuers, CRL) the validator may use online. Parsing is node:crypto (signature
 * checks) and pkijs (names, extensions); bundles (PEM, DER, P7B) go through pkijs too.
 */
import { createHash, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { commonNameOf, nameToString, parseCertificate } from './cert.js';
import { DerCache } from './der-cache.js';
import { caIssuerUrlsOf, crlUrlsOf, isCaCertificate, keyUsageOf, ocspUrlsOf } from './cert-extensions.js';

/** What the validator needs to know about one certificate. */
export interface CertView {
  der: Buffer;
  x: X509Certificate;
  subject: string;
  issuer: string;
  commonName: string;
  issuerCommonName: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint: string;
  isCa: boolean;
  /** False when a keyUsage extension is present without keyCertSign. */
  canSignCerts: boolean;
  /** False when a keyUsage extension allows neither digitalSignature nor nonRepudiation. */
  canSignDocuments: boolean;
  ocspUrls: string[];
  caIssuerUrls: string[];
  crlUrls: string[];
}

const cache = new DerCache<CertView>();

/** Parses a DER certificate (throws on garbage). */
export function certView(der: Uint8Array): CertView {
  const buf = Buffer.isBuffer(der) ? der : Buffer.from(der);
  return cache.get(buf, () => viewOf(buf));
}

function viewOf(buf: Buffer): CertView {
  const x = new X509Certificate(buf);
  // Names as everywhere in Kyso (RFC 4514, see main/pki/cert.ts), not Node's one-per-line form.
  const p = parseCertificate(x.raw);
  const usage = keyUsageOf(p);
  return {
    // Node also parses PEM: always keep (and fingerprint) the DER.
    der: x.raw,
    x,
    subject: nameToString(p.subject),
    issuer: nameToString(p.issuer),
    commonName: commonNameOf(p.subject) || nameToString(p.subject),
    issuerCommonName: commonNameOf(p.issuer) || nameToString(p.issuer),
    serial: x.serialNumber.toLowerCase(),
    notBefore: new Date(x.validFrom),
    notAfter: new Date(x.validTo),
    fingerprint: createHash('sha256').update(x.raw).digest('hex'),
    isCa: isCaCertificate(p),
    canSignCerts: !usage || usage.includes('keyCertSign'),
    canSignDocuments: !usage || usage.includes('digitalSignature') || usage.includes('nonRepudiation'),
    ocspUrls: ocspUrlsOf(p),
    caIssuerUrls: caIssuerUrlsOf(p),
    crlUrls: crlUrlsOf(p),
  };
}

/** True when `issuer` issued `cert`: names chain and the signature verifies. */
export function isIssuedBy(cert: CertView, issuer: CertView): boolean {
  if (cert.issuer !== issuer.subject) return false;
  try {
    return cert.x.verify(issuer.x.publicKey);
  } catch {
    return false;
  }
}

/** Extracts every certificate from PEM (one or many), DER, or a PKCS#7 (.p7b) bundle. */
export function parseCertBundle(data: Buffer): Buffer[] {
  const text = data.toString('latin1');
  if (text.includes('-----BEGIN')) {
    const out: Buffer[] = [];
    const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const der = Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64');
      if (m[1] === 'CERTIFICATE' || m[1] === 'TRUSTED CERTIFICATE') out.push(der);
      else if (m[1] === 'PKCS7' || m[1] === 'CMS') out.push(...p7Certs(der));
    }
    return out;
  }
  try {
    certView(data);
    return [data];
  } catch {
    return p7Certs(data);
  }
}

function p7Certs(der: Buffer): Buffer[] {
  const asn = asn1js.fromBER(new Uint8Array(der));
  if (asn.offset === -1) throw new Error('not a certificate, PEM or PKCS#7 bundle');
  const ci = new pkijs.ContentInfo({ schema: asn.result });
  const sd = new pkijs.SignedData({ schema: ci.content });
  return (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate).map((c) => Buffer.from(c.toSchema().toBER()));
}
