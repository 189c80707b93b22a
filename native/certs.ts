/**
 * Parses a token's certificate into the details shown to people (subject, validity, usages).
 * Built on pkijs (which signing loads anyway) and node:crypto rather than @peculiar/x509, whose
 * load and first parse cost `kyso sign` about 0.1 s before anything was signed. Names read
 * as everywhere else in Kyso (main/pki/cert.ts nameToString: RFC 4514 order, `CN=..., C=VN`).
 */
import { createHash, X509Certificate } from 'node:crypto';
import type * as pkijs from 'pkijs';
import { nameToString, parseCertificate as parsePkijs, serialHex } from '../main/pki/cert.js';
import { keyUsageOf } from '../main/pki/cert-extensions.js';

const OID_EXT_KEY_USAGE = '2.5.29.37';

/** Names of the extended key usages Kyso recognises, by OID. */
export const ekuNames: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '1.3.6.1.4.1.311.10.3.12': 'documentSigning',
  '1.2.840.113583.1.1.5': 'pdfAuthenticDocuments',
};

/** Parsed certificate details (without the token binding). */
export interface ParsedCertificate {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  keyUsage: string[];
  extendedKeyUsage: string[];
  keyType: 'RSA' | 'EC' | 'other';
  fingerprint: string;
  /** DER SubjectPublicKeyInfo, to match a certificate with a key pair. */
  spki: Uint8Array;
}

/** Parses a DER certificate (a KysoError certInvalid on garbage). */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const cert = parsePkijs(der);
  const ext = (oid: string) => cert.extensions?.find((e) => e.extnID === oid)?.parsedValue as unknown;
  const eku = ext(OID_EXT_KEY_USAGE) as pkijs.ExtKeyUsage | undefined;
  const alg = cert.subjectPublicKeyInfo.algorithm.algorithmId;
  return {
    subject: nameToString(cert.subject),
    issuer: nameToString(cert.issuer),
    serial: serialHex(cert),
    notBefore: cert.notBefore.value.toISOString(),
    notAfter: cert.notAfter.value.toISOString(),
    keyUsage: keyUsageOf(cert) ?? [],
    extendedKeyUsage: (eku?.keyPurposes ?? []).map((u) => ekuNames[u] ?? u),
    keyType: alg === '1.2.840.113549.1.1.1' || alg === '1.2.840.113549.1.1.10' ? 'RSA' : alg === '1.2.840.10045.2.1' ? 'EC' : 'other',
    fingerprint: createHash('sha256').update(der).digest('hex'),
    spki: new Uint8Array(new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' })),
  };
}

/** True when the certificate expires within `days` days of `now` (or has expired). */
export function expiresWithin(notAfter: string, days: number, now = new Date()): boolean {
  return new Date(notAfter).getTime() - now.getTime() < days * 86_400_000;
}
