/** Parses a token's certificate into the details shown to people (subject, validity, usages). */
import { createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';

const keyUsageNames: Array<[number, string]> = [
  [x509.KeyUsageFlags.digitalSignature, 'digitalSignature'],
  [x509.KeyUsageFlags.nonRepudiation, 'nonRepudiation'],
  [x509.KeyUsageFlags.keyEncipherment, 'keyEncipherment'],
  [x509.KeyUsageFlags.dataEncipherment, 'dataEncipherment'],
  [x509.KeyUsageFlags.keyAgreement, 'keyAgreement'],
  [x509.KeyUsageFlags.keyCertSign, 'keyCertSign'],
  [x509.KeyUsageFlags.cRLSign, 'cRLSign'],
  [x509.KeyUsageFlags.encipherOnly, 'encipherOnly'],
  [x509.KeyUsageFlags.decipherOnly, 'decipherOnly'],
];

const ekuNames: Record<string, string> = {
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

/** Parses a DER certificate. */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const cert = new x509.X509Certificate(Buffer.from(der));
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  const alg = cert.publicKey.algorithm.name;
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    serial: cert.serialNumber,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    keyUsage: ku ? keyUsageNames.filter(([bit]) => (ku.usages & bit) !== 0).map(([, n]) => n) : [],
    extendedKeyUsage: eku ? eku.usages.map((u) => ekuNames[String(u)] ?? String(u)) : [],
    keyType: alg.startsWith('RSA') ? 'RSA' : alg === 'ECDSA' || alg === 'EC' ? 'EC' : 'other',
    fingerprint: createHash('sha256').update(der).digest('hex'),
    spki: new Uint8Array(cert.publicKey.rawData),
  };
}

/** True when the certificate expires within `days` days of `now` (or has expired). */
export function expiresWithin(notAfter: string, days: number, now = new Date()): boolean {
  return new Date(notAfter).getTime() - now.getTime() < days * 86_400_000;
}
