/**
 * The X.509 extensions Kyso reads (RFC 5280), from a pkijs Certificate: where to ask for
 * revocation and issuers (AIA, CRL distribution points), what the key may do (key usage),
 * the purposes it serves (extended key usage) and whether it is a CA (basic constraints).
 * pkijs parses these extensions already.
 */
import type * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';

const AIA = '1.3.6.1.5.5.7.1.1';
const AD_OCSP = '1.3.6.1.5.5.7.48.1';
const AD_CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
const CRL_DP = '2.5.29.31';
const KEY_USAGE = '2.5.29.15';
const BASIC_CONSTRAINTS = '2.5.29.19';
const EXT_KEY_USAGE = '2.5.29.37';
/** GeneralName tag of a URI. */
const URI = 6;

// KeyUsage bits: bit 0 is the most significant bit of the first byte.
/** Key usage bit names, in bit order (RFC 5280 4.2.1.3). */
export const KEY_USAGE_NAMES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;
/** A key usage name (RFC 5280 4.2.1.3). */
export type KeyUsageName = (typeof KEY_USAGE_NAMES)[number];

function extension<T>(c: pkijs.Certificate, oid: string): T | undefined {
  return c.extensions?.find((e) => e.extnID === oid)?.parsedValue as T | undefined;
}

function accessUrls(c: pkijs.Certificate, method: string): string[] {
  const aia = extension<pkijs.InfoAccess>(c, AIA);
  return (aia?.accessDescriptions ?? []).filter((d) => d.accessMethod === method && d.accessLocation.type === URI).map((d) => String(d.accessLocation.value));
}

/** OCSP responder URLs from the AIA extension. */
export function ocspUrlsOf(c: pkijs.Certificate): string[] {
  return accessUrls(c, AD_OCSP);
}

/** URLs of the issuer's certificate (AIA caIssuers). */
export function caIssuerUrlsOf(c: pkijs.Certificate): string[] {
  return accessUrls(c, AD_CA_ISSUERS);
}

/** CRL URLs from the CRL distribution points (full names that are URIs). */
export function crlUrlsOf(c: pkijs.Certificate): string[] {
  const dps = extension<pkijs.CRLDistributionPoints>(c, CRL_DP);
  const urls: string[] = [];
  for (const dp of dps?.distributionPoints ?? []) {
    if (!Array.isArray(dp.distributionPoint)) continue;
    for (const n of dp.distributionPoint) if (n.type === URI) urls.push(String(n.value));
  }
  return urls;
}

/** The key usages the certificate allows, or null when it has no key usage extension (no limit). */
export function keyUsageOf(c: pkijs.Certificate): KeyUsageName[] | null {
  const ku = extension<asn1js.BitString>(c, KEY_USAGE);
  if (!ku) return null;
  const bytes = ku.valueBlock.valueHexView;
  return KEY_USAGE_NAMES.filter((_, bit) => ((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0);
}

/** True when basic constraints mark the certificate as a CA. */
export function isCaCertificate(c: pkijs.Certificate): boolean {
  return extension<pkijs.BasicConstraints>(c, BASIC_CONSTRAINTS)?.cA === true;
}

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

/** The extended key usages (OIDs) the certificate lists; [] when it has none. */
export function extKeyUsageOf(c: pkijs.Certificate): string[] {
  return extension<pkijs.ExtKeyUsage>(c, EXT_KEY_USAGE)?.keyPurposes ?? [];
}
