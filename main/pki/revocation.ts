/**
 * Revocation status of one certificate as validation and the inbox server decide it:
 * embedded OCSP responses and CRLs (a DSS, the server's configured CRLs) first, then online
 * OCSP, then online CRL unless offline. Unknown status is reported, never guessed. The
 * protocols themselves are the one OCSP and CRL client (ocsp.ts, crl.ts).
 */
import type { CertView } from './cert.js';
import { fetchCrl, readCrl } from './crl.js';
import { fetchOcsp, readOcspResponse } from './ocsp.js';

/** Outcome of a revocation check. */
export interface RevocationStatus {
  status: 'good' | 'revoked' | 'unknown';
  source: 'dss-ocsp' | 'dss-crl' | 'ocsp' | 'crl' | 'none';
  /** thisUpdate of the evidence used. */
  issuedAt?: Date;
  revocationTime?: Date;
  /** The raw evidence fetched online (for a later DSS). */
  evidence?: Buffer;
}

/** Embedded revocation data available to the check. */
export interface RevocationInput {
  cert: CertView;
  issuer: CertView;
  ocsps: Buffer[];
  crls: Buffer[];
  offline: boolean;
}

/** Deadline of one online OCSP or CRL request while validating. */
const ONLINE_TIMEOUT_MS = 8000;

/** Status from one DER OCSPResponse, or undefined when it does not speak validly about the cert. */
export function ocspStatus(der: Buffer, cert: CertView, issuer: CertView): RevocationStatus | undefined {
  try {
    const a = readOcspResponse(der, cert, issuer);
    return { status: a.status, source: 'ocsp', issuedAt: a.thisUpdate, ...(a.status === 'revoked' ? { revocationTime: a.revokedAt } : {}) };
  } catch {
    return undefined;
  }
}

/** Status from one DER CRL issued by `issuer`, or undefined when it is not that CA's valid CRL. */
export function crlStatus(der: Buffer, cert: CertView, issuer: CertView): RevocationStatus | undefined {
  try {
    const a = readCrl(der, cert, issuer);
    return { status: a.status, source: 'crl', issuedAt: a.thisUpdate, ...(a.revokedAt ? { revocationTime: a.revokedAt } : {}) };
  } catch {
    return undefined;
  }
}

/** Finds the revocation status, embedded evidence first; `unknown`/`none` when nothing answers. */
export async function checkRevocation(input: RevocationInput): Promise<RevocationStatus> {
  const { cert, issuer } = input;
  const pick = (list: RevocationStatus[]): RevocationStatus | undefined =>
    list.find((s) => s.status === 'revoked') ?? list.sort((a, b) => (b.issuedAt?.getTime() ?? 0) - (a.issuedAt?.getTime() ?? 0)).find((s) => s.status === 'good');
  const embeddedOcsp = input.ocsps.map((d) => ocspStatus(d, cert, issuer)).filter((s): s is RevocationStatus => !!s);
  const o = pick(embeddedOcsp);
  if (o) return { ...o, source: 'dss-ocsp' };
  const embeddedCrl = input.crls.map((d) => crlStatus(d, cert, issuer)).filter((s): s is RevocationStatus => !!s);
  const c = pick(embeddedCrl);
  if (c) return { ...c, source: 'dss-crl' };
  if (!input.offline) {
    // Any failure (unreachable, garbage, another responder's answer) leaves the status unknown.
    for (const url of cert.ocspUrls) {
      const a = await fetchOcsp(cert, issuer, { url, timeoutMs: ONLINE_TIMEOUT_MS }).catch(() => undefined);
      if (a && a.status !== 'unknown') return { status: a.status, source: 'ocsp', issuedAt: a.thisUpdate, ...(a.status === 'revoked' ? { revocationTime: a.revokedAt } : {}), evidence: a.response };
    }
    for (const url of cert.crlUrls) {
      const a = await fetchCrl(cert, issuer, { url, timeoutMs: ONLINE_TIMEOUT_MS }).catch(() => undefined);
      if (a) return { status: a.status, source: 'crl', issuedAt: a.thisUpdate, ...(a.revokedAt ? { revocationTime: a.revokedAt } : {}), evidence: a.crl };
    }
  }
  return { status: 'unknown', source: 'none' };
}
